"""Datagrams the kernel drops (receive buffer full), or the agent's own UDP queue refuses (full),
are counted and reported (issue 17).

A live agent with a tiny receive buffer is stopped (SIGSTOP) while a sender floods it on
loopback; after SIGCONT the collector must hold agent_drops events whose count, added to the
stored events, is exactly what was sent."""
import os
import signal
import socket
import subprocess
import unittest

from harness import RegwatchTestCase, free_port, wait_for

SENT = int(os.environ.get("REGWATCH_UDP_FLOOD", "20000"))
LINE = ("Nov 20 09:00:00 ucm-sub1 local7 3 : {n}: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP{n:012X}][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub1]: An endpoint has unregistered")


class UdpKernelDropTest(RegwatchTestCase):
    def test_flood_while_stopped_is_stored_or_reported_as_kernel_drops(self):
        collector = self.start_collector()
        port = free_port(socket.SOCK_DGRAM)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write("syslog:\n  udp_receive_buffer_bytes: 4096\n")
        agent = self.start_agent(collector.address, extra=[
            "--config", config, "--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", ""])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        os.kill(agent.proc.pid, signal.SIGSTOP)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for n in range(SENT):
                    s.sendto(LINE.format(n=n).encode(), ("127.0.0.1", port))
        finally:
            os.kill(agent.proc.pid, signal.SIGCONT)

        def accounted():
            stored = len(self.events(collector.address, "--kind", "phone_unregistered"))
            reports = self.events(collector.address, "--kind", "agent_drops")
            kernel = [r for r in reports if r["reason"] == "syslog_udp_kernel_overflow"]
            dropped = sum(int(r["dropped"]) for r in kernel)
            return (stored, dropped, kernel) if stored + dropped >= SENT else None

        stored, dropped, reports = wait_for(accounted, 60, interval=0.5,
                                            what=f"{SENT} datagrams stored or reported dropped")
        self.assertGreater(dropped, 0)
        self.assertEqual(stored + dropped, SENT)
        self.assertEqual(max(int(r["dropped_total"]) for r in reports), dropped)
        self.assertIn("syslog_udp_kernel_overflow", agent.stderr())
        self.assertIn("udp receive buffer", agent.stderr())

    def test_burst_beyond_the_queue_is_stored_or_reported_as_queue_full(self):
        # A one-datagram queue behind a large receive buffer: the burst that queued in the kernel
        # while the agent was stopped is read in one go after SIGCONT, and most of it does not fit.
        collector = self.start_collector()
        port = free_port(socket.SOCK_DGRAM)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write("syslog:\n  udp_receive_buffer_bytes: 8388608\n  udp_queue_max_datagrams: 1\n")
        agent = self.start_agent(collector.address, extra=[
            "--config", config, "--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", ""])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        sent = SENT // 4
        os.kill(agent.proc.pid, signal.SIGSTOP)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for n in range(sent):
                    s.sendto(LINE.format(n=n).encode(), ("127.0.0.1", port))
        finally:
            os.kill(agent.proc.pid, signal.SIGCONT)

        def accounted():
            stored = len(self.events(collector.address, "--kind", "phone_unregistered"))
            reports = self.events(collector.address, "--kind", "agent_drops")
            by_reason = {}
            for r in reports:
                by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + int(r["dropped"])
            dropped = sum(by_reason.get(k, 0) for k in ("syslog_udp_kernel_overflow", "syslog_queue_full"))
            return (stored, by_reason) if stored + dropped >= sent else None

        stored, by_reason = wait_for(accounted, 60, interval=0.5,
                                     what=f"{sent} datagrams stored or reported dropped")
        self.assertGreater(by_reason.get("syslog_queue_full", 0), 0)
        self.assertEqual(stored + by_reason.get("syslog_queue_full", 0)
                         + by_reason.get("syslog_udp_kernel_overflow", 0), sent)
        self.assertIn("the queue is full", agent.stderr())

    def test_trap_flood_while_stopped_is_stored_or_reported_as_kernel_drops(self):
        # One real v2c linkDown trap, captured from snmptrap, then sent again and again.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as catcher:
            catcher.bind(("127.0.0.1", 0))
            catcher.settimeout(10)
            subprocess.run(["snmptrap", "-v2c", "-c", "public", f"127.0.0.1:{catcher.getsockname()[1]}", "",
                            "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.7", "i", "7"], check=True, timeout=10)
            trap = catcher.recv(65535)
        sent = SENT // 4
        collector = self.start_collector()
        port = free_port(socket.SOCK_DGRAM)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write("snmp:\n  trap_receive_buffer_bytes: 4096\n")
        agent = self.start_agent(collector.address, extra=[
            "--config", config, "--syslog-udp", "", "--syslog-tcp", "", "--snmp-traps", f"127.0.0.1:{port}"])
        wait_for(lambda: "SNMP traps on" in agent.stderr(), 30, what="agent to listen for traps")
        os.kill(agent.proc.pid, signal.SIGSTOP)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for _ in range(sent):
                    s.sendto(trap, ("127.0.0.1", port))
        finally:
            os.kill(agent.proc.pid, signal.SIGCONT)

        def accounted():
            stored = len(self.events(collector.address, "--kind", "link_down"))
            reports = self.events(collector.address, "--kind", "agent_drops")
            dropped = sum(int(r["dropped"]) for r in reports if r["reason"] == "trap_kernel_overflow")
            return (stored, dropped) if stored + dropped >= sent else None

        stored, dropped = wait_for(accounted, 60, interval=0.5, what=f"{sent} traps stored or reported dropped")
        self.assertGreater(dropped, 0)
        self.assertEqual(stored + dropped, sent)
        self.assertIn("trap_kernel_overflow", agent.stderr())
        self.assertIn("SNMP trap receive buffer", agent.stderr())


if __name__ == "__main__":
    unittest.main()
