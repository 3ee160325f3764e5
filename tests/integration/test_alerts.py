"""Alerting end to end, with real receivers on loopback: a 38-phone burst (the seed-003 archive,
its times moved to a few minutes ago) makes exactly one firing and one resolved notification per
receiver: an Alertmanager-format webhook, a PagerDuty Events v2 endpoint (a local HTTP receiver)
and mail to a real SMTP server (aiosmtpd), each checked field by field. A planned restart pages
nobody, a replayed old archive pages nobody, a dead receiver does not hold the others up, and a
collector killed with -9 before delivery still delivers exactly once after its restart."""
import datetime
import http.server
import json
import mailbox
import os
import re
import sqlite3
import subprocess
import threading
import unittest
import urllib.request

from harness import RegwatchTestCase, free_port, wait_for

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-aiosmtpd is installed
BURST_START = datetime.datetime(2026, 11, 20, 9, 14, 20, tzinfo=datetime.timezone.utc)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def shifted_archive(path, burst_at, planned=False):
    """The archive with its CUCM and syslog times moved so the burst starts at burst_at."""
    delta = burst_at - BURST_START

    def header(m):
        t = datetime.datetime(2026, MONTHS.index(m[1]) + 1, int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                              tzinfo=datetime.timezone.utc) + delta
        return f"{MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"

    def cucm(m):
        t = datetime.datetime(int(m[3]), MONTHS.index(m[1]) + 1, int(m[2]), int(m[4]), int(m[5]), int(m[6]),
                              int(m[7]) * 1000, tzinfo=datetime.timezone.utc) + delta
        return f"{MONTHS[t.month - 1]} {t.day} {t.year} {t:%H:%M:%S}.{t.microsecond // 1000:03d} UTC"

    out = []
    with open(ARCHIVE) as f:
        for line in f:
            line = re.sub(r"^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)", header, line)
            line = re.sub(r"(\w{3}) (\d+) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) UTC", cucm, line)
            if planned:
                line = line.replace("[Reason=13]", "[Reason=9]")
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)
    return path


def open_incident_archive(path, burst_at):
    """The burst with its phones never registering again: the incident stays open."""
    shifted_archive(path, burst_at)
    with open(path) as f:
        lines = [line for line in f if "EndPointRegistered" not in line or "Desk 0]" in line or "Desk 1]" in line]
    with open(path, "w") as f:
        f.writelines(lines)
    return path


class Receiver(http.server.ThreadingHTTPServer):
    """Records every POST (path, JSON body) and answers 202 like PagerDuty."""

    def __init__(self):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.posts.append((self.path, json.loads(body), self.headers.get("Content-Type")))
                self.send_response(202)
                self.end_headers()
                self.wfile.write(b'{"status":"success"}')

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def posted(self, path):
        with self.lock:
            return [body for p, body, _ in self.posts if p == path]


