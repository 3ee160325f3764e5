"""Notifications follow an incident's life, end to end with real receivers on loopback: a burst
that comes back after its resolve pages again (firing, resolved, firing); a burst that grows
phone by phone notifies once when it crosses the critical threshold and not per phone; a
collector that dies lets its alerts expire in a real Alertmanager; a replayed archive's
incident resolves instead of staying open, listing the phones that never came back; and
PhonesStillDown fires for those phones and resolves as they come back."""
import datetime
import json
import os
import subprocess
import unittest
import urllib.request

from harness import RegwatchTestCase, free_port, store_rows, wait_for
from test_alerts import AlertingBase, open_incident_archive, shifted_archive

NOW = datetime.datetime.now


def utc_now():
    return NOW(datetime.timezone.utc)


def cucm_drop(device, n, at, node="ucm-sub1", reason=13):
    """A CUCM EndPointUnregistered line as a CUCM node sends it, stamped with `at`."""
    stamp = at.strftime("%b %d %Y %H:%M:%S.") + f"{at.microsecond // 1000:03d} UTC"
    return (f"{41000 + n}: {node}.voice.example.net: {stamp}: %UC_CALLMANAGER-3-EndPointUnregistered: "
            f"%[DeviceName={device}][IPAddress=10.40.{n // 200}.{n % 200 + 10}][Protocol=SCCP][DeviceType=115]"
            f"[Description=Desk {n}][Reason={reason}][IPAddrAttributes=0][LastSignalReceived=StationKeepAlive]"
            f"[AppID=Cisco CallManager][ClusterID=PROD][NodeID={node}]: An endpoint has unregistered")


def cucm_registered(device, n, at, node="ucm-sub1"):
    stamp = at.strftime("%b %d %Y %H:%M:%S.") + f"{at.microsecond // 1000:03d} UTC"
    return (f"{42000 + n}: {node}.voice.example.net: {stamp}: %UC_CALLMANAGER-6-EndPointRegistered: "
            f"%[DeviceName={device}][IPAddress=10.40.{n // 200}.{n % 200 + 10}][Protocol=SCCP][DeviceType=115]"
            f"[Description=Desk {n}][AppID=Cisco CallManager][ClusterID=PROD][NodeID={node}]: Endpoint registered")


def logger(port, message):
    subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(port), "--udp", "--rfc3164",
                    "--priority", "local7.err", message], check=True, timeout=10)


class LifecycleBase(AlertingBase):
    def webhook_config(self, body=""):
        path = self.path("lifecycle.yaml")
        with open(path, "w") as f:
            f.write(f"alerting:\n  group_wait_s: 1\n  group_interval_s: 2\n  retry_min_s: 1\n{body}"
                    f"  receivers:\n    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n")
        return path

    def hooks(self, alertname="RegistrationBurst"):
        return [h for h in self.receiver.posted("/hook") if h["alerts"][0]["labels"]["alertname"] == alertname]

    def incidents(self, collector):
        return json.loads(self.cli(collector.address, "incidents", "--since", "3d", "--format", "json").stdout)


class ReopenTest(LifecycleBase):
    def test_a_burst_that_comes_back_after_its_resolve_pages_again(self):
        collector = self.start(self.webhook_config("  conditions: []\n"))
        burst_at = utc_now() - datetime.timedelta(seconds=90)
        # Down, then up: 38 phones drop and register again (the switch's unrelated later line left out).
        with open(shifted_archive(self.path("down-up.log"), burst_at)) as f:
            lines = [line for line in f if "ILPOWER" not in line]
        with open(self.path("down-up.log"), "w") as f:
            f.writelines(lines)
        self.replay(collector, self.path("down-up.log"))
        first = wait_for(lambda: len(self.hooks()) >= 2 and self.hooks(), 60, what="firing then resolved")
        self.assertEqual([h["status"] for h in first], ["firing", "resolved"])
        key = first[0]["alerts"][0]["labels"]["incident"]
        # Down again, 80 s later, within the quiet period: the same burst, reopened.
        with open(shifted_archive(self.path("tmp.log"), burst_at + datetime.timedelta(seconds=80))) as f:
            drops = [line for line in f if "EndPointUnregistered" in line]
        with open(self.path("down-again.log"), "w") as f:
            f.writelines(drops)
        self.replay(collector, self.path("down-again.log"))
        hooks = wait_for(lambda: len(self.hooks()) >= 3 and self.hooks(), 60, what="the page after the resolve")
        self.assertEqual([h["status"] for h in hooks], ["firing", "resolved", "firing"])
        again = hooks[2]["alerts"][0]
        self.assertEqual(again["labels"]["incident"], key)  # the same incident, paged again
        self.assertEqual(again["annotations"]["update"], "firing again after its resolve")
        incident = self.cli(collector.address, "incident", key, "--format", "json").stdout
        record = json.loads(incident)
        self.assertEqual(record["incident"]["state"], "open")
        changes = [u["change"] for u in record["updates"]]
        self.assertIn("reopened: phones dropped again", changes)
        rows = self.outbox_rows()
        self.assertEqual([(r[1], r[2]) for r in rows if r[0] == "noc-webhook"],
                         [("firing", "first"), ("resolved", "resolved"), ("firing", "reopened")])

    def outbox_rows(self):
        return store_rows(self.path("regwatch.db"),
                          "SELECT receiver, status, reason FROM alert_outbox ORDER BY receiver, seq")


