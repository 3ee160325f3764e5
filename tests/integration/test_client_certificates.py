"""With mTLS, a client certificate is tied to the agent ids it may ingest as: by default its
common name and that agent's replays. A certificate for agent-a ingesting as agent-b is refused
(PERMISSION_DENIED naming both, on both sides, nothing stored); as agent-a it is stored. With a
token as well, both the token and the certificate must allow the agent id. A
certificate alone does not read unless a grant gives it a role, and --check-config reports a bad
grant at its line."""
import subprocess

from harness import COLLECTOR, RegwatchTestCase, store_location, wait_for
from test_security import LINE, openssl


class ClientCertificateTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        d = self.dir
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=regwatch test CA",
                "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
        for name, cn in (("server", "localhost"), ("agent-a", "agent-a"), ("agent-b", "agent-b"),
                         ("noc", "noc-console")):
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", f"{name}.key",
                    "-out", f"{name}.csr", cwd=d)
            with open(self.path(f"{name}.ext"), "w") as f:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n" if name == "server" else
                        f"subjectAltName=DNS:{cn}.example.net\n")
            openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
        self.tls = (f"tls_cert_file: {self.path('server.pem')}\n"
                    f"tls_key_file: {self.path('server.key')}\n"
                    f"tls_client_ca_file: {self.path('ca.pem')}\n")
        with open(self.path("collector.yaml"), "w") as f:
            f.write(self.tls +
                    "client_certificates:\n"
                    "  agents:\n"
                    "    - {identity: noc-console, role: viewer}\n")
        with open(self.path("one.log"), "w") as f:
            f.write(LINE)
        self.collector = self.start_collector(extra=["--config", self.path("collector.yaml")])
        self.port = self.collector.address.rsplit(":", 1)[1]

    def replay(self, cert, agent_id, token=None):
        extra = ["--replay-syslog", self.path("one.log"), "--replay-timeout", "20",
                 *(["--token", token] if token else []),
                 "--tls-ca", self.path("ca.pem"), "--tls-cert", self.path(f"{cert}.pem"),
                 "--tls-key", self.path(f"{cert}.key")]
        agent = self.start_agent(f"localhost:{self.port}", extra=extra, agent_id=agent_id,
                                 name=f"{cert}-as-{agent_id}")
        agent.wait(60)
        return agent

    def query(self, cert, *args):
        return self.cli(f"localhost:{self.port}", "--tls-ca", self.path("ca.pem"),
                        "--tls-cert", self.path(f"{cert}.pem"), "--tls-key", self.path(f"{cert}.key"),
                        *args, check=False)

    def total_events(self):
        status = self.query("noc", "status")
        self.assertEqual(status.returncode, 0, status.stderr)
        return status.stdout

    def test_a_certificate_ingests_as_its_own_agent_id(self):
        agent = self.replay("agent-a", "agent-a")
        self.assertEqual(agent.proc.returncode, 0, agent.stdout() + agent.stderr())
        events = self.query("noc", "events", "--format", "jsonl")
        self.assertEqual(events.returncode, 0, events.stderr)
        self.assertIn("SEP0017943A98BA", events.stdout)
        self.assertIn('"agent_id":"agent-a/replay-', events.stdout.replace(" ", ""))

    def test_a_certificate_is_refused_as_another_agent(self):
        agent = self.replay("agent-a", "agent-b")
        self.assertEqual(agent.proc.returncode, 3, agent.stdout() + agent.stderr())
        self.assertIn("the client certificate (common_name 'agent-a') may not ingest as agent 'agent-b/replay-",
                      agent.stderr())
        refusals = wait_for(lambda: [line for line in self.collector.stderr().splitlines()
                                     if "refused ingest stream" in line], 10, what="the collector's refusal")
        self.assertEqual(len(refusals), 1, refusals)  # once per stream: the replay gave up
        self.assertIn("'agent-a'", refusals[0])
        self.assertIn("'agent-b/replay-", refusals[0])
        self.assertIn("0 events stored", self.total_events())
        # agent-b's own certificate is let in.
        self.assertEqual(self.replay("agent-b", "agent-b").proc.returncode, 0)
        self.assertIn("1 events stored", self.total_events())

    def test_a_certificate_alone_reads_only_when_granted_a_role(self):
        refused = self.query("agent-a", "events")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("this client certificate ('agent-a', no token) has role agent", refused.stderr)
        silence = self.query("noc", "silence", "add", "--match", "alertname=RegistrationBurst",
                             "--comment", "x", "--for", "1h")
        self.assertNotEqual(silence.returncode, 0)
        self.assertIn("has role viewer", silence.stderr)

    def test_a_dns_san_can_be_the_identity_and_mapped_to_agent_ids(self):
        with open(self.path("san.yaml"), "w") as f:
            f.write(self.tls + f"db: {store_location(self.path('san.db'))}\n"
                    "client_certificates:\n"
                    "  identity: dns_san\n"
                    "  agents:\n"
                    "    - {identity: agent-a.example.net, agent_ids: [branch-*]}\n"
                    "    - {identity: noc-console.example.net, role: viewer}\n")
        collector = self.start_collector(extra=["--config", self.path("san.yaml")], name="san-collector",
                                         db=self.path("san.db"))
        self.port = collector.address.rsplit(":", 1)[1]
        self.assertEqual(self.replay("agent-a", "agent-a").proc.returncode, 3)  # not in its grant
        self.assertEqual(self.replay("agent-a", "branch-7").proc.returncode, 0)
        self.assertIn("1 events stored", self.total_events())

    def test_with_a_token_both_the_token_and_the_certificate_must_allow_the_agent_id(self):
        with open(self.path("tokens.yaml"), "w") as f:
            f.write(self.tls + f"db: {store_location(self.path('tokens.db'))}\n"
                    "tokens:\n  agent-a: token-of-agent-a\n  agent-b: token-of-agent-b\n"
                    "access_tokens:\n  - {name: noc, role: viewer, token: token-of-the-noc}\n")
        collector = self.start_collector(extra=["--config", self.path("tokens.yaml")], name="tokens-collector",
                                         db=self.path("tokens.db"))
        self.port = collector.address.rsplit(":", 1)[1]
        # agent-b's token, agent-a's certificate: the certificate refuses.
        stolen = self.replay("agent-a", "agent-b", token="token-of-agent-b")
        self.assertEqual(stolen.proc.returncode, 3, stolen.stdout() + stolen.stderr())
        self.assertIn("(common_name 'agent-a') may not ingest as agent 'agent-b/replay-", stolen.stderr())
        # agent-a's certificate, agent-b's token as agent-a: the token refuses.
        wrong = self.replay("agent-a", "agent-a", token="token-of-agent-b")
        self.assertEqual(wrong.proc.returncode, 3, wrong.stdout() + wrong.stderr())
        self.assertIn("wrong or missing token for agent 'agent-a/replay-", wrong.stderr())
        # Both right: stored. And a certificate alone (no token) still ingests as its own id.
        self.assertEqual(self.replay("agent-a", "agent-a", token="token-of-agent-a").proc.returncode, 0)
        self.assertEqual(self.replay("agent-b", "agent-b").proc.returncode, 0)
        status = self.query("noc", "--token", "token-of-the-noc", "status")
        self.assertIn("2 events stored", status.stdout, status.stderr)

    def test_check_config_reports_a_bad_grant_at_its_line(self):
        with open(self.path("bad.yaml"), "w") as f:
            f.write(self.tls +
                    "client_certificates:\n"
                    "  identity: subject\n"
                    "  agents:\n"
                    "    - {identity: noc-console, role: viewer, agent_ids: [agent-a]}\n")
        checked = subprocess.run([COLLECTOR, "--config", self.path("bad.yaml"), "--check-config"],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
        self.assertIn("bad.yaml:5: client_certificates.identity: 'subject' is not common_name, dns_san or uri_san",
                      checked.stderr)
        self.assertIn("bad.yaml:7: client_certificates.agents[0].agent_ids: only role agent ingests",
                      checked.stderr)
