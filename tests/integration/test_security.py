"""The link is secured: TLS with a server certificate, optional mTLS, per-agent tokens. A wrong
token or certificate is refused with a clear error on both sides; plaintext off loopback is
refused at start-up."""
import subprocess
import unittest

from harness import AGENT, COLLECTOR, RegwatchTestCase, wait_for

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
                    "tokens:\n  test-agent: correct-horse-battery\n")
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

    def test_right_token_and_certificate_are_accepted(self):
        agent = self.replay("correct-horse-battery")
        self.assertEqual(agent.proc.returncode, 0, agent.stderr())
        result = self.query("--token", "correct-horse-battery", "events", "--format", "jsonl")
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
        result = subprocess.run([COLLECTOR, "--listen", "0.0.0.0:0", "--db", self.path("x.db")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("plaintext is only allowed on loopback", result.stderr)
        result = subprocess.run([AGENT, "--collector", "192.0.2.10:7443", "--spool-dir", self.path("s"),
                                 "--replay-syslog", self.path("one.log")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("not on loopback", result.stderr)


if __name__ == "__main__":
    unittest.main()
