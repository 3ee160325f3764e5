"""An agent with two collectors (issue 20: `--collector A,B`; collectors in pairs, issue 24):
A up: lines go to A; A killed (SIGKILL) while lines keep coming: the agent fails over to B and
every line is stored, in A or B, duplicated only where a batch was in flight at the kill; B
killed and A restarted on the same port and db: the agent goes back to A and loses nothing sent
meanwhile. Two independent SQLite collectors here, so a batch whose ack was lost is in both
stores (docs/architecture.md, "Several collectors"); the test counts those. Also: a replay
(--replay-syslog) fails over the same way."""
import re
import socket
import threading
import time
import urllib.request

from harness import RegwatchTestCase, free_port, wait_for

LINE = ("Nov 20 09:00:00 ucm-sub1 local7 3 : {n}: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName={device}][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub1]: An endpoint has unregistered")
BATCH_MAX_EVENTS = 20
MAX_BATCHES_IN_FLIGHT = 4
IN_FLIGHT_WINDOW = BATCH_MAX_EVENTS * MAX_BATCHES_IN_FLIGHT  # events one kill can duplicate


def device(n):
    return f"SEP{0xE0000000000 + n:012X}"


def line_number(name):
    return int(name[3:], 16) - 0xE0000000000


def line(n):
    return LINE.format(n=n, device=device(n))


