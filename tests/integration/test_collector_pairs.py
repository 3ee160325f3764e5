"""Collectors in pairs on a real PostgreSQL (issue 24): two collectors share one store, one leads
(correlation, conditions, alert dispatch) and the other stands by; agents list both. The
PostgreSQL server is the test's own (initdb into a temporary folder, loopback, stopped after).

- kill -9 of the leader during a burst: the standby takes over within 10 s (measured), the
  burst pages exactly once, and every event is stored exactly once;
- kill -9 of PostgreSQL's postmaster during ingest: the collectors stop acknowledging, the agent
  keeps its spool, and once PostgreSQL is back everything is stored once;
- `regwatch status` on either collector says which one leads and since when."""
import datetime
import sys
import time

from alerting_support import AlertingBase, shifted_archive
from harness import SyslogFeed, wait_for
from postgres_support import PostgresServer

LINE = ("Nov 20 09:00:00 ucm-sub1 local7 3 : {n}: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP{n:012X}][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub1]: An endpoint has unregistered")


class CollectorPairsTest(AlertingBase):
    def setUp(self):
        super().setUp()
        self.pg = PostgresServer()
        self.addCleanup(self.pg.stop)

    def webhook_config(self):
        path = self.path("collector.yaml")
        with open(path, "w") as f:
            f.write("alerting:\n  conditions: []\n  external_labels: {site: lab-1}\n"
                    "  group_wait_s: 2\n  retry_min_s: 1\n  receivers:\n"
                    f"    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url('/hook')}\n")
        return path

    def leader(self, collector):
        return self.status(collector.address)["leader"]

    def pair(self, database):
        url = self.pg.create_database(database)
        config = self.webhook_config()
        a = self.start(config, db=url, name="collector-a")
        wait_for(lambda: self.leader(a)["this_leads"], 20, interval=0.1, what="A to lead")
        b = self.start(config, db=url, name="collector-b")
        return a, b

    def test_the_leader_killed_during_a_burst_pages_once_through_the_standby(self):
        a, b = self.pair("pairs_burst")
        seen_by_b = wait_for(lambda: (lead := self.leader(b))["leader"] and lead, 20,
                             what="B to read the lease")
        self.assertTrue(seen_by_b["in_pairs"])
        self.assertFalse(seen_by_b["this_leads"])
        self.assertEqual(seen_by_b["leader"], self.leader(a)["this_collector"])
        self.assertEqual(seen_by_b["leader_address"], a.address)
        self.assertTrue(seen_by_b["lease_current"])
        self.assertIsNotNone(seen_by_b["since"])
        self.assertIn(f"leads since", self.cli(b.address, "status").stdout)
        self.assertIn("stands by", self.cli(b.address, "status").stdout)
        self.assertIn("THIS collector leads", self.cli(a.address, "status").stdout)

        # The burst goes to A; A is killed as soon as it has stored part of it, before its page
        # (group_wait 2 s) could go out.
        now = datetime.datetime.now(datetime.timezone.utc)
        archive = shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3))
        agent = self.start_agent(f"{a.address},{b.address}", extra=["--replay-syslog", archive],
                                 agent_id="archive")
        wait_for(lambda: self.total_events(a.address) > 0, 30, interval=0.02,
                 what="A to store part of the burst")
        a.kill9()
        killed = time.monotonic()
        wait_for(lambda: self.leader(b)["this_leads"], 15, interval=0.1, what="B to take over")
        takeover = time.monotonic() - killed
        print(f"takeover after kill -9 of the leader: {takeover:.1f} s", file=sys.stderr)
        self.assertLessEqual(takeover, 10.0)
        self.assertEqual(agent.wait(120), 0, agent.stderr())

        hooks = wait_for(lambda: len(self.receiver.posted("/hook")) >= 2 and self.receiver.posted("/hook"),
                         90, what="the burst's firing and resolved webhooks")
        # Settle: nothing more is owed (a second page would come within the retry interval).
        wait_for(lambda: all(r["pending"] == 0 for r in self.status(b.address)["receivers"]), 30,
                 what="B's notification queue to empty")
        hooks = self.receiver.posted("/hook")
        self.assertEqual([h["status"] for h in hooks], ["firing", "resolved"], hooks)
        self.assertEqual(hooks[0]["alerts"][0]["labels"]["scope"], "ucm-sub1")

        # Nothing lost, nothing stored twice: the same archive into a lone SQLite collector.
        alone = self.start_collector(db=self.path("alone.db"), name="alone")
        self.replay(alone, archive)
        expected = self.total_events(alone.address)
        self.assertGreater(expected, 0)
        self.assertEqual(self.total_events(b.address), expected)
        # A replay stores under "archive/replay-<hash of the archive>" (its own identity).
        stored = [e for e in self.events(b.address) if e["agent_id"].startswith("archive/replay-")]
        self.assertEqual(len(stored), expected)
        keys = [(e["agent_id"], e["seq"]) for e in stored]
        self.assertEqual(len(keys), len(set(keys)), "an event stored twice")

    def test_a_killed_postgresql_stops_acks_and_everything_arrives_once_it_is_back(self):
        a, b = self.pair("pairs_postmaster")
        feed = SyslogFeed(self, f"{a.address},{b.address}", LINE, listen_timeout=30)
        agent, send = feed.agent, feed.send
        send(200)
        wait_for(lambda: self.total_events(a.address) == 200, 60, interval=0.2, what="200 stored")
        self.pg.kill_postmaster()
        send(300)  # while PostgreSQL is down: the agent keeps them in its spool
        wait_for(lambda: "collector" in agent.stderr() and
                 ("unavailable" in agent.stderr() or "rejected" in agent.stderr() or
                  "failed" in agent.stderr()), 60, what="the agent to see its batches refused")
        self.pg.start()
        send(100)
        wait_for(lambda: self.total_events(b.address) == 600, 120, interval=0.5,
                 what="every line stored once PostgreSQL is back")
        stored = [e for e in self.events(b.address) if e["agent_id"] == "test-agent"]
        keys = [(e["agent_id"], e["seq"]) for e in stored]
        self.assertEqual(len(keys), 600)
        self.assertEqual(len(set(keys)), 600, "an event stored twice")
        # Leadership survived the outage: one of them leads again.
        wait_for(lambda: self.leader(a)["this_leads"] or self.leader(b)["this_leads"], 30,
                 what="a leader after the outage")