class AlertingBase(RegwatchTestCase):
    """Real receivers on loopback: an HTTP receiver for webhook and PagerDuty, an SMTP server."""

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.server_close)
        self.addCleanup(self.receiver.shutdown)
        self.maildir = self.path("maildir")
        self.smtp_port = free_port()
        self.smtp = subprocess.Popen(
            [SYSTEM_PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self.smtp.wait)
        self.addCleanup(self.smtp.kill)
        self.addCleanup(self.smtp.stderr.close)
        wait_for(lambda: os.path.isdir(os.path.join(self.maildir, "new")), 15, what="the SMTP server")

    def config(self, group_wait_s=1, dead_receiver=False):
        receivers = [
            f"""    - name: noc-webhook
      type: webhook
      url: {self.receiver.url('/hook')}""",
            f"""    - name: pager
      type: pagerduty
      url: {self.receiver.url('/pd')}
      routing_key_env: REGWATCH_TEST_PD_KEY""",
            f"""    - name: noc-mail
      type: email
      smtp_url: smtp://127.0.0.1:{self.smtp_port}
      starttls: false
      from: regwatch@example.net
      to: [noc@example.net, oncall@example.net]""",
        ]
        if dead_receiver:  # nothing listens there: every attempt fails
            receivers.insert(0, f"""    - name: dead
      type: webhook
      url: http://127.0.0.1:{free_port()}/hook
      timeout_s: 2""")
        path = self.path("collector.yaml")
        with open(path, "w") as f:
            f.write("alerting:\n  conditions: []\n  external_labels: {site: lab-1}\n  group_wait_s: %d\n  retry_min_s: 1\n  receivers:\n%s\n"
                    % (group_wait_s, "\n".join(receivers)))
        return path

    def start(self, config, db=None, name="collector"):
        os.environ["REGWATCH_TEST_PD_KEY"] = "test-routing-key-0123456789"
        return self.start_collector(extra=["--config", config], db=db, name=name)

    def replay(self, collector, archive):
        agent = self.start_agent(collector.address, extra=["--replay-syslog", archive], agent_id="archive")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

    def mails(self):
        return list(mailbox.Maildir(self.maildir, create=False))

    def outbox(self):
        with sqlite3.connect(self.path("regwatch.db")) as db:
            return db.execute("SELECT receiver, status, delivered_us IS NOT NULL, attempts, last_error "
                              "FROM alert_outbox ORDER BY receiver, status").fetchall()


class AlertingTest(AlertingBase):
    def test_one_burst_pages_once_with_its_cause_then_resolves(self):
        collector = self.start(self.config())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3)))
        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) == 2 and self.receiver.posted("/hook"), 60,
                         what="the firing and resolved webhooks")
        incident = json.loads(self.cli(collector.address, "incidents", "--since", "1h", "--format", "json").stdout)[0]
        firing, resolved = hooks
        # Alertmanager webhook, version 4.
        self.assertEqual(firing["version"], "4")
        self.assertEqual(firing["status"], "firing")
        self.assertEqual(firing["receiver"], "noc-webhook")
        self.assertEqual(len(firing["alerts"]), 1)
        alert = firing["alerts"][0]
        self.assertEqual(alert["status"], "firing")
        self.assertEqual(alert["labels"]["alertname"], "RegistrationBurst")
        self.assertEqual(alert["labels"]["severity"], "critical")  # a whole CM node
        self.assertEqual(alert["labels"]["scope"], "ucm-sub1")
        self.assertEqual(alert["labels"]["cause"], "cm_cpu")
        self.assertEqual(alert["labels"]["cluster"], "PROD")
        self.assertEqual(alert["labels"]["site"], "lab-1")  # external_labels
        self.assertEqual(alert["labels"]["incident"], incident["id"])
        self.assertEqual(alert["annotations"]["summary"], "38 phones unregistered on cm_node ucm-sub1: cm_cpu on ucm-sub1")
        self.assertEqual(alert["annotations"]["command"], f"regwatch incident '{incident['id']}'")
        self.assertIn("CallProcessingNodeCpuPegging", alert["annotations"]["description"])
        self.assertEqual(alert["endsAt"], "0001-01-01T00:00:00Z")
        self.assertRegex(alert["fingerprint"], r"^[0-9a-f]{16}$")
        for key in ("groupKey", "truncatedAlerts", "groupLabels", "commonLabels", "commonAnnotations", "externalURL"):
            self.assertIn(key, firing)
        self.assertEqual(resolved["status"], "resolved")
        self.assertEqual(resolved["alerts"][0]["endsAt"], incident["end_time"])
        # PagerDuty Events v2: trigger then resolve, one dedup key.
        pages = wait_for(lambda: len(self.receiver.posted("/pd")) == 2 and self.receiver.posted("/pd"), 30,
                         what="the PagerDuty trigger and resolve")
        trigger, resolve = pages
        self.assertEqual(trigger["event_action"], "trigger")
        self.assertEqual(trigger["routing_key"], "test-routing-key-0123456789")
        self.assertEqual(trigger["dedup_key"], incident["id"])
        self.assertEqual(trigger["payload"]["severity"], "critical")
        self.assertLessEqual(len(trigger["payload"]["summary"]), 1024)
        self.assertIn("cm_cpu", trigger["payload"]["summary"])
        self.assertEqual(trigger["payload"]["custom_details"]["phones"], 38)
        self.assertEqual(resolve, {"routing_key": "test-routing-key-0123456789", "event_action": "resolve",
                                   "dedup_key": incident["id"]})
        # Mail through a real SMTP server, to both recipients.
        mails = wait_for(lambda: len(self.mails()) == 2 and self.mails(), 30, what="two mails")
        subjects = sorted(m["Subject"] for m in mails)
        self.assertEqual(subjects, [
            "[regwatch] CRITICAL: 38 phones unregistered on cm_node ucm-sub1: cm_cpu on ucm-sub1",
            "[regwatch] RESOLVED: 38 phones unregistered on cm_node ucm-sub1: cm_cpu on ucm-sub1"])
        first = next(m for m in mails if "CRITICAL" in m["Subject"])
        self.assertEqual(first["To"], "noc@example.net, oncall@example.net")
        self.assertEqual(first["X-RcptTo"], "noc@example.net, oncall@example.net")  # the envelope
        parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in first.walk()
                 if not p.is_multipart()}
        self.assertIn(f"regwatch incident '{incident['id']}'", parts["text/plain"])
        self.assertIn("<b>cm_cpu</b> on ucm-sub1", parts["text/html"])
        # Exactly once: all six delivered, on the first attempt; a restart owes nothing new.
        self.assertEqual([row[:4] for row in self.outbox()], [
            ("noc-mail", "firing", 1, 1), ("noc-mail", "resolved", 1, 1),
            ("noc-webhook", "firing", 1, 1), ("noc-webhook", "resolved", 1, 1),
            ("pager", "firing", 1, 1), ("pager", "resolved", 1, 1)])
        collector.terminate()
        again = self.start(self.config(), name="collector-again")
        wait_for(lambda: "alerting to 3 receiver(s)" in again.stdout() + again.stderr(), 30, what="alerting")
        self.assertEqual(len(self.outbox()), 6)
        self.assertEqual(len(self.receiver.posted("/hook")), 2)

    def test_planned_restarts_and_old_archives_page_nobody(self):
        collector = self.start(self.config())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("planned.log"), now - datetime.timedelta(minutes=3),
                                               planned=True))
        incidents = wait_for(lambda: json.loads(self.cli(collector.address, "incidents", "--since", "1h",
                                                         "--format", "json").stdout), 30, what="the incident")
        self.assertEqual(incidents[0]["class"], "planned")
        # The seed archive as it is, three days old: a postmortem replay, not news.
        self.replay(collector, ARCHIVE)
        wait_for(lambda: "(a replay?): not notified" in collector.stdout() + collector.stderr(), 30,
                 what="the replayed incident to be passed over")
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.receiver.posts, [])
        self.assertEqual(self.mails(), [])

    def test_a_silence_keeps_the_burst_from_paging_and_can_be_listed_and_expired(self):
        collector = self.start(self.config())
        made = json.loads(self.cli(collector.address, "silence", "add", "--match", 'scope=~"ucm-sub[0-9]"',
                                   "--match", "alertname=RegistrationBurst", "--match", "severity!=info",
                                   "--for", "2h",
                                   "--comment", "CHG0042 CUCM patching", "--author", "noc-anna",
                                   "--format", "json").stdout)[0]
        self.assertEqual(made["state"], "active")
        self.assertEqual(made["matchers"], [{"name": "scope", "type": "=~", "value": "ucm-sub[0-9]"},
                                            {"name": "alertname", "type": "=", "value": "RegistrationBurst"},
                                            {"name": "severity", "type": "!=", "value": "info"}])
        self.assertEqual(made["author"], "noc-anna")
        listed = self.cli(collector.address, "silence", "list").stdout
        self.assertIn(made["id"], listed)
        self.assertIn('scope=~"ucm-sub[0-9]",alertname="RegistrationBurst",severity!="info"', listed)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3)))
        wait_for(lambda: f"silenced by {made['id']}" in collector.stdout() + collector.stderr(), 30,
                 what="the burst to be silenced")
        self.assertEqual(self.outbox(), [])
        self.assertEqual(self.receiver.posts, [])
        self.assertEqual(self.mails(), [])
        # Expired now: it leaves the list, stays in --all.
        expired = json.loads(self.cli(collector.address, "silence", "expire", made["id"], "--format",
                                      "json").stdout)[0]
        self.assertEqual(expired["state"], "expired")
        self.assertEqual(self.cli(collector.address, "silence", "list").stdout, "no silences\n")
        self.assertIn(made["id"], self.cli(collector.address, "silence", "list", "--all").stdout)
        # Clear errors for what cannot be a silence.
        bad = self.cli(collector.address, "silence", "add", "--match", "scope", "--for", "1h",
                       "--comment", "x", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("LABEL=VALUE", bad.stderr)
        typo = self.cli(collector.address, "silence", "add", "--match", "scoep=ucm-sub1", "--for", "1h",
                        "--comment", "x", check=False)
        self.assertNotEqual(typo.returncode, 0)
        self.assertIn("did you mean 'scope'?", typo.stderr)
        site = self.cli(collector.address, "silence", "add", "--match", "site=lab-1", "--for", "1h",
                        "--comment", "an external label is an alert label", check=False)
        self.assertEqual(site.returncode, 0, site.stderr)
        missing = self.cli(collector.address, "silence", "expire", "nope", check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("no silence 'nope'", missing.stderr)

    def test_mail_over_starttls_verifies_the_server_certificate(self):
        cert, key = self.path("smtp-cert.pem"), self.path("smtp-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        maildir, port = self.path("tls-maildir"), free_port()
        tls_smtp = subprocess.Popen(  # STARTTLS required before any mail
            [SYSTEM_PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "--tlscert", cert, "--tlskey", key,
             "-c", "aiosmtpd.handlers.Mailbox", maildir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(tls_smtp.wait)
        self.addCleanup(tls_smtp.kill)
        wait_for(lambda: os.path.isdir(os.path.join(maildir, "new")), 15, what="the TLS SMTP server")
        config = self.path("tls.yaml")
        with open(config, "w") as f:
            f.write(f"""alerting:
  conditions: []
  group_wait_s: 1
  retry_min_s: 1
  receivers:
    - name: trusted
      type: email
      smtp_url: smtp://127.0.0.1:{port}
      starttls: true
      ca_file: {cert}
      from: regwatch@example.net
      to: [noc@example.net]
    - name: untrusted
      type: email
      smtp_url: smtp://127.0.0.1:{port}
      starttls: true
      from: regwatch@example.net
      to: [noc@example.net]
""")
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3)))
        mails = wait_for(lambda: len(list(mailbox.Maildir(maildir, create=False))) == 2
                         and list(mailbox.Maildir(maildir, create=False)), 60, what="two mails over STARTTLS")
        self.assertEqual(sorted(m["Subject"].split(":")[0] for m in mails),
                         ["[regwatch] CRITICAL", "[regwatch] RESOLVED"])
        # Without the CA the server's certificate is refused: nothing sent, the failure counted.
        untrusted = wait_for(lambda: [r for r in self.status(collector.address)["receivers"]
                                      if r["receiver"] == "untrusted" and r["failed_attempts"] >= 1], 30,
                             what="the untrusted receiver's failure")[0]
        self.assertEqual(untrusted["delivered"], 0)
        self.assertRegex(untrusted["last_error"].lower(), "certificate|ssl|tls")

    def test_an_incident_still_open_is_paged_again_after_the_repeat_interval(self):
        config = self.path("repeat.yaml")
        with open(config, "w") as f:
            f.write(f"alerting:\n  conditions: []\n  group_wait_s: 1\n  repeat_interval_s: 3\n  receivers:\n"
                    f"    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n")
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, open_incident_archive(self.path("open.log"), now - datetime.timedelta(seconds=40)))
        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) >= 2 and self.receiver.posted("/hook"), 30,
                         what="the page and its repeat")
        self.assertEqual([h["status"] for h in hooks[:2]], ["firing", "firing"])
        self.assertEqual(hooks[0]["groupLabels"], hooks[1]["groupLabels"])  # the same incident
        with sqlite3.connect(self.path("regwatch.db")) as db:
            reasons = db.execute("SELECT status, reason FROM alert_outbox ORDER BY seq").fetchall()
        self.assertEqual(reasons[:2], [("firing", "first"), ("firing", "repeat")])

    def test_an_incident_moved_by_late_events_keeps_its_one_page_and_resolves_it(self):
        config = self.path("webhook.yaml")
        with open(config, "w") as f:
            f.write(f"alerting:\n  conditions: []\n  group_wait_s: 1\n  receivers:\n"
                    f"    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n")
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        with open(shifted_archive(self.path("all.log"), now - datetime.timedelta(minutes=3))) as f:
            lines = f.readlines()
        drops = [i for i, line in enumerate(lines) if "EndPointUnregistered" in line]
        late = set(drops[:6])  # the burst's first drops, held up in another agent's spool
        first_drop = drops[0]
        back = {i for i, line in enumerate(lines) if "EndPointRegistered" in line and i > first_drop}

        def write(name, keep):
            with open(self.path(name), "w") as f:
                f.writelines(line for i, line in enumerate(lines) if keep(i))
            return self.path(name)

        self.replay(collector, write("first.log", lambda i: i not in late and i not in back))
        page = wait_for(lambda: self.receiver.posted("/hook"), 60, what="the first page")[0]
        first_id = page["alerts"][0]["labels"]["incident"]

        agent = self.start_agent(collector.address, extra=["--replay-syslog", write("late.log", lambda i: i in late)],
                                 agent_id="late-spool")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

        def moved():
            listed = json.loads(self.cli(collector.address, "incidents", "--format", "json").stdout)
            return len(listed) == 1 and listed[0]["id"] != first_id and listed[0]
        incident = wait_for(moved, 60, what="the incident recomputed with the late drops")
        self.assertEqual(incident["phone_count"], 38)
        self.assertLess(incident["start_time"], page["alerts"][0]["startsAt"])
        # The id on the page still finds it, with how it evolved.
        shown = self.cli(collector.address, "incident", first_id, "--format", "json")
        self.assertIn(f"is now '{incident['id']}'", shown.stderr)
        view = json.loads(shown.stdout)
        self.assertEqual(view["incident"]["id"], incident["id"])
        self.assertEqual(view["first_id"], first_id)
        changes = [u["change"] for u in view["updates"]]
        self.assertTrue(changes[0].startswith("opened: 32 phones on cm_node ucm-sub1"), changes)
        self.assertIn("32 -> 38 phones; first drop moved (late events)", changes)
        markdown = self.cli(collector.address, "incident", incident["id"]).stdout
        self.assertIn(f"**First reported as:** {first_id}", markdown)

        agent = self.start_agent(collector.address, extra=["--replay-syslog", write("back.log", lambda i: i in back)],
                                 agent_id="returning")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) >= 2 and self.receiver.posted("/hook"), 60,
                         what="the resolve")
        self.assertEqual([h["status"] for h in hooks], ["firing", "resolved"])  # never a second page
        self.assertEqual(hooks[1]["alerts"][0]["labels"]["incident"], first_id)
        with sqlite3.connect(self.path("regwatch.db")) as db:
            rows = db.execute("SELECT alert_key, status FROM alert_outbox ORDER BY id").fetchall()
        self.assertEqual(rows, [(first_id, "firing"), (first_id, "resolved")])

    def test_a_dead_receiver_does_not_hold_up_the_others(self):
        collector = self.start(self.config(dead_receiver=True))
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3)))
        wait_for(lambda: len(self.receiver.posted("/hook")) == 2, 60, what="the live webhook's deliveries")
        dead = wait_for(lambda: [r for r in self.outbox() if r[0] == "dead" and r[3] >= 2], 30,
                        what="retries to the dead receiver")
        self.assertFalse(dead[0][2])  # never delivered, still owed
        self.assertIn("127.0.0.1", dead[0][4])
        self.assertIn("failed (attempt", collector.stdout() + collector.stderr())
        # Every failure is counted where the NOC looks: regwatch status.
        receivers = {r["receiver"]: r for r in self.status(collector.address)["receivers"]}
        self.assertGreaterEqual(receivers["dead"]["failed_attempts"], 2)
        self.assertEqual(receivers["dead"]["delivered"], 0)
        self.assertIn("127.0.0.1", receivers["dead"]["last_error"])
        self.assertEqual(receivers["noc-webhook"]["delivered"], 2)
        self.assertEqual(receivers["noc-webhook"]["failed_attempts"], 0)
        self.assertIn("receiver dead: 0 delivered", self.cli(collector.address, "status").stdout)

    def test_killed_before_delivery_still_delivers_once_after_the_restart(self):
        config = self.config(group_wait_s=4)
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3)))
        wait_for(lambda: "notification owed to noc-webhook" in collector.stdout() + collector.stderr(), 30,
                 what="the notification to be queued")
        self.assertEqual(self.receiver.posted("/hook"), [])  # still within group_wait
        collector.kill9()
        again = self.start(config, name="collector-again")
        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) >= 2 and self.receiver.posted("/hook"), 60,
                         what="delivery after the restart")
        self.assertEqual([h["status"] for h in hooks], ["firing", "resolved"])
        self.assertEqual(len([r for r in self.outbox() if r[0] == "noc-webhook"]), 2)
        wait_for(lambda: all(r[2] for r in self.outbox()), 30, what="every receiver's deliveries")
        self.assertEqual(len(self.outbox()), 6)
        again.terminate()


