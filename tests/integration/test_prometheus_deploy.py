"""deploy/prometheus and deploy/grafana are what docs/metrics.md says: promtool accepts the scrape
config and the rules, the rules' unit tests pass, and every metric the rules and the dashboard
use is one docs/metrics.md lists (so renaming a metric cannot silently blank a chart or an alert)."""
import json
import os
import re
import subprocess
import unittest

from prometheus_support import PROMTOOL

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
PROMETHEUS_DIR = os.path.join(ROOT, "deploy", "prometheus")
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "regwatch-dashboard.json")
METRICS_DOC = os.path.join(ROOT, "docs", "metrics.md")
NAME = re.compile(r"\b(regwatch_[a-z0-9_]+)")


def documented_metrics():
    with open(METRICS_DOC) as f:
        names = set(re.findall(r"`(regwatch_[a-z0-9_]+)`", f.read()))
    # A histogram's series: its _bucket, _sum and _count.
    return names | {n + s for n in names for s in ("_bucket", "_sum", "_count")}


@unittest.skipUnless(PROMTOOL, "Debian's promtool is not installed")
class PrometheusDeployTest(unittest.TestCase):
    def promtool(self, *args):
        result = subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_scrape_config_is_valid(self):
        self.promtool("check", "config", "prometheus.yml")

    def test_rules_are_valid_and_fire_when_they_should(self):
        self.promtool("check", "rules", "regwatch-rules.yml")
        self.promtool("test", "rules", "regwatch-rules.test.yml")

    def test_rules_and_dashboard_use_only_documented_metrics(self):
        documented = documented_metrics()
        with open(os.path.join(PROMETHEUS_DIR, "regwatch-rules.yml")) as f:
            used = set(NAME.findall(f.read()))
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        expressions = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        self.assertGreater(len(expressions), 10)
        for expression in expressions:
            used |= set(NAME.findall(expression))
        self.assertFalse(used - documented, "not in docs/metrics.md")


if __name__ == "__main__":
    unittest.main()
