"""Idle TCP syslog connections cannot lock real senders out (issue 17).

A peer opens 300 idle TCP connections to a live agent (more than max_tcp_connections, 256);
a real sender that connects afterwards must still have its line stored by the collector within
seconds, and the agent must report what it refused or evicted as agent_drops events. Every
address in 127.0.0.0/8 is loopback on Linux, so the test picks its sources there."""
import socket
import subprocess
import time
import unittest

from harness import RegwatchTestCase, free_port, wait_for

IDLE = 300  # idle connections: more than the default max_tcp_connections (256)
HEARD_WITHIN_S = 5  # how soon the real sender's line must be stored
LINE = ("Nov 20 09:00:00 ucm-sub1 local7 3 : 1: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName={device}][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub1]: An endpoint has unregistered")


def connect_from(source, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


class TcpLimitsTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.idle = []
        self.collector = self.start_collector()
        self.port = free_port()
        # Defaults for every limit: what a deployment gets without tuning.
        self.agent = self.start_agent(self.collector.address, extra=[
            "--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{self.port}"])
        wait_for(lambda: "receiving syslog" in self.agent.stderr(), 30, what="agent to listen")

    def tearDown(self):
        for s in self.idle:
            s.close()
        super().tearDown()

    def open_idle(self, sources):
        """Opens IDLE connections, round-robin over `sources`, and sends nothing on them."""
        for n in range(IDLE):
            self.idle.append(connect_from(sources[n % len(sources)], self.port))

    def stored(self, device):
        return self.events(self.collector.address, "--device", device)

    def drops_total(self, reason):
        reports = [r for r in self.events(self.collector.address, "--kind", "agent_drops")
                   if r["reason"] == reason]
        return max((int(r["dropped_total"]) for r in reports), default=0)

    def test_one_peer_cannot_take_every_slot(self):
        # 270 from one address and 30 from another; per source only 32 are kept.
        self.open_idle(["127.0.0.1"] * 9 + ["127.0.0.2"])
        sent = time.monotonic()
        with connect_from("127.0.0.3", self.port) as sender:
            sender.sendall((LINE.format(device="SEP0000000A0001") + "\n").encode())
        wait_for(lambda: self.stored("SEP0000000A0001"), HEARD_WITHIN_S,
                 what="the real sender's line to be stored")
        self.assertLess(time.monotonic() - sent, HEARD_WITHIN_S)
        # 127.0.0.1 opened 270 (32 kept), 127.0.0.2 opened 30 (all kept).
        wait_for(lambda: self.drops_total("syslog_tcp_rejected_per_source") == 270 - 32, 30,
                 what="per-source rejections reported as agent_drops")
        self.assertEqual(self.drops_total("syslog_tcp_evicted_idle"), 0)
        self.assertIn("rejected: it already has 32 connections", self.agent.stderr())

    def test_a_full_table_evicts_an_idle_connection_for_a_new_sender(self):
        # 30 each from ten addresses: under the per-source limit, over the table's 256.
        self.open_idle([f"127.0.0.{10 + i}" for i in range(10)])
        sent = time.monotonic()
        # The real sender: util-linux logger, from 127.0.0.1.
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(self.port), "--tcp",
                        "--rfc3164", "--priority", "local7.err",
                        LINE.format(device="SEP0000000B0001")], check=True, timeout=10)
        wait_for(lambda: self.stored("SEP0000000B0001"), HEARD_WITHIN_S,
                 what="the real sender's line to be stored")
        self.assertLess(time.monotonic() - sent, HEARD_WITHIN_S)
        # 300 idle into 256 slots evicted 44, and the sender evicted one more (all accepted
        # well within the 10 s first-line timeout, which would otherwise free slots itself).
        wait_for(lambda: self.drops_total("syslog_tcp_evicted_idle") == IDLE - 256 + 1, 30,
                 what="evictions reported as agent_drops")
        self.assertEqual(self.drops_total("syslog_tcp_rejected_full"), 0)
        # The oldest idle connection was the first evicted: the server closed it.
        first = self.idle[0]
        first.settimeout(5)
        self.assertEqual(first.recv(1), b"")
        self.assertIn("to make room for one from", self.agent.stderr())


if __name__ == "__main__":
    unittest.main()
