"""Faults: kill -9 of the collector or the agent while 200,000 lines are in flight, and a
full spool. Every event must be stored exactly once; drops must be counted and reported."""
import os
import re
import subprocess
import unittest

from harness import RegwatchTestCase, free_port, wait_for

LINES = int(os.environ.get("REGWATCH_FAULT_LINES", "200000"))
EXIT_NOT_ALL_STORED = 5


def replay_agent(status, agent_id="test-agent"):
    """The status row of the agent's replay (its id: <agent id>/replay-<archive digest>)."""
    rows = [a for a in status["agents"] if a["agent_id"].startswith(agent_id + "/replay-")]
    assert len(rows) == 1, status["agents"]
    return rows[0]


def write_archive(path, count):
    """A syslog server's archive: count distinct CUCM unregistration lines, one per 10 ms."""
    with open(path, "w") as f:
        for i in range(count):
            ms = i * 10
            s = ms // 1000
            f.write(f"Nov 20 {9 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} ucm-sub1 local7 3 : "
                    f"{i + 1}: ucm-sub1 Nov 20 2026 {9 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
                    f".{ms % 1000:03d} UTC :  %UC_CALLMANAGER-3-EndPointUnregistered: "
                    f"%[DeviceName=SEP{i:012X}][IPAddress=10.1.{i // 250 % 250}.{i % 250}]"
                    f"[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager]"
                    f"[ClusterID=PROD][NodeID=ucm-sub1]: An endpoint has unregistered\n")


class FaultTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.archive = self.path("archive.log")
        write_archive(self.archive, LINES)

    def test_collector_killed_repeatedly_during_replay(self):
        port = free_port()
        db = self.path("kill.db")
        collector = self.start_collector(port=port, db=db)
        agent = self.start_agent(collector.address, extra=["--replay-syslog", self.archive,
                                                            "--log-level", "warn"])
        kills = 0
        for round_ in range(3):
            # Let some of the stream land, then kill the collector mid-flight.
            floor = (round_ + 1) * LINES // 8
            wait_for(lambda: self.total_events(collector.address) >= floor, 120,
                     what=f"{floor} events stored")
            collector.kill9()
            kills += 1
            collector = self.start_collector(port=port, db=db, name=f"collector{round_}")
        try:
            rc = agent.wait(300)
        except subprocess.TimeoutExpired:
            self.fail("the agent did not finish within 300 s of the last restart\nagent:\n"
                      + agent.stderr()[-4000:] + "\ncollector:\n" + collector.stderr()[-4000:]
                      + collector.stdout()[-4000:] + "\nstored: " + str(self.total_events(collector.address)))
        self.assertEqual(rc, 0, agent.stderr())
        self.assertIn(f"{LINES} lines", agent.stdout())
        # Resends after the kills were duplicates of this replay's own batches, not "already stored".
        self.assertIn(f"stored all {LINES} events", agent.stdout())
        status = self.status(collector.address)
        self.assertEqual(kills, 3)
        self.assertEqual(status["total_events"], LINES)
        replay = replay_agent(status)
        self.assertEqual(int(replay["last_seq"]), LINES)
        self.assertEqual(int(replay["events"]), LINES)

    def test_agent_killed_then_the_same_replay_run_again(self):
        port = free_port()
        db = self.path("agent-kill.db")
        collector = self.start_collector(port=port, db=db)
        agent = self.start_agent(collector.address, extra=["--replay-syslog", self.archive,
                                                            "--log-level", "warn"])
        wait_for(lambda: self.total_events(collector.address) >= LINES // 10, 120,
                 what="some events stored")
        agent.kill9()
        # A replay is resumed by running it again: the same archive numbers its events the
        # same way, so what the killed run stored is not stored twice, and the rest is.
        again = self.start_agent(collector.address, name="again", extra=["--replay-syslog", self.archive,
                                                                         "--log-level", "warn"])
        self.assertEqual(again.wait(300), 0, again.stderr())
        self.assertRegex(again.stdout(), "completed an earlier, interrupted replay of this archive|already stored")
        status = self.status(collector.address)
        replay = replay_agent(status)
        # Everything arrived, nothing twice, no gaps.
        self.assertEqual(status["total_events"], LINES)
        self.assertEqual(int(replay["events"]), LINES)
        self.assertEqual(int(replay["last_seq"]), LINES)

    def test_full_spool_drops_by_policy_and_reports_the_count(self):
        port = free_port()
        # No collector yet: everything piles up in a 1 MiB spool that drops the newest.
        agent = self.start_agent(f"127.0.0.1:{port}", extra=[
            "--replay-syslog", self.archive, "--spool-max-size", "1MiB", "--drop-policy", "drop_newest",
            "--log-level", "warn"])
        wait_for(lambda: "waiting for the collector" in agent.stderr(), 120, what="agent to wait")
        collector = self.start_collector(port=port)
        # Acknowledged, but the replay did not store all it read: it says so in its exit code.
        self.assertEqual(agent.wait(120), EXIT_NOT_ALL_STORED, agent.stderr())
        summary = agent.stdout()
        self.assertIn("NOT all stored: the spool dropped", summary)
        dropped = int(re.search(r"(\d+) dropped by the spool", summary).group(1))
        self.assertGreater(dropped, 0)
        self.assertLess(dropped, LINES)
        reports = self.events(collector.address, "--kind", "agent_drops")
        self.assertGreaterEqual(len(reports), 1)
        self.assertEqual(max(int(r["dropped_total"]) for r in reports), dropped)
        stored = len(self.events(collector.address, "--kind", "phone_unregistered"))
        self.assertEqual(stored + dropped, LINES)


if __name__ == "__main__":
    unittest.main()