class GrowthTest(LifecycleBase):
    """A live burst of 40 phones, phone by phone over real syslog (util-linux logger): one page
    at 10 phones, nothing for each phone added, one re-notification when it turns critical at
    30, then its resolve; and the incident's updates are a handful, not one per phone."""

    def test_growth_notifies_once_when_it_crosses_the_critical_threshold(self):
        config = self.webhook_config(
            "  conditions: []\n"
            "  rules:\n"
            "    - {alert: RegistrationBurst, min_phones: 0, severity: warning, critical_min_phones: 30,"
            " critical_scopes: []}\n")
        collector = self.start(config)
        port = free_port()
        agent = self.start_agent(collector.address, agent_id="live",
                                 extra=["--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", ""])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        start = utc_now() - datetime.timedelta(seconds=40)
        phones = [f"SEP0040{n:08X}" for n in range(40)]

        def drop(n):
            logger(port, cucm_drop(phones[n], n, start + datetime.timedelta(milliseconds=500 * n)))

        def phone_count():
            found = self.incidents(collector)
            return found[0]["phone_count"] if found else 0

        for n in range(10):
            drop(n)
        page = wait_for(lambda: self.hooks(), 60, what="the first page at 10 phones")[0]
        self.assertEqual(page["alerts"][0]["labels"]["severity"], "warning")
        for n in range(10, 29):  # one by one, each correlated before the next
            drop(n)
            wait_for(lambda: phone_count() == n + 1, 30, what=f"{n + 1} phones in the incident")
        self.assertEqual(len(self.hooks()), 1)
        drop(29)  # the 30th: critical
        changed = wait_for(lambda: len(self.hooks()) >= 2 and self.hooks()[1], 60, what="the re-notification")
        self.assertEqual(changed["status"], "firing")
        self.assertEqual(changed["alerts"][0]["labels"]["severity"], "critical")
        self.assertEqual(changed["alerts"][0]["annotations"]["update"], "severity warning -> critical")
        for n in range(30, 40):
            drop(n)
            wait_for(lambda: phone_count() == n + 1, 30, what=f"{n + 1} phones in the incident")
        # Back: every phone registers; notifications of one alert are sent strictly in order, so
        # anything owed for the phones added after 30 would come before this resolve.
        for n in range(40):
            logger(port, cucm_registered(phones[n], n, utc_now()))
        wait_for(lambda: len(self.hooks()) >= 3 and self.hooks()[-1]["status"] == "resolved", 60,
                 what="the resolve")
        self.assertEqual([(h["status"], h["alerts"][0]["labels"]["severity"]) for h in self.hooks()],
                         [("firing", "warning"), ("firing", "critical"), ("resolved", "critical")])
        key = page["alerts"][0]["labels"]["incident"]
        updates = json.loads(self.cli(collector.address, "incident", key, "--format", "json").stdout)["updates"]
        # opened, doublings of the count, resolved: not one row per phone added.
        self.assertLessEqual(len(updates), 6, [u["change"] for u in updates])
        self.assertTrue(updates[0]["change"].startswith("opened"))
        self.assertEqual(updates[-1]["state"], "resolved")


