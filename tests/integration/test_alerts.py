"""Alerting end to end, with real receivers on loopback: a 38-phone burst (the seed-003 archive,
its times moved to a few minutes ago) makes exactly one firing and one resolved notification per
receiver: an Alertmanager-format webhook, a PagerDuty Events v2 endpoint (a local HTTP receiver)
and mail to a real SMTP server (aiosmtpd), each checked field by field. A planned restart pages
nobody, a replayed old archive pages nobody, a dead receiver does not hold the others up, and a
collector killed with -9 before delivery still delivers exactly once after its restart."""
import datetime
import json
import mailbox
import os
import subprocess
import unittest

from harness import free_port, store_rows, wait_for

from alerting_support import ARCHIVE, SYSTEM_PYTHON, shifted_archive, open_incident_archive, AlertingBase


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
        reasons = store_rows(self.path("regwatch.db"), "SELECT status, reason FROM alert_outbox ORDER BY seq")
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
        rows = store_rows(self.path("regwatch.db"), "SELECT alert_key, status FROM alert_outbox ORDER BY id")
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


if __name__ == "__main__":
    unittest.main()
