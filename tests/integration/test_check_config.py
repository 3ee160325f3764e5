"""--check-config means it: for each broken config, regwatch-collector and regwatch-agent refuse it
with --check-config, and a real start refuses it with the very same message (both run the same
checks); every problem is reported in one run, each with its file and line; a config that passes
the check starts."""
import os
import subprocess
import unittest

from harness import AGENT, COLLECTOR, RegwatchTestCase, store_location

UNSET = "REGWATCH_IT_NEVER_SET"  # an environment variable no test sets

# (name, binary, config text, what stderr must contain). {dir} is the test's directory (files
# that exist: key.pem, ca.pem, token), {missing} a path that does not exist.
CASES = [
    ("bad log level", COLLECTOR, "log_level: loud\n",
     "bad.yaml:1: log_level: unknown log level 'loud'"),
    ("missing env var", COLLECTOR,
     "alerting:\n  receivers:\n    - name: pager\n      type: pagerduty\n"
     "      url: https://events.pagerduty.com/v2/enqueue\n      routing_key_env: " + UNSET + "\n",
     "bad.yaml:6: alerting.receivers[0].routing_key_env: the environment variable " + UNSET + " is not set"),
    ("unreadable cert file", COLLECTOR,
     "tls_cert_file: {missing}/cert.pem\ntls_key_file: {dir}/key.pem\n",
     "bad.yaml:1: tls_cert_file: cannot read {missing}/cert.pem"),
    ("unreadable ca_file", COLLECTOR,
     "alerting:\n  receivers:\n    - name: mail\n      type: email\n      smtp_url: smtps://127.0.0.1:465\n"
     "      from: a@example.net\n      to: [b@example.net]\n      ca_file: {missing}/mail-ca.pem\n",
     "bad.yaml:8: alerting.receivers[0].ca_file: cannot read {missing}/mail-ca.pem"),
    ("bad URL", COLLECTOR,
     "alerting:\n  receivers:\n    - name: hook\n      type: webhook\n      url: hooks.example.net/regwatch\n",
     "bad.yaml:5: alerting.receivers[0]: url must be http://"),
    ("bad SMTP URL", COLLECTOR,
     "alerting:\n  receivers:\n    - name: mail\n      type: email\n      smtp_url: https://mail.example.net\n"
     "      from: a@example.net\n      to: [b@example.net]\n",
     "bad.yaml:5: alerting.receivers[0]: smtp_url must be smtp://HOST:PORT or smtps://HOST:PORT"),
    ("out-of-range fraction", COLLECTOR, "correlation:\n  min_fraction: 1.5\n",
     "bad.yaml:2: correlation.min_fraction: must be in (0, 1]"),
    ("negative count", COLLECTOR, "retention_days: -3\n",
     "bad.yaml:1: retention_days: must be between 0 and 4294967295"),
    ("out-of-range threshold", COLLECTOR,
     "alerting:\n  conditions:\n    - {alert: Drop, condition: registered_drop, threshold: 150}\n",
     "bad.yaml:3: alerting.conditions[0]: registered_drop's threshold is a percent below 100"),
    ("unknown key", COLLECTOR, "listen: 127.0.0.1:0\nretention_dayz: 3\n",
     "bad.yaml:2: retention_dayz: unknown key (did you mean 'retention_days'?)"),
    ("bad matcher", COLLECTOR,
     "alerting:\n  receivers:\n    - name: hook\n      type: webhook\n      url: http://127.0.0.1:9/\n"
     "      matchers: ['severity']\n",
     "bad.yaml:6: alerting.receivers[0].matchers: 'severity' is not a matcher"),
    ("bad regex", COLLECTOR,
     "alerting:\n  route:\n    receiver: hook\n    routes:\n      - receiver: hook\n"
     "        matchers: ['scope=~\"ucm-(\"']\n"
     "  receivers:\n    - name: hook\n      type: webhook\n      url: http://127.0.0.1:9/\n",
     "bad.yaml:6: alerting.route.routes[0].matchers: scope=~\"ucm-(\": not a regular expression"),
    ("label no alert carries", COLLECTOR,
     "alerting:\n  inhibit_rules:\n    - source_matchers: ['alertname=CallManagerDown']\n"
     "      target: {severty: critical}\n      equal: [cm_node]\n",
     "bad.yaml:4: alerting.inhibit_rules[0].target: no alert carries the label 'severty' "
     "(did you mean 'severity'?)"),
    ("wrong type", COLLECTOR, "query_threads: [1, 2]\n",
     "bad.yaml:1: query_threads: must be a non-negative integer"),
    ("route to nobody", COLLECTOR,
     "alerting:\n  route:\n    receiver: nobody\n",
     "bad.yaml:3: alerting.route: no receiver named 'nobody'"),
    ("YAML syntax", COLLECTOR, "listen: [127.0.0.1:0\n", "bad.yaml:"),
    ("unknown role", COLLECTOR,
     "access_tokens:\n  - {name: noc, role: admin, token: long-enough-token}\n",
     "bad.yaml:2: access_tokens[0].role: 'admin' is not agent, viewer or operator"),
    ("one token twice", COLLECTOR,
     "tokens: {edge-1: long-enough-token}\n"
     "access_tokens:\n  - {name: noc, role: operator, token: long-enough-token}\n",
     "bad.yaml:3: access_tokens[0].token: the same token is configured twice"),
    ("no silences at all", COLLECTOR, "silences:\n  max_duration_s: 0\n",
     "bad.yaml:2: silences.max_duration_s: must be >= 1"),
    ("agent: bad log level", AGENT, "log_level: chatty\n",
     "bad.yaml:1: log_level: unknown log level 'chatty'"),
    ("agent: missing token file", AGENT, "collector:\n  token_file: {missing}/token\n",
     "bad.yaml:2: collector.token_file: cannot read {missing}/token"),
    ("agent: missing CA file", AGENT, "collector:\n  tls: true\n  tls_ca_file: {missing}/ca.pem\n",
     "bad.yaml:3: collector.tls_ca_file: cannot read {missing}/ca.pem"),
    ("agent: missing SNMPv3 secret", AGENT,
     "snmp:\n  targets:\n    - address: 127.0.0.1:161\n      version: \"3\"\n      user: noc\n"
     "      auth_passphrase_file: {dir}/token\n      priv_passphrase_env: " + UNSET + "\n",
     "bad.yaml:7: snmp.targets[0].priv_passphrase_env: the environment variable " + UNSET + " is not set"),
    ("agent: plaintext metrics off loopback", AGENT, "metrics:\n  listen: 192.0.2.7:9481\n",
     "bad.yaml:2: metrics.listen: '192.0.2.7:9481' is not a loopback address"),
    ("agent: metrics cert without key", AGENT,
     "metrics:\n  listen: 192.0.2.7:9481\n  tls_cert: {dir}/key.pem\n",
     "bad.yaml:3: metrics.tls_cert: tls_cert and tls_key go together"),
    ("agent: bad metrics address", AGENT, "metrics:\n  listen: nowhere\n",
     "bad.yaml:2: metrics.listen: 'nowhere'"),
    ("agent: bad size", AGENT, "spool:\n  max_size: lots\n",
     "bad.yaml:2: spool.max_size: 'lots' is not a size"),
    ("agent: bad endpoint", AGENT, "syslog:\n  udp: nowhere\n",
     "bad.yaml:2: syslog.udp: 'nowhere' must be HOST:PORT"),
    ("agent: bad TCP connection limit", AGENT,
     "syslog:\n  tcp_idle_timeout_s: 600\n  max_tcp_connections_per_source: 5000\n",
     "bad.yaml:3: syslog.max_tcp_connections_per_source: must be 0 (no limit) to 4096"),
    ("agent: zero first-line timeout", AGENT, "syslog:\n  tcp_first_line_timeout_s: 0\n",
     "bad.yaml:2: syslog.tcp_first_line_timeout_s: must be at least 1"),
]


class CheckConfigTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        for name in ("key.pem", "ca.pem", "token"):
            with open(self.path(name), "w") as f:
                f.write("not used: only read\n")
        self.missing = self.path("no-such-dir")
        os.environ.pop(UNSET, None)

    def write(self, text):
        path = self.path("bad.yaml")
        with open(path, "w") as f:
            f.write(text.replace("{dir}", self.dir).replace("{missing}", self.missing))
        return path

    def args(self, binary, path):
        """A start with this config and nothing else to trip over: a private database (the test's
        store: SQLite or PostgreSQL) or spool. (No address flags: they would override the file's.)"""
        if binary == COLLECTOR:
            return [COLLECTOR, "--config", path, "--db", store_location(self.path("regwatch.db")), "--http", ""]
        return [AGENT, "--config", path, "--spool-dir", self.path("spool"), "--agent-id", "check"]

    def run_bin(self, args):
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            self.fail(f"{' '.join(args)} started with a config it should refuse")

    def check_and_start(self, binary, text):
        path = self.write(text)
        args = self.args(binary, path)
        checked = self.run_bin([*args, "--check-config"])
        started = self.run_bin(args)
        return checked, started

    def test_every_broken_config_is_refused_by_the_check_and_by_a_start_alike(self):
        self.assertGreaterEqual(len(CASES), 12)
        for name, binary, text, expected in CASES:
            with self.subTest(name):
                checked, started = self.check_and_start(binary, text)
                expected = expected.replace("{missing}", self.missing)
                self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
                self.assertIn(expected, checked.stderr)
                self.assertNotIn("configuration is valid", checked.stdout)
                self.assertEqual(started.returncode, 1, started.stderr)
                self.assertEqual(started.stderr, checked.stderr)  # the same words, all of them

    def test_three_errors_are_reported_in_one_run(self):
        text = ("log_level: loud\n"
                "retention_dayz: 3\n"
                "alerting:\n"
                "  receivers:\n"
                "    - name: pager\n"
                "      type: pagerduty\n"
                "      url: https://events.pagerduty.com/v2/enqueue\n"
                "      routing_key_env: " + UNSET + "\n")
        checked, started = self.check_and_start(COLLECTOR, text)
        self.assertEqual(checked.returncode, 1)
        self.assertIn("invalid configuration (3 problems)", checked.stderr)
        self.assertIn("bad.yaml:1: log_level: unknown log level 'loud'", checked.stderr)
        self.assertIn("bad.yaml:2: retention_dayz: unknown key", checked.stderr)
        self.assertIn("bad.yaml:8: alerting.receivers[0].routing_key_env: the environment variable",
                      checked.stderr)
        self.assertEqual(started.returncode, 1)
        self.assertEqual(started.stderr, checked.stderr)
        # The agent too.
        checked, started = self.check_and_start(
            AGENT, "log_level: chatty\ncollector:\n  token_file: {missing}/token\nspool:\n  max_size: lots\n")
        self.assertEqual(checked.returncode, 1)
        self.assertIn("invalid configuration (3 problems)", checked.stderr)
        for line in ("bad.yaml:1: log_level", "bad.yaml:3: collector.token_file", "bad.yaml:5: spool.max_size"):
            self.assertIn(line, checked.stderr)
        self.assertEqual(started.stderr, checked.stderr)

    def test_a_config_that_passes_the_check_starts(self):
        os.environ["REGWATCH_IT_PD_KEY"] = "it-routing-key"
        path = self.write(
            "listen: 127.0.0.1:0\n"
            "log_level: debug\n"
            "alerting:\n"
            "  external_labels: {site: lab-1}\n"
            "  receivers:\n"
            "    - name: pager\n"
            "      type: pagerduty\n"
            "      url: http://127.0.0.1:9/pd\n"
            "      routing_key_env: REGWATCH_IT_PD_KEY\n"
            "      ca_file: {dir}/ca.pem\n"
            "      matchers: ['severity=~\"critical|warning\"', 'site=lab-1', 'cm_node!=\"\"']\n"
            "  inhibit_rules:\n"
            "    - source_matchers: ['alertname=\"CallManagerDown\"']\n"
            "      target: {alertname: RegistrationBurst}\n"
            "      equal: [cm_node]\n")
        args = self.args(COLLECTOR, path)
        checked = self.run_bin([*args, "--check-config"])
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertIn("configuration is valid", checked.stdout)
        collector = self.start_collector(extra=["--config", path])
        self.assertIn("listening on", collector.stdout())
        self.assert_store_backend(collector.stderr())
        self.assertEqual(collector.terminate(), 0)

    def test_a_store_of_an_unknown_kind_is_refused_by_the_check_and_by_a_start_alike(self):
        # db: from the file alone (args() gives --db, which would override it).
        path = self.write("listen: 127.0.0.1:0\ndb: mysql://db1.example.net/regwatch\n")
        args = [COLLECTOR, "--config", path, "--http", ""]
        checked = self.run_bin([*args, "--check-config"])
        started = self.run_bin(args)
        self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
        self.assertIn("bad.yaml:2: db: unknown store backend 'mysql://'", checked.stderr)
        self.assertEqual(started.returncode, 1, started.stderr)
        self.assertEqual(started.stderr, checked.stderr)

    def test_flags_are_checked_with_the_file(self):
        path = self.write("log_level: info\n")
        checked = self.run_bin([*self.args(COLLECTOR, path), "--log-level", "loud", "--check-config"])
        self.assertEqual(checked.returncode, 1)
        self.assertIn("log_level: unknown log level 'loud'", checked.stderr)


if __name__ == "__main__":
    unittest.main()