class AlertmanagerExpiryTest(RegwatchTestCase):
    """Firing alerts are re-sent to a real Alertmanager with a short endsAt, so those of a collector
    killed with -9 expire there on their own instead of staying active for a day."""

    def test_a_dead_collectors_alerts_expire_in_alertmanager(self):
        port = free_port()
        with open(self.path("alertmanager.yml"), "w") as f:
            f.write("route:\n  receiver: noc\nreceivers:\n  - name: noc\n")
        am = subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={self.path('alertmanager.yml')}",
             f"--storage.path={self.path('am-data')}", f"--web.listen-address=127.0.0.1:{port}",
             "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(am.wait)
        self.addCleanup(am.kill)
        url = f"http://127.0.0.1:{port}"

        def alerts():
            try:
                with urllib.request.urlopen(url + "/api/v2/alerts", timeout=2) as reply:
                    return json.loads(reply.read())
            except OSError:
                return None

        wait_for(lambda: alerts() is not None, 30, what="Alertmanager to be ready")
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write(f"alerting:\n  conditions: []\n  group_wait_s: 1\n  resend_interval_s: 2\n"
                    f"  receivers:\n    - name: am\n      type: alertmanager\n      url: {url}\n")
        collector = self.start_collector(extra=["--config", config])
        archive = open_incident_archive(self.path("burst.log"), utc_now() - datetime.timedelta(seconds=40))
        agent = self.start_agent(collector.address, extra=["--replay-syslog", archive], agent_id="archive")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        first = wait_for(lambda: [a for a in alerts() or [] if a["status"]["state"] == "active"], 60,
                         what="the alert active in Alertmanager")[0]
        ends = datetime.datetime.fromisoformat(first["endsAt"].replace("Z", "+00:00"))
        self.assertLess(ends - utc_now(), datetime.timedelta(seconds=30))  # short, not a day
        # Re-sent while it fires: its end moves on.
        wait_for(lambda: [a for a in alerts() or [] if a["endsAt"] > first["endsAt"]], 30,
                 what="the alert re-sent with a later endsAt")
        collector.kill9()
        wait_for(lambda: not [a for a in alerts() or [] if a["status"]["state"] == "active"], 90,
                 what="the dead collector's alert to expire in Alertmanager")


class ResolutionTest(LifecycleBase):
    def test_a_replayed_incident_resolves_and_lists_the_phones_still_down(self):
        collector = self.start(self.webhook_config("  conditions: []\n"))
        # Two days old, its phones never registering again: nothing later in the archive.
        self.replay(collector, open_incident_archive(self.path("old.log"), utc_now() - datetime.timedelta(days=2)))
        incident = wait_for(lambda: [i for i in self.incidents(collector) if i["state"] == "resolved"], 60,
                            what="the replayed incident to resolve")[0]
        self.assertEqual(incident["phone_count"], 38)
        report = self.cli(collector.address, "incident", incident["id"]).stdout
        self.assertIn("**Still down:** 36 phone(s) not registered again", report)
        self.assertEqual(self.hooks(), [])  # old news: nobody paged

    def test_phones_still_down_fires_for_the_phones_that_never_came_back_and_resolves_as_they_do(self):
        collector = self.start(self.webhook_config(
            "  evaluate_every_s: 1\n  flap_hold_s: 1\n"
            "  conditions:\n"
            "    - {alert: PhonesStillDown, condition: phones_still_down, threshold: 1, window_s: 3600}\n"))
        burst_at = utc_now() - datetime.timedelta(minutes=6)  # quiet (300 s) already by the clock
        self.replay(collector, open_incident_archive(self.path("storm.log"), burst_at))
        page = wait_for(lambda: self.hooks("PhonesStillDown"), 60, what="PhonesStillDown")[0]
        alert = page["alerts"][0]
        self.assertEqual(page["status"], "firing")
        self.assertEqual(alert["labels"]["scope"], "ucm-sub1")
        self.assertIn("36 phone(s) of the burst on cm_node ucm-sub1 still not registered",
                      alert["annotations"]["summary"])
        self.assertIn("and 16 more", alert["annotations"]["description"])
        firing = json.loads(self.cli(collector.address, "alerts", "--format", "json").stdout)
        self.assertEqual([a["alertname"] for a in firing], ["PhonesStillDown"])
        # They come back: the archive's registrations after its burst, moved to the last minute.
        with open(shifted_archive(self.path("all.log"), utc_now() - datetime.timedelta(seconds=60))) as f:
            back = [line for line in f if "EndPointRegistered" in line]
        with open(self.path("back.log"), "w") as f:
            f.writelines(back)
        agent = self.start_agent(collector.address, extra=["--replay-syslog", self.path("back.log")],
                                 agent_id="back")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        resolved = wait_for(lambda: [h for h in self.hooks("PhonesStillDown") if h["status"] == "resolved"], 60,
                            what="PhonesStillDown to resolve")
        self.assertEqual(resolved[0]["alerts"][0]["labels"]["incident"], alert["labels"]["incident"])


if __name__ == "__main__":
    unittest.main()
