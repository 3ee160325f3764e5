"""The link is secured: TLS with a server certificate, optional mTLS, per-agent tokens. A wrong
token or certificate is refused with a clear error on both sides; plaintext off loopback is
refused at start-up, and so is TLS off loopback with nothing that authenticates clients unless
allow_anonymous says so. Tokens have roles: an agent's token only ingests, a viewer's reads, an
operator's reads and silences (as itself, for at most silences.max_duration_s)."""
import http.client
import json
import ssl
import subprocess
import unittest
import urllib.parse

from harness import AGENT, COLLECTOR, Process, RegwatchTestCase, store_location, wait_for

LINE = ("Nov 20 09:14:20 ucm-sub1 local7 3 : 7: ucm-sub1 Nov 20 2026 09:14:20.100 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0017943A98BA][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][NodeID=ucm-sub1]: An endpoint has unregistered\n")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class SecurityTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        d = self.dir
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=regwatch test CA",
                "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
        for name, cn in (("server", "localhost"), ("client", "test-agent")):
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", f"{name}.key",
                    "-out", f"{name}.csr", cwd=d)
            with open(self.path(f"{name}.ext"), "w") as f:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
            openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
        with open(self.path("collector.yaml"), "w") as f:
            f.write(f"tls_cert_file: {self.path('server.pem')}\n"
                    f"tls_key_file: {self.path('server.key')}\n"
                    f"tls_client_ca_file: {self.path('ca.pem')}\n"
                    "tokens:\n  test-agent: correct-horse-battery\n"
                    "access_tokens:\n"
                    "  - {name: noc-view, role: viewer, token: viewer-token-1234}\n"
                    "  - {name: noc-alice, role: operator, token: operator-token-1234}\n")
        with open(self.path("one.log"), "w") as f:
            f.write(LINE)
        self.collector = self.start_collector(extra=["--config", self.path("collector.yaml")])
        self.port = self.collector.address.rsplit(":", 1)[1]

    def replay(self, token, with_client_cert=True, name="agent", extra=()):
        extra = ["--replay-syslog", self.path("one.log"), "--replay-timeout", "20",
                 "--tls-ca", self.path("ca.pem"), "--token", token, *extra]
        if with_client_cert:
            extra += ["--tls-cert", self.path("client.pem"), "--tls-key", self.path("client.key")]
        agent = self.start_agent(f"localhost:{self.port}", extra=extra, name=name)
        agent.wait(60)
        return agent

    def query(self, *args):
        return self.cli(f"localhost:{self.port}", "--tls-ca", self.path("ca.pem"),
                        "--tls-cert", self.path("client.pem"), "--tls-key", self.path("client.key"),
                        *args, check=False)

    def test_http_serves_tls_with_the_collectors_certificate_and_the_same_tokens(self):
        url = self.collector.http_url
        self.assertTrue(url.startswith("https://"), url)
        host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
        context = ssl.create_default_context(cafile=self.path("ca.pem"))

        def get(path, token):
            conn = http.client.HTTPSConnection(host, port, context=context, timeout=30)
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read().decode()
            conn.close()
            return response.status, body

        self.assertEqual(get("/api/v1/incidents", "viewer-token-1234")[0], 200)
        status, body = get("/api/v1/incidents", "correct-horse-battery")
        self.assertEqual(status, 403)
        self.assertIn("viewer or operator", json.loads(body)["error"])
        self.assertEqual(get("/api/v1/incidents", "wrong-token-000")[0], 401)
        plain = http.client.HTTPConnection(host, port, timeout=10)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            plain.request("GET", "/api/v1/incidents")
            plain.getresponse().read()
        plain.close()

    def test_plaintext_http_off_loopback_is_refused(self):
        checked = subprocess.run([COLLECTOR, "--listen", "127.0.0.1:0", "--http", "0.0.0.0:0",
                                  "--db", store_location(self.path("x.db")), "--check-config"],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
        self.assertIn("http.listen", checked.stderr)
        self.assertIn("plaintext is only allowed on loopback", checked.stderr)

    def test_right_token_and_certificate_are_accepted(self):
        agent = self.replay("correct-horse-battery")
        self.assertEqual(agent.proc.returncode, 0, agent.stderr())
        result = self.query("--token", "viewer-token-1234", "events", "--format", "jsonl")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("SEP0017943A98BA", result.stdout)

    def test_a_replay_goes_under_its_own_agents_token_only(self):
        # The default replay id, test-agent/replay-<digest>, is test-agent's (the test above);
        # an id of another agent's is not.
        agent = self.replay("correct-horse-battery", extra=["--replay-agent-id", "other-agent/replay-x"])
        self.assertEqual(agent.proc.returncode, 3, agent.stdout() + agent.stderr())
        self.assertIn("'other-agent/replay-x' has no token configured", agent.stderr())

    def test_wrong_token_is_refused_on_both_sides(self):
        agent = self.replay("wrong-token-000")
        self.assertEqual(agent.proc.returncode, 3, agent.stdout() + agent.stderr())
        self.assertIn("refused", agent.stderr())
        self.assertIn("token", agent.stderr())
        wait_for(lambda: "refused ingest stream" in self.collector.stderr(), 10,
                 what="the collector's log of the refusal")
        result = self.query("--token", "wrong-token-000", "events")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("token", result.stderr.lower())

    def test_missing_client_certificate_is_refused(self):
        agent = self.replay("correct-horse-battery", with_client_cert=False)
        self.assertNotEqual(agent.proc.returncode, 0)
        self.assertIn("NOT all acknowledged", agent.stdout())

    def test_plaintext_off_loopback_is_refused_at_start(self):
        result = subprocess.run([COLLECTOR, "--listen", "0.0.0.0:0", "--db", store_location(self.path("x.db"))],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("plaintext is only allowed on loopback", result.stderr)
        result = subprocess.run([AGENT, "--collector", "192.0.2.10:7443", "--spool-dir", self.path("s"),
                                 "--replay-syslog", self.path("one.log")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("not on loopback", result.stderr)

    SILENCE = ("silence", "add", "--match", "alertname=RegistrationBurst", "--comment", "CHG0042")

    def test_an_agents_token_may_ingest_but_not_query_or_silence(self):
        events = self.query("--token", "correct-horse-battery", "events")
        self.assertNotEqual(events.returncode, 0)
        self.assertIn("queries need a token with role viewer or operator", events.stderr)
        self.assertIn("'test-agent') has role agent", events.stderr)
        # Query.Explain is a read query like the others: the same policy refuses it.
        explain = self.query("--token", "correct-horse-battery", "explain", "SEP001122334455")
        self.assertNotEqual(explain.returncode, 0)
        self.assertIn("queries need a token with role viewer or operator", explain.stderr)
        # So is Query.IncidentView (regwatch incident): refused before it looks the id up.
        incident = self.query("--token", "correct-horse-battery", "incident", "cm_node:ucm-x@1")
        self.assertEqual(incident.returncode, 3, incident.stderr)
        self.assertIn("queries need a token with role viewer or operator", incident.stderr)
        self.assertNotIn("no incident", incident.stderr)
        silence = self.query("--token", "correct-horse-battery", *self.SILENCE, "--for", "2h")
        self.assertNotEqual(silence.returncode, 0)
        self.assertIn("silences needs a token with role operator", silence.stderr)

    def test_a_viewer_may_read_but_not_silence(self):
        for args in (("events",), ("status",), ("incidents",), ("top",), ("silence", "list")):
            result = self.query("--token", "viewer-token-1234", *args)
            self.assertEqual(result.returncode, 0, f"{args}: {result.stderr}")
        explained = self.query("--token", "viewer-token-1234", "explain", "SEP001122334455")
        self.assertEqual(explained.returncode, 4, explained.stderr)  # answered: nothing stored
        self.assertIn("nothing is stored about SEP001122334455", explained.stdout)
        viewed = self.query("--token", "viewer-token-1234", "incident", "cm_node:ucm-x@1")
        self.assertEqual(viewed.returncode, 4, viewed.stderr)  # answered: no such incident
        self.assertIn("regwatch: no incident 'cm_node:ucm-x@1'", viewed.stderr)
        silence = self.query("--token", "viewer-token-1234", *self.SILENCE, "--for", "2h")
        self.assertNotEqual(silence.returncode, 0)
        self.assertIn("silences needs a token with role operator", silence.stderr)
        self.assertIn("'noc-view') has role viewer", silence.stderr)
        self.assertEqual(self.query("--token", "operator-token-1234", "silence", "list").stdout,
                         "no silences\n")

    def test_an_operator_silences_as_itself_for_at_most_the_limit(self):
        made = self.query("--token", "operator-token-1234", *self.SILENCE, "--for", "2h",
                          "--author", "someone-else", "--format", "json")
        self.assertEqual(made.returncode, 0, made.stderr)
        made = json.loads(made.stdout)[0]
        self.assertEqual(made["author"], "noc-alice")
        listed = json.loads(self.query("--token", "viewer-token-1234", "silence", "list", "--format",
                                       "json").stdout)
        self.assertEqual([(s["id"], s["author"]) for s in listed], [(made["id"], "noc-alice")])
        too_long = self.query("--token", "operator-token-1234", *self.SILENCE, "--for", "30d")
        self.assertNotEqual(too_long.returncode, 0)
        self.assertIn("a silence may last at most 7d (silences.max_duration_s = 604800", too_long.stderr)
        self.assertIn("this one would last 30d", too_long.stderr)
        expired = self.query("--token", "operator-token-1234", "silence", "expire", made["id"])
        self.assertEqual(expired.returncode, 0, expired.stderr)
        self.assertIn(f"silence {made['id']} expired by noc-alice", self.collector.stderr())

    def test_tls_off_loopback_without_authentication_is_refused_unless_allowed(self):
        with open(self.path("anonymous.yaml"), "w") as f:
            f.write(f"listen: 0.0.0.0:0\n"
                    f"db: {store_location(self.path('anonymous.db'))}\n"
                    f"tls_cert_file: {self.path('server.pem')}\n"
                    f"tls_key_file: {self.path('server.key')}\n")
        args = [COLLECTOR, "--config", self.path("anonymous.yaml"), "--http", ""]
        started = subprocess.run(args, capture_output=True, text=True, timeout=30)
        self.assertEqual(started.returncode, 2, started.stderr)
        self.assertIn("refusing to start", started.stderr)
        self.assertIn("nothing authenticates clients", started.stderr)
        self.assertIn("allow_anonymous: true", started.stderr)
        checked = subprocess.run([*args, "--check-config"], capture_output=True, text=True, timeout=30)
        self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
        self.assertIn("nothing authenticates clients", checked.stderr)
        # Either authentication makes it start: a client CA here.
        with_ca = subprocess.run([*args, "--tls-client-ca", self.path("ca.pem"), "--check-config"],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(with_ca.returncode, 0, with_ca.stderr)
        with open(self.path("anonymous.yaml"), "a") as f:
            f.write("allow_anonymous: true\n")
        collector = Process(args, self.dir, "anonymous-collector")
        self.processes.append(collector)
        line = wait_for(lambda: self._listening_line(collector), 30, what="the collector to listen")
        self.assertIn("allow_anonymous: anyone who reaches 0.0.0.0:0", collector.stderr())
        self.assert_store_backend(collector.stderr())  # the file's db: is the test's store
        port = line.rsplit(":", 1)[1]
        status = self.cli(f"localhost:{port}", "--tls-ca", self.path("ca.pem"), "status")
        self.assertIn("0 events stored", status.stdout)


if __name__ == "__main__":
    unittest.main()
