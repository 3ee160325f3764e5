"""A real Prometheus scrapes a live agent's /metrics and the collector's: `up == 1` for both, the
counts Prometheus stored (`sum(regwatch_events_stored_total)`, the agent's lines read, spooled and
acknowledged) equal the lines `logger` sent, and `promtool check metrics` accepts both
expositions. The agent's /metrics transport rule is checked too: HTTPS with its certificate, and
plaintext off loopback refused at start."""
import json
import os
import ssl
import subprocess
import unittest
import urllib.request

from harness import RegwatchTestCase, free_port, wait_for
from prometheus_support import PROMETHEUS, PROMTOOL, Prometheus, http_get, promtool_check_metrics

LINE = ("41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.454 UTC: "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0000000{n:05d}]"
        "[IPAddress=10.60.98.210][Protocol=SIP][DeviceType=592][Description=Phone][Reason=13]"
        "[NodeID=uc-ucm-01]: An endpoint has unregistered")
LINES = 40
DASHBOARD = os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "grafana", "regwatch-dashboard.json")


@unittest.skipUnless(PROMETHEUS and PROMTOOL, "Debian's prometheus and promtool are not installed")
class PrometheusScrapeTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.http_port = free_port()
        self.collector = self.start_collector(extra=["--http", f"127.0.0.1:{self.http_port}"])
        self.syslog_port = free_port()
        self.metrics_port = free_port()
        self.agent = self.start_agent(self.collector.address, extra=[
            "--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{self.syslog_port}",
            "--metrics", f"127.0.0.1:{self.metrics_port}"])
        wait_for(lambda: "metrics for Prometheus" in self.agent.stderr(), 30,
                 what="agent to serve /metrics")

    def send_lines(self):
        with open(self.path("lines.txt"), "w") as f:
            f.write("\n".join(LINE.format(n=n) for n in range(LINES)) + "\n")
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(self.syslog_port), "--tcp",
                        "--octet-count", "--rfc3164", "--priority", "local7.err", "-f",
                        self.path("lines.txt")], check=True, timeout=30)

    def test_prometheus_scrapes_what_was_sent(self):
        jobs = {"regwatch-agent": [f"127.0.0.1:{self.metrics_port}"],
                "regwatch-collector": [f"127.0.0.1:{self.http_port}"]}
        prometheus = Prometheus(self, jobs)
        self.send_lines()
        wait_for(lambda: self.total_events(self.collector.address) >= LINES, 30, what="lines stored")
        self.assertEqual(self.total_events(self.collector.address), LINES)

        for job in jobs:
            wait_for(lambda job=job: prometheus.value(f'up{{job="{job}"}}') == 1, 60, interval=0.2,
                     what=f"up == 1 for {job}")
        # What the agent read, spooled and had acknowledged as stored, as Prometheus stored it.
        for expression in ['sum(regwatch_agent_lines_read_total)',
                           'sum(regwatch_agent_events_spooled_total{input="syslog"})',
                           'sum(regwatch_agent_acked_events_total{result="stored"})']:
            wait_for(lambda e=expression: prometheus.value(e) == LINES, 60, interval=0.2,
                     what=f"{expression} == {LINES}")
        self.assertEqual(prometheus.value('regwatch_agent_shipper_state{state="connected"}'), 1)
        self.assertEqual(prometheus.value('count(regwatch_build_info{job="regwatch-agent"})'), 1)
        # What the collector stored, by its own count.
        wait_for(lambda: prometheus.value("sum(regwatch_events_stored_total)") == LINES, 60,
                 interval=0.2, what=f"sum(regwatch_events_stored_total) == {LINES}")
        self.assertEqual(prometheus.value(
            'regwatch_events_stored_total{source="syslog",kind="phone_unregistered"}'), LINES)
        self.assertEqual(prometheus.value('count(regwatch_build_info{job="regwatch-collector"})'), 1)
        wait_for(lambda: prometheus.value(
            'regwatch_agent_last_event_timestamp_seconds{agent="test-agent"}'), 30, interval=0.2,
            what="the agent's last event time")

        # Every query of the Grafana dashboard is one this Prometheus accepts (query() fails the
        # test on an error); those on syslog, the spool, the shipper and ingest have data already
        # (SNMP, SCCP, notifications and CM counts have none in this run).
        with open(DASHBOARD) as f:
            panels = json.load(f)["panels"]
        expressions = [t["expr"] for p in panels for t in p.get("targets", [])]
        answered = sum(1 for e in expressions if prometheus.query(e))
        self.assertGreaterEqual(answered, 5)

        status, content_type, agent_metrics = http_get(f"http://127.0.0.1:{self.metrics_port}/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith("text/plain; version=0.0.4"), content_type)
        promtool_check_metrics(self, agent_metrics)
        status, _, collector_metrics = http_get(f"http://127.0.0.1:{self.http_port}/metrics")
        self.assertEqual(status, 200)
        promtool_check_metrics(self, collector_metrics)
        for name in ("regwatch_store_commit_seconds_bucket", "regwatch_ingest_batch_seconds_count",
                     "regwatch_correlation_pass_seconds_sum"):
            self.assertIn(name, collector_metrics)

    def test_metrics_over_tls_with_the_configured_certificate(self):
        cert, key = self.path("metrics-cert.pem"), self.path("metrics-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        port = free_port()
        config = self.path("agent-tls.yaml")
        with open(config, "w") as f:
            f.write(f"metrics:\n  listen: 127.0.0.1:{port}\n  tls_cert: {cert}\n  tls_key: {key}\n")
        agent = self.start_agent(self.collector.address, name="agent-tls", agent_id="tls",
                                 extra=["--config", config, "--syslog-udp", "", "--syslog-tcp", ""])
        wait_for(lambda: "metrics for Prometheus" in agent.stderr(), 30, what="agent to serve /metrics")
        context = ssl.create_default_context(cafile=cert)
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/metrics", context=context, timeout=5) as r:
            body = r.read().decode()
        self.assertIn("regwatch_build_info{", body)
        promtool_check_metrics(self, body)
        with self.assertRaises(OSError):  # plaintext is not served beside it
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()

    def test_plaintext_metrics_off_loopback_are_refused(self):
        agent = self.start_agent(self.collector.address, name="agent-exposed", agent_id="exposed",
                                 extra=["--syslog-udp", "", "--syslog-tcp", "",
                                        "--metrics", "0.0.0.0:9481"])
        self.assertEqual(agent.wait(30), 1)
        self.assertIn("metrics.listen: '0.0.0.0:9481' is not a loopback address", agent.stderr())


if __name__ == "__main__":
    unittest.main()
