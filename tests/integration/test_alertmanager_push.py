"""Pushing alerts to a real Alertmanager (Debian's): firing, re-sent while firing, resolved, and
expiring by itself when the collector dies."""
import datetime
import json
import subprocess
import unittest
import urllib.request

from harness import RegwatchTestCase, free_port, wait_for

from alerting_support import open_incident_archive


class AlertmanagerTest(RegwatchTestCase):
    """Our alerts pushed into a real Prometheus Alertmanager (Debian's) and read back through its API."""

    def start_alertmanager(self):
        port = free_port()
        config = self.path("alertmanager.yml")
        with open(config, "w") as f:
            f.write("route:\n  receiver: noc\nreceivers:\n  - name: noc\n")
        self.alertmanager = subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={config}", f"--storage.path={self.path('am-data')}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(self.alertmanager.wait)
        self.addCleanup(self.alertmanager.kill)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: self.get(url + "/-/ready") is not None, 30, what="Alertmanager to be ready")
        return url

    @staticmethod
    def get(url):
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return json.loads(reply.read() or b"null") if "api" in url else reply.status
        except OSError:
            return None

    def test_alerts_arrive_in_alertmanager_with_their_labels_and_cause(self):
        url = self.start_alertmanager()
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write(f"alerting:\n  conditions: []\n  external_labels: {{site: lab-1}}\n  group_wait_s: 1\n"
                    f"  receivers:\n    - name: am\n      type: alertmanager\n"
                    f"      url: {url}/\n")
        collector = self.start_collector(extra=["--config", config])
        now = datetime.datetime.now(datetime.timezone.utc)
        archive = open_incident_archive(self.path("burst.log"), now - datetime.timedelta(seconds=40))
        agent = self.start_agent(collector.address, extra=["--replay-syslog", archive], agent_id="archive")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        alerts = wait_for(lambda: self.get(url + "/api/v2/alerts"), 60, what="the alert in Alertmanager")
        self.assertEqual(len(alerts), 1)
        alert = alerts[0]
        self.assertEqual(alert["labels"]["alertname"], "RegistrationBurst")
        self.assertEqual(alert["labels"]["scope"], "ucm-sub1")
        self.assertEqual(alert["labels"]["cause"], "cm_cpu")
        self.assertEqual(alert["labels"]["cluster"], "PROD")
        self.assertEqual(alert["labels"]["site"], "lab-1")  # external_labels
        self.assertEqual(alert["labels"]["severity"], "critical")
        self.assertIn("cm_cpu on ucm-sub1", alert["annotations"]["summary"])
        self.assertEqual(alert["status"]["state"], "active")
        self.assertEqual(alert["receivers"][0]["name"], "noc")
        incident = json.loads(self.cli(collector.address, "incidents", "--since", "1h", "--format", "json").stdout)[0]
        self.assertEqual(incident["state"], "open")
        self.assertEqual(alert["labels"]["incident"], incident["id"])


if __name__ == "__main__":
    unittest.main()
