"""A network partition between a collector and PostgreSQL (issue 24): collector A reaches the
test's PostgreSQL through a proxy the test controls (tcp_proxy.py), collector B directly; A
leads. The proxy then goes silent in both directions (no FIN, no RST: a black hole), and:

- A stops leading within the fence time (the lease is 6 s; the leader fences itself when its
  last renewal is 4 s old), measured;
- B takes over once the lease has run out, measured;
- the agent, which listed A first, fails over to B when A stops acknowledging (A cannot commit):
  A's writer gives up on PostgreSQL's reply after its deadline (7 s), fails the batches queued
  behind at once and refuses new ones (collector/ingest/commit_queue.h), so the agent's lines
  arrive through B within AGENT_ON_B_S of the cut, measured (it was 15-36 s while each queued
  batch waited out a 15 s deadline in turn);
- `regwatch status` against A answers during the cut, via the CLI, within STATUS_S, with the
  store shown unavailable (A's readers have a reply deadline, and A answers from memory once
  its lease finds the store out of reach), measured;
- a burst sent after the partition pages exactly once, from B, and A never pages after it
  fenced itself (each collector posts to a webhook path of its own);
- nothing is lost and nothing is stored twice;
- once the proxy forwards again, A comes back as a follower: B keeps the lease, both say so,
  and A's regwatch_collector_leader is 0.

Runs only with the store on PostgreSQL (pg.integration.collector_partition); the SQLite pass
skips it, as a lone collector on SQLite has no lease to lose."""
import datetime
import json
import re
import sys
import time
import urllib.request

from alerting_support import AlertingBase, shifted_archive
from harness import SyslogFeed, postgresql_only, wait_for
from postgres_support import PostgresServer
from tcp_proxy import TcpProxy

LINE = ("Nov 20 09:00:00 ucm-sub2 local7 6 : {n}: ucm-sub2 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-6-EndPointRegistered: %[DeviceName=SEP{n:012X}][IPAddress=10.2.1.1]"
        "[Protocol=SCCP][DeviceType=115][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub2]: Endpoint registered")
LEASE_S = 6.0  # collector/app/leadership.h's defaults
FENCE_S = LEASE_S - 2.0
# The writer's reply deadline (7 s: event_writer.cpp), the agent's backoff and a resend, with
# room for a loaded 2-core machine; well under the 15-36 s before the queue failed fast.
AGENT_ON_B_S = 12.0
# A status during the cut: at most the readers' 2 s probe deadline (reader_database.h), else
# from memory at once; with a CLI and a loaded machine around it.
STATUS_S = 5.0


@postgresql_only("collectors in pairs need the store on PostgreSQL (a lone collector on SQLite "
                 "has no lease to lose)")
