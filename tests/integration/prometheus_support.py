"""A real Prometheus (Debian's `prometheus`) for the tests: started on a free loopback port with a
scrape config of the test's own and a temporary storage directory, queried over its HTTP API,
stopped at teardown with the test's other processes. Only loopback traffic."""
import json
import os
import shutil
import subprocess
import urllib.parse
import urllib.request

from harness import Process, free_port, wait_for

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode()


def promtool_check_metrics(test, exposition):
    """Fails the test unless `promtool check metrics` accepts the exposition (lint included)."""
    result = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition, capture_output=True,
                            text=True, timeout=60)
    test.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class Prometheus:
    """jobs: {job name: [HOST:PORT, ...]}, scraped every second at /metrics over HTTP."""

    def __init__(self, test, jobs):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = test.path("prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n")
            for job, targets in jobs.items():
                listed = ", ".join(f"'{t}'" for t in targets)
                f.write(f"  - job_name: {job}\n    static_configs:\n      - targets: [{listed}]\n")
        storage = test.path("prometheus-data")
        os.makedirs(storage, exist_ok=True)
        self.process = Process([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={storage}",
                                f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                               test.dir, "prometheus")
        test.processes.append(self.process)
        wait_for(self._ready, 60, interval=0.2, what="prometheus to be ready")

    def _ready(self):
        if self.process.proc.poll() is not None:
            raise AssertionError(f"prometheus exited {self.process.proc.returncode}: {self.process.stderr()}")
        try:
            return http_get(self.url + "/-/ready")[0] == 200
        except OSError:
            return False

    def query(self, expression):
        """The instant vector of an expression: [(labels, float value), ...]."""
        url = self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expression})
        body = json.loads(http_get(url)[2])
        if body.get("status") != "success":
            raise AssertionError(f"query {expression}: {body}")
        return [(r["metric"], float(r["value"][1])) for r in body["data"]["result"]]

    def value(self, expression):
        """The single value of an expression, or None while it has none."""
        result = self.query(expression)
        return result[0][1] if len(result) == 1 else None