class ConditionAlertTest(AlertingBase):
    """Condition alerts (alerts/condition_rules.h) through real inputs: they page on their own,
    one inhibits a burst's page until it resolves, an agent that goes away is paged and resolved,
    and a scope that keeps bursting is damped."""

    def webhook_config(self, body):
        path = self.path("conditions.yaml")
        with open(path, "w") as f:
            f.write(f"alerting:\n  group_wait_s: 1\n  retry_min_s: 1\n  evaluate_every_s: 1\n  flap_hold_s: 1\n{body}"
                    f"  receivers:\n    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n")
        return path

    def hooks(self):
        return [(h["alerts"][0]["labels"]["alertname"], h["status"], h["alerts"][0]["labels"])
                for h in self.receiver.posted("/hook")]

    def test_a_pegged_cpu_pages_and_holds_back_the_burst_it_explains_until_it_resolves(self):
        config = self.webhook_config(
            "  conditions:\n"
            "    - {alert: CallManagerCpuPegging, condition: cm_cpu, severity: critical, window_s: 60}\n"
            "    - {alert: CallManagerHeartbeatLow, condition: heartbeat_low, severity: critical, window_s: 60}\n"
            "  inhibit_rules:\n"
            "    - {source: {alertname: CallManagerCpuPegging}, target: {alertname: RegistrationBurst}, equal: [cm_node]}\n")
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        # The archive's CPU pegging alert lands 40 s ago, its heartbeat report 28 s ago, the burst 20 s ago.
        self.replay(collector, open_incident_archive(self.path("open.log"), now - datetime.timedelta(seconds=20)))
        burst_page = wait_for(lambda: next((h for h in self.hooks() if h[0] == "RegistrationBurst"), None), 120,
                              what="the burst's page once the CPU alert resolved")
        got = self.hooks()
        names = [(name, status) for name, status, _ in got]
        self.assertIn(("CallManagerCpuPegging", "firing"), names)
        self.assertIn(("CallManagerHeartbeatLow", "firing"), names)
        cpu = next(labels for name, status, labels in got if name == "CallManagerCpuPegging")
        self.assertEqual(cpu["cm_node"], "ucm-sub1")
        self.assertEqual(cpu["severity"], "critical")
        # Held while the CPU alert fired: the burst is paged only after it resolved.
        self.assertLess(names.index(("CallManagerCpuPegging", "resolved")), names.index(("RegistrationBurst", "firing")))
        self.assertEqual(burst_page[2]["cm_node"], "ucm-sub1")
        self.assertIn("inhibited by CallManagerCpuPegging", collector.stdout() + collector.stderr())
        cpu_alert = next(h["alerts"][0] for h in self.receiver.posted("/hook")
                         if h["alerts"][0]["labels"]["alertname"] == "CallManagerCpuPegging")
        self.assertEqual(cpu_alert["annotations"]["summary"],
                         "CPU pegged on ucm-sub1: CallProcessingNodeCpuPegging (100 %)")
        self.assertIn("regwatch events --kind cpu_pegging", cpu_alert["annotations"]["command"])

    def test_an_agent_that_goes_away_is_paged_and_resolved_when_it_is_back(self):
        config = self.webhook_config("  conditions:\n"
                                     "    - {alert: AgentSilent, condition: agent_silent, threshold: 2}\n")
        collector = self.start(config)
        port = free_port()
        listen = ["--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", ""]
        agent = self.start_agent(collector.address, extra=listen, agent_id="edge-1")
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(port), "--udp", "--rfc3164",
                        "%SYS-5-CONFIG_I: Configured from console by admin"], check=True, timeout=10)
        wait_for(lambda: self.events(collector.address, "--kind", "syslog_other"), 30, what="a live event")
        self.assertEqual(self.hooks(), [])  # connected: not silent however quiet
        self.assertEqual(agent.terminate(), 0)
        page = wait_for(lambda: self.hooks(), 30, what="the agent-silent page")[0]
        self.assertEqual(page[:2], ("AgentSilent", "firing"))
        self.assertEqual(page[2]["agent"], "edge-1")
        firing = json.loads(self.cli(collector.address, "alerts", "--format", "json").stdout)
        self.assertEqual([(a["alertname"], a["state"], a["labels"]) for a in firing],
                         [("AgentSilent", "firing", {"agent": "edge-1"})])
        table = self.cli(collector.address, "alerts").stdout
        self.assertIn("agent=edge-1", table)
        self.assertIn("check first: Check the agent's host", table)
        self.start_agent(collector.address, extra=listen, agent_id="edge-1", name="agent-again")
        resolved = wait_for(lambda: len(self.hooks()) >= 2 and self.hooks(), 30, what="the resolve")
        self.assertEqual(resolved[1][:2], ("AgentSilent", "resolved"))
        self.assertEqual(self.cli(collector.address, "alerts").stdout, "no alerts firing\n")
        ended = json.loads(self.cli(collector.address, "alerts", "--all", "--format", "json").stdout)
        self.assertEqual([a["state"] for a in ended], ["resolved"])

    def test_a_scope_that_keeps_bursting_is_paged_once_within_the_flap_window(self):
        config = self.webhook_config("  conditions: []\n  flap_max_pages: 1\n")
        collector = self.start(config)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.replay(collector, shifted_archive(self.path("earlier.log"), now - datetime.timedelta(minutes=30)))
        wait_for(lambda: self.hooks(), 60, what="the first burst's page")
        agent = self.start_agent(collector.address, agent_id="again", extra=[
            "--replay-syslog", shifted_archive(self.path("later.log"), now - datetime.timedelta(minutes=3))])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        wait_for(lambda: "(flapping)" in collector.stdout() + collector.stderr(), 60, what="the damped second burst")
        incidents = json.loads(self.cli(collector.address, "incidents", "--format", "json").stdout)
        self.assertEqual([i["scope"]["name"] for i in incidents], ["ucm-sub1", "ucm-sub1"])
        firing = [h for h in self.hooks() if h[1] == "firing"]
        self.assertEqual(len(firing), 1)
        self.assertEqual(firing[0][2]["incident"], incidents[1]["id"])  # the earlier one
        # The last page its scope may send says so.
        page = next(h for h in self.receiver.posted("/hook") if h["status"] == "firing")
        self.assertIn("the last page for this scope", page["alerts"][0]["annotations"]["flapping"])


