"""Condition alerts end to end (CM heartbeat low, CPU pegged, phones stuck failing, agents and
sources gone silent) and their grouping per receiver, with real receivers on loopback."""
import datetime
import json
import subprocess
import unittest

from harness import free_port, wait_for

from alerting_support import shifted_archive, open_incident_archive, AlertingBase


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


if __name__ == "__main__":
    unittest.main()