class CollectorPartitionTest(AlertingBase):
    def setUp(self):
        super().setUp()
        self.pg = PostgresServer()
        self.addCleanup(self.pg.stop)
        self.proxy = TcpProxy(("127.0.0.1", self.pg.port))
        self.addCleanup(self.proxy.close)

    def collector_config(self, name, hook):
        path = self.path(f"{name}.yaml")
        with open(path, "w") as f:
            f.write("alerting:\n  conditions: []\n  external_labels: {site: lab-1}\n"
                    "  group_wait_s: 2\n  retry_min_s: 1\n  receivers:\n"
                    f"    - name: noc-webhook\n      type: webhook\n      url: {self.receiver.url(hook)}\n")
        return path

    def leader(self, collector):
        return self.status(collector.address)["leader"]

    @staticmethod
    def metric(collector, name):
        with urllib.request.urlopen(collector.http_url.rstrip("/") + "/metrics", timeout=10) as r:
            text = r.read().decode()
        match = re.search("^" + re.escape(name) + r" (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else None

    def timed_status(self, collector, when):
        """`regwatch status` against a collector cut off from its store, as a user runs it (table,
        then JSON): it must answer, saying the store is unavailable, within STATUS_S each."""
        started = time.monotonic()
        table = self.cli(collector.address, "status")
        took_table = time.monotonic() - started
        started = time.monotonic()
        reply = json.loads(self.cli(collector.address, "status", "--format", "json").stdout)
        took_json = time.monotonic() - started
        print(f"partition: `regwatch status` against A {when} answered in {took_table:.1f} s "
              f"(table) and {took_json:.1f} s (json)", file=sys.stderr)
        self.assertIn("STORE UNAVAILABLE", table.stdout)
        self.assertTrue(reply["store_error"], reply)
        self.assertEqual(reply["store_backend"], "postgresql")
        self.assertLessEqual(took_table, STATUS_S)
        self.assertLessEqual(took_json, STATUS_S)
        return reply

    def test_a_partitioned_leader_fences_itself_and_the_standby_pages_once(self):
        url = self.pg.create_database("partition")
        url_a = url.replace(f":{self.pg.port}/", f":{self.proxy.port}/")
        self.assertNotEqual(url_a, url)
        a = self.start(self.collector_config("collector-a", "/hook-a"), db=url_a, name="collector-a")
        wait_for(lambda: self.leader(a)["this_leads"], 20, interval=0.1, what="A to lead")
        self.assertGreater(self.proxy.connections, 0, "A does not go through the proxy")
        b = self.start(self.collector_config("collector-b", "/hook-b"), db=url, name="collector-b")
        wait_for(lambda: self.leader(b)["leader"] == self.leader(a)["this_collector"], 20,
                 interval=0.1, what="B to read A's lease")
        self.assertFalse(self.leader(b)["this_leads"])
        self.assertEqual(self.metric(a, "regwatch_collector_leader"), 1)
        term_before = self.leader(a)["term"]

        # A live agent listing A first ships through A.
        feed = SyslogFeed(self, f"{a.address},{b.address}", LINE)
        agent, send = feed.agent, feed.send
        send(100)
        wait_for(lambda: self.total_events(b.address) == 100, 60, interval=0.2, what="100 stored")
        wait_for(lambda: f"shipping to collector {a.address}" in agent.stderr(), 10,
                 what="the agent to say it ships to A")

        # The cut. From here A hears nothing from PostgreSQL and PostgreSQL nothing from A.
        self.proxy.partition()
        cut = time.monotonic()
        send(100)  # to A, which cannot commit them: the agent must take them to B
        # At once, before A's lease may have noticed: the readers' own deadline answers.
        self.timed_status(a, "right after the cut")
        # A's /metrics comes from memory: it answers while A's store does not.
        wait_for(lambda: self.metric(a, "regwatch_collector_leader") == 0, FENCE_S + 5,
                 interval=0.1, what="A to stop leading (its regwatch_collector_leader to be 0)")
        fenced = time.monotonic() - cut
        wait_for(lambda: self.leader(b)["this_leads"], LEASE_S + 10, interval=0.1,
                 what="B to take over")
        takeover = time.monotonic() - cut
        print(f"partition: A stopped leading after {fenced:.1f} s, B took over after "
              f"{takeover:.1f} s", file=sys.stderr)
        self.assertLessEqual(fenced, FENCE_S + 1.5)  # the fence, plus a renewal's interval
        self.assertLess(fenced, takeover, "A still led when B took over")
        self.assertLessEqual(takeover, 10.0)
        wait_for(lambda: self.leader(b)["term"] > term_before, 5, interval=0.1,
                 what="B's status to show the new term")
        # Now A's lease has found the store out of reach: A answers from memory, and says it
        # no longer leads.
        during = self.timed_status(a, "after the takeover")
        self.assertFalse(during["leader"]["this_leads"])

        wait_for(lambda: self.total_events(b.address) == 200, 90, interval=0.5,
                 what="the 100 lines sent after the cut stored through B")
        failed_over = time.monotonic() - cut
        print(f"partition: the agent's lines stored through B {failed_over:.1f} s after the cut",
              file=sys.stderr)
        self.assertLessEqual(failed_over, AGENT_ON_B_S)
        wait_for(lambda: f"failed over to collector {b.address} (from {a.address})" in agent.stderr(),
                 10, what="the agent to say it failed over to B")

        # The burst, after the cut: an archive replayed by an agent that also lists A first.
        now = datetime.datetime.now(datetime.timezone.utc)
        archive = shifted_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3))
        replay = self.start_agent(f"{a.address},{b.address}", extra=["--replay-syslog", archive],
                                  agent_id="archive", name="replay")
        self.assertEqual(replay.wait(180), 0, replay.stderr())
        wait_for(lambda: len(self.receiver.posted("/hook-b")) >= 2, 90,
                 what="the burst's firing and resolved webhooks from B")
        wait_for(lambda: all(r["pending"] == 0 for r in self.status(b.address)["receivers"]), 30,
                 what="B's notification queue to empty")
        self.assertEqual([h["status"] for h in self.receiver.posted("/hook-b")],
                         ["firing", "resolved"], self.receiver.posted("/hook-b"))
        self.assertEqual(self.receiver.posted("/hook-b")[0]["alerts"][0]["labels"]["scope"], "ucm-sub1")

        # Heal: A finds B holding the lease and follows.
        self.proxy.heal()
        healed = time.monotonic()
        holder_b = self.leader(b)["this_collector"]
        wait_for(lambda: (lead := self.leader(a))["leader"] == holder_b and lead["lease_current"],
                 30, interval=0.1, what="A to read B's lease after the heal")
        print(f"heal: A reads B's lease {time.monotonic() - healed:.1f} s after the heal",
              file=sys.stderr)
        lead_a, lead_b = self.leader(a), self.leader(b)
        self.assertFalse(lead_a["this_leads"])
        self.assertTrue(lead_b["this_leads"])
        self.assertEqual(lead_a["term"], lead_b["term"])
        self.assertEqual(lead_a["leader_address"], b.address)
        self.assertEqual(self.metric(a, "regwatch_collector_leader"), 0)
        self.assertEqual(self.metric(b, "regwatch_collector_leader"), 1)
        self.assertIn("stands by", self.cli(a.address, "status").stdout)
        self.assertIn("THIS collector leads", self.cli(b.address, "status").stdout)

        # Lines sent now are stored once, whichever collector takes them.
        send(50)
        wait_for(lambda: self.total_events(a.address) >= 250, 60, interval=0.2,
                 what="the lines sent after the heal")

        # Nothing lost, nothing stored twice: the live lines by seq, the archive against a lone
        # SQLite collector's count of it.
        alone = self.start_collector(db=self.path("alone.db"), name="alone")
        self.replay(alone, archive)
        expected_archive = self.total_events(alone.address)
        self.assertGreater(expected_archive, 0)
        stored = self.events(b.address)
        live = [e["seq"] for e in stored if e["agent_id"] == "test-agent"]
        archived = [e["seq"] for e in stored if e["agent_id"].startswith("archive/replay-")]
        self.assertEqual(len(live), 250)
        self.assertEqual(len(set(live)), 250, "a live line stored twice")
        self.assertEqual(len(archived), expected_archive)
        self.assertEqual(len(set(archived)), expected_archive, "an archived line stored twice")
        self.assertEqual(self.total_events(a.address), 250 + expected_archive)

        # A never paged: not while cut off, not after the heal (B's pages were owed to B alone).
        # Settle: a page A still owed would go out within its retry interval once it can claim.
        wait_for(lambda: all(r["pending"] == 0 for r in self.status(a.address)["receivers"]), 30,
                 what="A's view of the notification queue to be empty")
        self.assertEqual(self.receiver.posted("/hook-a"), [])
        self.assertEqual(len(self.receiver.posted("/hook-b")), 2)
        self.assertIn("no longer leads", a.stderr())
