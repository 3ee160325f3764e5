"""No silent loss through replay (issue 15): an archive replayed under an agent id already in
use is stored in full, with what the collector stored and what it already had printed at the
end; the same archive (or capture) replayed twice is stored once and the second run says so;
under a given --replay-agent-id, an archive that overlaps one stored before exits non-zero with
the counts, unless --allow-duplicates."""
import os
import re
import shutil
import socket
import subprocess
import unittest

from harness import AGENT, DATA, RegwatchTestCase, free_port, wait_for

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")
CAPTURE = os.path.join(DATA, "sccp", "ndpi_sccp_hw_conf_register.pcapng")  # one phone_registered
LIVE_LINE = ("<187>Nov 20 09:14:20 ucm-sub1 : 7: ucm-sub1 Nov 20 2026 09:14:20.100 UTC :  "
             "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP00000000{n:04d}][IPAddress=10.9.9.9]"
             "[Protocol=SCCP][DeviceType=115][Reason=13][NodeID=ucm-sub1]: An endpoint has unregistered\n")
EXIT_NOT_ALL_STORED = 5


def archive_events():
    with open(ARCHIVE) as f:
        return sum(1 for line in f if line.strip())


class ReplayIdentityTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.collector = self.start_collector()
        self.lines = archive_events()

    def replay(self, *files, agent_id="a1", spool=None, extra=(), name="replay"):
        args = [arg for f in files for arg in (("--replay-pcap" if f.endswith(".pcapng") else "--replay-syslog"), f)]
        agent = self.start_agent(self.collector.address, extra=[*args, "--replay-timeout", "60", *extra],
                                 agent_id=agent_id, spool=spool, name=name)
        rc = agent.wait(120)
        return rc, agent.stdout(), agent.stderr()

    def counts(self, stdout):
        found = re.search(r"collector: stored (\d+), duplicates (\d+)", stdout)
        self.assertIsNotNone(found, stdout)
        return int(found.group(1)), int(found.group(2))

    def agent_events(self):
        """Stored events by agent id."""
        by_agent = {}
        for e in self.events(self.collector.address):
            by_agent[e["agent_id"]] = by_agent.get(e["agent_id"], 0) + 1
        return by_agent

    def test_replay_under_a_live_agents_id_stores_every_line(self):
        port = free_port()
        live = self.start_agent(self.collector.address, agent_id="a1", name="live",
                                extra=["--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{port}"])
        wait_for(lambda: "receiving syslog" in live.stderr(), 30, what="the live agent to listen")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall("".join(LIVE_LINE.format(n=n) for n in range(5)).encode())
        wait_for(lambda: self.agent_events().get("a1") == 5, 30, what="the live agent's 5 events")

        # What issue 15 saw: a fresh spool dir under the agent id in use. Now the replay has
        # its own identity, and every line is stored.
        rc, out, err = self.replay(ARCHIVE, spool=self.path("fresh-spool"))
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines, 0))
        replay_ids = [a for a in self.agent_events() if a.startswith("a1/replay-")]
        self.assertEqual(len(replay_ids), 1, self.agent_events())
        self.assertRegex(replay_ids[0], r"^a1/replay-[0-9a-f]{12}$")
        self.assertEqual(self.agent_events()[replay_ids[0]], self.lines)

        # Even forced onto the live agent's own id, the replay's spool incarnation differs
        # from the live spool's: its seqs 1..5 are not taken for the live events' resends.
        rc, out, err = self.replay(ARCHIVE, spool=self.path("another-fresh-spool"), extra=["--replay-agent-id", "a1"])
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines, 0))
        self.assertEqual(self.agent_events()["a1"], 5 + self.lines)
        status = self.status(self.collector.address)
        self.assertEqual(status["total_events"], 5 + 2 * self.lines)
        # The live agent is untouched: a new line still arrives.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(LIVE_LINE.format(n=99).encode())
        wait_for(lambda: self.status(self.collector.address)["total_events"] == 6 + 2 * self.lines, 30,
                 what="the live agent's next event")
        self.assertNotIn("already had", live.stderr())

    def test_a_stream_is_read_once_and_stored_whole(self):
        """A pipe (zcat archive | regwatch-agent --replay-syslog -) used to give 0 lines and exit 0:
        the replay reads an archive more than once. Now every line is stored, as from the file."""
        with open(ARCHIVE, "rb") as f:
            data = f.read()
        run = subprocess.run([AGENT, "--agent-id", "a1", "--collector", self.collector.address, "--spool-dir",
                              self.path("pipe-spool"), "--snmp-traps", "", "--replay-timeout", "60",
                              "--replay-syslog", "-"], input=data, capture_output=True, timeout=120)
        out = run.stdout.decode()
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        self.assertEqual(self.counts(out), (self.lines, 0))
        self.assertIn("streams, not files", run.stderr.decode())
        # The same archive as a file is the same identity: already stored, nothing twice.
        rc, out, err = self.replay(ARCHIVE, name="as-a-file")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.counts(out), (0, self.lines))
        # The stream's copy is gone with the replay.
        self.assertEqual([n for n in os.listdir(self.path("pipe-spool")) if n.startswith("replay-input")], [])

    def test_same_archive_twice_is_stored_once_and_the_second_run_says_so(self):
        rc, out, err = self.replay(ARCHIVE)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines, 0))
        # Another spool directory, even: the identity comes from the archive, not the spool.
        rc, out, err = self.replay(ARCHIVE, spool=self.path("elsewhere"), name="again")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (0, self.lines))
        self.assertIn("already stored: this archive was replayed before", out)
        self.assertIn("the collector already had", err)  # the shipper's warning
        self.assertEqual(self.total_events(self.collector.address), self.lines)
        # The replay spool is gone once everything is acknowledged (its small lock file stays:
        # unlinking a lock file races with the next run taking it).
        left = os.listdir(self.path("elsewhere"))
        self.assertEqual([n for n in left if n.startswith("replay-") and not n.endswith(".lock")], [], left)

    def test_a_capture_and_an_archive_together_are_one_identity(self):
        rc, out, err = self.replay(CAPTURE)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (1, 0))
        rc, out, err = self.replay(CAPTURE, name="capture-again")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (0, 1))
        self.assertIn("already stored", out)
        # With the archive the files are another identity: all of it is new.
        rc, out, err = self.replay(ARCHIVE, CAPTURE, name="both")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines + 1, 0))
        self.assertEqual(len([a for a in self.agent_events() if a.startswith("a1/replay-")]), 2)

    def test_the_same_replay_twice_at_once_is_refused_not_mixed(self):
        # The first waits for a collector that is not there, holding its spool.
        first = self.start_agent(f"127.0.0.1:{free_port()}", extra=["--replay-syslog", ARCHIVE], agent_id="a1",
                                 name="first")
        wait_for(lambda: "waiting for the collector" in first.stderr(), 30, what="the first replay to wait")
        rc, out, err = self.replay(ARCHIVE, name="second")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("another replay of these files (the same replay agent id) is running", err)
        first.kill9()
        # Its lock went with it: the replay runs now, and stores everything once.
        rc, out, err = self.replay(ARCHIVE, name="third")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines, 0))

    def test_overlap_under_a_given_id_exits_non_zero_unless_allowed(self):
        with open(ARCHIVE) as f:
            lines = [line for line in f if line.strip()]
        first_half = self.path("first-half.log")
        with open(first_half, "w") as f:
            f.writelines(lines[:len(lines) // 2])
        half = len(lines) // 2
        rc, out, err = self.replay(first_half, extra=["--replay-agent-id", "a1/archive"], name="half")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (half, 0))

        # The whole archive under the same id, its spool wiped: the first half is there
        # already, which under a given id may be another archive's events.
        shutil.rmtree(self.path("spool-a1"), ignore_errors=True)
        rc, out, err = self.replay(ARCHIVE, extra=["--replay-agent-id", "a1/archive"], name="whole")
        self.assertEqual(rc, EXIT_NOT_ALL_STORED, out + err)
        self.assertEqual(self.counts(out), (self.lines - half, half))
        self.assertIn(f"NOT all stored: {half} of {self.lines} events were already stored", out)
        self.assertIn("--allow-duplicates", out)

        # The same again under another id, accepted with --allow-duplicates.
        rc, out, err = self.replay(first_half, extra=["--replay-agent-id", "a1/other"], name="half2")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = self.replay(ARCHIVE, extra=["--replay-agent-id", "a1/other", "--allow-duplicates"],
                                   name="whole2")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.counts(out), (self.lines - half, half))
        self.assertIn("accepted: --allow-duplicates", out)
        self.assertEqual(self.total_events(self.collector.address), 2 * self.lines)


if __name__ == "__main__":
    unittest.main()