class GroupingTest(AlertingBase):
    def test_bursts_of_one_group_share_a_notification_and_the_next_waits_for_the_group_interval(self):
        path = self.path("grouping.yaml")
        with open(path, "w") as f:
            f.write(f"alerting:\n  conditions: []\n  group_wait_s: 3\n  group_interval_s: 6\n  receivers:\n"
                    f"    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n"
                    f"      group_by: [alertname]\n")
        collector = self.start(path)
        now = datetime.datetime.now(datetime.timezone.utc)

        def on_node(name, node, prefix, net):
            """The open burst archive moved to another cluster's CM node, other phones, another network."""
            with open(open_incident_archive(self.path(name), now - datetime.timedelta(minutes=2))) as f:
                text = f.read()
            with open(self.path(name), "w") as f:
                f.write(text.replace("ucm-sub1", node).replace("SEP0017", prefix).replace("10.20.", net)
                        .replace("ClusterID=PROD", f"ClusterID=PROD-{node}"))
            return self.path(name)

        agent = self.start_agent(collector.address, agent_id="two-nodes", extra=[
            "--replay-syslog", on_node("a.log", "ucm-sub1", "SEP0017", "10.20."),
            "--replay-syslog", on_node("b.log", "ucm-sub2", "SEP0027", "10.21.")])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        first = wait_for(lambda: self.receiver.posted("/hook"), 60, what="the grouped notification")[0]
        first_at = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(first["groupLabels"], {"alertname": "RegistrationBurst"})
        self.assertEqual(first["groupKey"], '{}:{alertname="RegistrationBurst"}')
        self.assertEqual(sorted(a["labels"]["scope"] for a in first["alerts"]), ["ucm-sub1", "ucm-sub2"])
        self.assertEqual(first["commonLabels"]["alertname"], "RegistrationBurst")
        self.assertNotIn("scope", first["commonLabels"])  # not shared

        agent = self.start_agent(collector.address, agent_id="third-node", extra=[
            "--replay-syslog", on_node("c.log", "ucm-sub3", "SEP0037", "10.22.")])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) >= 2 and self.receiver.posted("/hook"), 60,
                         what="the group's next notification")
        waited = datetime.datetime.now(datetime.timezone.utc) - first_at
        self.assertEqual([a["labels"]["scope"] for a in hooks[1]["alerts"]], ["ucm-sub3"])
        self.assertGreaterEqual(waited.total_seconds(), 5)  # group_interval 6 s, measured from after the first
        self.assertEqual(len(self.receiver.posted("/hook")), 2)


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