class LineSender:
    """Sends numbered lines to the agent's syslog TCP port, paced (~250/s) on its own thread,
    until stopped; `sent` is how many went out."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sent = 0
        self.stop_event = threading.Event()
        self.thread = None

    def send_now(self, count):
        for _ in range(count):
            self.sock.sendall((line(self.sent) + "\n").encode())
            self.sent += 1

    def start(self):
        def run():
            while not self.stop_event.is_set():
                self.send_now(5)
                time.sleep(0.02)  # pacing, not synchronisation

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        if self.thread:
            self.thread.join()
            self.thread = None
        self.stop_event.clear()

    def close(self):
        self.stop()
        self.sock.close()


class CollectorFailoverTest(RegwatchTestCase):
    def stored_lines(self, collector):
        """Line numbers stored by a collector, as a list (a line stored twice in one store
        would show twice)."""
        events = self.events(collector.address, "--kind", "phone_unregistered")
        return [line_number(e["device"]) for e in events if e["agent_id"] == "test-agent"]

    def agent_config(self, metrics_port):
        path = self.path("agent.yaml")
        with open(path, "w") as f:
            f.write("collector:\n"
                    f"  batch_max_events: {BATCH_MAX_EVENTS}\n"
                    f"  max_batches_in_flight: {MAX_BATCHES_IN_FLIGHT}\n"
                    "  backoff_initial_ms: 100\n"
                    "  backoff_max_ms: 1000\n"
                    "metrics:\n"
                    f"  listen: 127.0.0.1:{metrics_port}\n")
        return path

    @staticmethod
    def metric(metrics_port, name, labels=""):
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        pattern = "^" + re.escape(name + (("{" + labels + "}") if labels else "")) + r" (\S+)$"
        match = re.search(pattern, text, re.MULTILINE)
        return float(match.group(1)) if match else None

    def test_fails_over_to_b_and_back_to_a_losing_nothing(self):
        port_a, port_b = free_port(), free_port()
        db_a, db_b = self.path("a.db"), self.path("b.db")
        a = self.start_collector(port=port_a, db=db_a, name="collector-a")
        b = self.start_collector(port=port_b, db=db_b, name="collector-b")
        syslog_port, metrics_port = free_port(), free_port()
        agent = self.start_agent(f"{a.address},{b.address}", extra=[
            "--config", self.agent_config(metrics_port),
            "--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{syslog_port}"])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="the agent to listen")
        sender = LineSender(syslog_port)
        try:
            # A up: the lines go to A (the first in the list), none to B.
            sender.start()
            wait_for(lambda: len(self.stored_lines(a)) >= 300, 60, interval=0.2,
                     what="300 lines stored in A")
            self.assertEqual(self.stored_lines(b), [])
            self.assertIn(f"shipping to collector {a.address}", agent.stderr())

            # A killed while lines keep coming: the agent fails over to B.
            a.kill9()
            failed_over = f"failed over to collector {b.address} (from {a.address})"
            wait_for(lambda: failed_over in agent.stderr(), 30, what="the agent to fail over to B")
            after_failover = sender.sent
            wait_for(lambda: max(self.stored_lines(b), default=-1) >= after_failover + 300, 60,
                     interval=0.2, what="300 lines sent after the failover stored in B")
            sender.stop()
            first_phase = sender.sent
            wait_for(lambda: set(self.stored_lines(b)) | set(range(after_failover)) >=
                     set(range(first_phase)), 60, interval=0.2, what="B to have every line")
            self.assertEqual(self.metric(metrics_port, "regwatch_agent_collector_failovers_total"), 1)
            self.assertEqual(self.metric(metrics_port, "regwatch_agent_collector_current",
                                         f'collector="{b.address}"'), 1)

            # B killed too: lines sent now wait in the spool while the agent tries A and B in
            # turn (its warnings rate-limited), then A comes back on the same port and db.
            failures_before = self.metric(metrics_port, "regwatch_agent_shipper_stream_failures_total")
            b.kill9()
            sender.send_now(200)
            wait_for(lambda: self.metric(metrics_port, "regwatch_agent_shipper_stream_failures_total")
                     >= failures_before + 6, 60, interval=0.2,
                     what="six failed attempts while both collectors are down")
            a = self.start_collector(port=port_a, db=db_a, name="collector-a-again")
            back = f"failed over to collector {a.address} (from {b.address})"
            wait_for(lambda: back in agent.stderr(), 30, what="the agent to go back to A")
            sender.send_now(100)
            total = sender.sent
            wait_for(lambda: set(range(first_phase, total)) <= set(self.stored_lines(a)), 60,
                     interval=0.2, what="A to have every line sent since B was killed")
        finally:
            sender.close()

        # B's store, read through B started again (the agent stays on A: no flapping back).
        b = self.start_collector(port=port_b, db=db_b, name="collector-b-again")
        in_a, in_b = self.stored_lines(a), self.stored_lines(b)
        self.assertEqual(len(in_a), len(set(in_a)), "a line stored twice in A")
        self.assertEqual(len(in_b), len(set(in_b)), "a line stored twice in B")
        self.assertEqual(set(in_a) | set(in_b), set(range(total)), "a line lost")
        # In both stores: only what was in flight when A died (its ack lost with it), so never
        # more than the in-flight window, and nothing sent after the failover.
        both = set(in_a) & set(in_b)
        self.assertLessEqual(len(both), IN_FLIGHT_WINDOW, sorted(both))
        self.assertFalse({n for n in both if n >= after_failover}, sorted(both))
        # Nothing sent after B was killed reached B.
        self.assertFalse({n for n in in_b if n >= first_phase})
        self.assertEqual(self.metric(metrics_port, "regwatch_agent_collector_failovers_total"), 2)
        self.assertEqual(self.metric(metrics_port, "regwatch_agent_collector_current",
                                     f'collector="{a.address}"'), 1)
        # Rate-limited: one "unreachable" warning per collector for many failed attempts.
        log = agent.stderr()
        for collector in (a.address, b.address):
            warnings = log.count(f"collector {collector} unreachable")
            self.assertGreaterEqual(warnings, 1, log[-3000:])
            self.assertLessEqual(warnings, 2, log[-3000:])

    def test_a_replay_fails_over_too(self):
        archive = self.path("archive.log")
        count = 500
        with open(archive, "w") as f:
            f.write("".join(line(n) + "\n" for n in range(count)))
        dead = f"127.0.0.1:{free_port()}"  # nothing listens there
        b = self.start_collector(name="collector-b")
        agent = self.start_agent(f"{dead},{b.address}", extra=["--replay-syslog", archive])
        self.assertEqual(agent.wait(120), 0, agent.stderr())
        self.assertIn(f"collector {dead} unreachable", agent.stderr())
        self.assertIn(f"shipping to collector {b.address}", agent.stderr())
        self.assertEqual(self.total_events(b.address), count)
