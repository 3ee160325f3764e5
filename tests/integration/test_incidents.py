"""Correlation end to end: an archived CPU-spike burst (seed 003) replayed through an agent
becomes one incident at the collector, scoped to the CUCM node, with the CPU alarm as its top
cause and the alarm's stored event as evidence; the same archive split between two agents
gives the same incident."""
import json
import os
import unittest

from harness import RegwatchTestCase, wait_for

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")


class IncidentTest(RegwatchTestCase):
    def incidents(self, collector):
        out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z", "--format", "json").stdout
        return json.loads(out)

    def replay(self, collector, path, agent_id):
        agent = self.start_agent(collector.address, extra=["--replay-syslog", path], agent_id=agent_id)
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

    def test_cpu_spike_burst_is_one_incident_with_the_cpu_first(self):
        collector = self.start_collector()
        self.replay(collector, ARCHIVE, "archive")
        incidents = wait_for(lambda: self.incidents(collector), 30, what="the incident")
        self.assertEqual(len(incidents), 1)
        i = incidents[0]
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-sub1"})
        self.assertEqual(i["class"], "infrastructure")
        self.assertEqual(i["phone_count"], 38)
        self.assertEqual(i["state"], "resolved")
        top = i["causes"][0]
        self.assertEqual(top["kind"], "cm_cpu")
        self.assertEqual(top["subject"], "ucm-sub1")
        pegging = self.events(collector.address, "--kind", "cpu_pegging")
        self.assertEqual(len(pegging), 1)
        self.assertIn(pegging[0]["id"], top["evidence"])
        self.assertIn("heartbeat_low", [c["kind"] for c in i["causes"]])
        drops = self.events(collector.address, "--kind", "phone_unregistered")
        self.assertEqual(sorted(i["drop_evidence"]), sorted(e["id"] for e in drops))
        table = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z").stdout
        self.assertIn("top cause: cm_cpu", table)
        self.assertEqual(self.cli(collector.address, "incidents", "--cause", "link_down", "--format", "json").stdout
                         .strip(), "[]")
        # Where: by type, by type and name (a host with its domain too), by name; or elsewhere.
        def ids_at(scope):
            out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z", "--scope", scope,
                           "--format", "json").stdout
            return [x["id"] for x in json.loads(out)]
        for scope in ("cm_node", "cm_node:ucm-sub1", "cm_node:UCM-SUB1.voice.example.net", "ucm-sub1"):
            self.assertEqual(ids_at(scope), [i["id"] for i in incidents], scope)
        for scope in ("module", "cm_node:ucm-sub2", "ucm-sub2", "switch:ucm-sub1"):
            self.assertEqual(ids_at(scope), [], scope)
        bad = self.cli(collector.address, "incidents", "--scope", "switch:", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("no name after the type", bad.stderr)
        # The postmortem view: markdown by default, the evidence's timeline from the store.
        report = self.cli(collector.address, "incident", i["id"]).stdout
        self.assertIn("# Incident " + i["id"], report)
        self.assertIn("1. **cm_cpu** on ucm-sub1", report)
        self.assertIn("| by CM node | phones |", report)
        self.assertIn("| phone_unregistered | syslog |", report)
        doc = json.loads(self.cli(collector.address, "incident", i["id"], "--format", "json").stdout)
        self.assertEqual(doc["incident"]["id"], i["id"])
        self.assertEqual(len(doc["timeline"]), 38 + 2)  # the drops, the CPU alarm, the heartbeat alarm
        times = [e["event_time"] for e in doc["timeline"]]
        self.assertEqual(times, sorted(times))
        missing = self.cli(collector.address, "incident", "no-such-incident", check=False)
        self.assertEqual(missing.returncode, 4)
        self.assertIn("no incident", missing.stderr)
        # One phone of the burst, explained as it was a second after its drop, and now.
        drop = drops[0]
        device = drop["device"]
        at = drop["event_time"]
        explained = json.loads(self.cli(collector.address, "explain", device, "--at", at,
                                        "--format", "json").stdout)
        self.assertEqual(explained["state"], "unregistered")
        self.assertEqual(explained["reason"]["code"], 13)
        self.assertEqual(explained["reason"]["class"], "network")
        self.assertIn("KeepAlive", explained["reason"]["meaning"])
        self.assertEqual(explained["cm_node"], "ucm-sub1")
        self.assertEqual(explained["incident"]["id"], i["id"])
        self.assertIn(i["id"], explained["next_steps"][0])
        text = self.cli(collector.address, "explain", device, "--at", at).stdout
        self.assertIn(device + " at " + at + ": UNREGISTERED since", text)
        self.assertIn("What to check next:", text)
        unknown = self.cli(collector.address, "explain", "SEP0000DEADBEEF", check=False)
        self.assertEqual(unknown.returncode, 4)
        self.assertIn("nothing is stored about SEP0000DEADBEEF", unknown.stdout)
        # Chronic offenders over the archive: each phone dropped once, the burst's 38 by
        # KeepAliveTimeout, and the phone CUCM refused (EndPointTransientConnection: a rejected
        # registration is a drop by the one drop rule, as in correlation; its code named from the
        # registration-failure table).
        top = json.loads(self.cli(collector.address, "top", "--since", "2020-01-01T00:00:00Z",
                                  "--limit", "5", "--format", "json").stdout)
        self.assertEqual(top["drops"], 39)
        self.assertEqual(top["phones_dropped"], 39)
        self.assertEqual(top["reasons"], [{"code": 13, "name": "KeepAliveTimeout", "drops": 38},
                                          {"code": 28, "name": "SecurityMismatch", "drops": 1}])
        self.assertEqual(len(top["phones"]), 5)
        self.assertIn("Phones that dropped most:",
                      self.cli(collector.address, "top", "--since", "2020-01-01T00:00:00Z").stdout)

    def test_thresholds_come_from_the_collector_config(self):
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write("correlation:\n  min_phones: 50\n")
        strict = self.start_collector(extra=["--config", config], name="strict", db=self.path("strict.db"))
        self.replay(strict, ARCHIVE, "archive")
        # Correlation has run over the whole archive once its last pass logged; 38 < 50 phones.
        wait_for(lambda: self.events(strict.address, "--kind", "phone_registered"), 30, what="the archive")
        strict.terminate()  # the last pass runs before the collector exits
        self.assertNotIn("incident ", strict.stdout() + strict.stderr())
        default = self.start_collector(name="default", db=self.path("strict.db"))
        self.assertEqual(self.incidents(default), [])
        # The same store recomputed with the default threshold (10) does open it.
        self.replay(default, ARCHIVE, "again")
        self.assertEqual(len(wait_for(lambda: self.incidents(default), 30, what="the incident")), 1)

    def test_the_same_archive_through_two_agents_gives_the_same_incident(self):
        with open(ARCHIVE) as f:
            lines = f.readlines()
        halves = [self.path("a.log"), self.path("b.log")]
        for path, part in zip(halves, (lines[0::2], lines[1::2])):  # interleaved, not in order
            with open(path, "w") as f:
                f.writelines(part)
        whole = self.start_collector(name="whole", db=self.path("whole.db"))
        split = self.start_collector(name="split", db=self.path("split.db"))
        self.replay(whole, ARCHIVE, "one")
        self.replay(split, halves[1], "two-b")
        self.replay(split, halves[0], "two-a")

        def comparable(incident):  # event ids differ between the two databases
            incident = dict(incident)
            incident.pop("drop_evidence")
            incident["causes"] = [{k: v for k, v in c.items() if k != "evidence"} for c in incident["causes"]]
            return incident

        a = wait_for(lambda: self.incidents(whole), 30, what="incident (whole)")
        b = wait_for(lambda: [i for i in self.incidents(split) if i["phone_count"] == 38], 30,
                     what="incident (split)")
        self.assertEqual([comparable(i) for i in a], [comparable(i) for i in b])


if __name__ == "__main__":
    unittest.main()
