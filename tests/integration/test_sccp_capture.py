"""SCCP on the wire: real captures (shared/data, nDPI's test traces) decoded by
`regwatch-agent --replay-pcap` and by tshark's skinny dissector in the same test; the
message counts and the Register / RegisterAck fields must agree, and the events must reach
the collector with the packet times as event times."""
import collections
import csv
import os
import re
import subprocess
import time
import unittest

from harness import DATA, RegwatchTestCase, run_simulator

SCCP_DATA = os.path.join(DATA, "sccp")
NAMES = {int(row["id_hex"], 16): (row["wireshark_name"] or row["name_long"])
         for row in csv.DictReader(open(os.path.join(DATA, "sccp_messages.csv")))}


def iso_us(text):
    from datetime import datetime
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1_000_000)


def tshark_fields(path, *fields, extra=()):
    """One list of values per skinny PDU field occurrence, as tshark decodes the file."""
    args = ["tshark", "-r", path, *extra, "-Y", "skinny", "-T", "fields", "-E", "occurrence=a",
            "-E", "separator=|", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout
    return [line.split("|") for line in out.splitlines()]


def tshark_message_counts(path, extra=()):
    counts = collections.Counter()
    for (ids,) in tshark_fields(path, "skinny.messageId", extra=extra):
        for i in ids.split(","):
            counts[NAMES.get(int(i), f"0x{int(i):04x}")] += 1
    return dict(counts)


def our_message_counts(summary_line):
    inside = re.search(r"SCCP messages \(([^)]*)\)", summary_line).group(1)
    counts = {}
    for item in inside.split(", "):
        if item != "none":
            name, n = item.rsplit(" ", 1)
            counts[name] = int(n)
    return counts


class PcapReplayTest(RegwatchTestCase):
    def replay(self, collector, *files):
        args = []
        for f in files:
            args += ["--replay-pcap", f]
        agent = self.start_agent(collector.address, extra=args)
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        return [line for line in agent.stdout().splitlines() if line.startswith("decoded ")]

    def test_message_counts_match_tshark(self):
        collector = self.start_collector()
        files = [os.path.join(SCCP_DATA, "ndpi_sccp_hw_conf_register.pcapng"),
                 os.path.join(SCCP_DATA, "ndpi_skinny.pcap")]
        summaries = self.replay(collector, *files)
        self.assertEqual(len(summaries), 2)
        for path, summary in zip(files, summaries):
            with self.subTest(path=os.path.basename(path)):
                expected = tshark_message_counts(path)
                self.assertTrue(expected)
                self.assertEqual(our_message_counts(summary), expected)
        # nDPI's skinny.pcap (tests/cfgs/default/pcap): 62 messages in 40 frames (tshark -Y skinny),
        # call control only, no registration.
        self.assertIn("62 SCCP messages", summaries[1])

    def test_register_fields_match_tshark_and_use_packet_time(self):
        collector = self.start_collector()
        path = os.path.join(SCCP_DATA, "ndpi_sccp_hw_conf_register.pcapng")
        self.replay(collector, path)
        rows = tshark_fields(path, "frame.time_epoch", "skinny.messageId", "skinny.DeviceName",
                             "skinny.stationIpAddr", "skinny.deviceType", "skinny.keepAliveInterval",
                             "skinny.secondaryKeepAliveInterval", "ip.src")
        register = next(r for r in rows if r[1] == "1")
        ack = next(r for r in rows if r[1] == "129")
        events = self.events(collector.address, "--kind", "phone_registered")
        self.assertEqual(len(events), 1)
        e = events[0]
        self.assertEqual(e["device"], register[2])
        self.assertEqual(e["ip"], register[3])
        self.assertEqual(e["device_type"], int(register[4], 16))
        self.assertEqual(e["keepalive_interval_s"], int(ack[5]))
        self.assertEqual(e["secondary_keepalive_interval_s"], int(ack[6]))
        self.assertEqual(e["cm_node"], ack[7])
        self.assertEqual(e["source"], "sccp")
        # Event time is the RegisterAck's capture time, to the microsecond.
        self.assertEqual(e["event_time"], "2019-05-06T21:35:11.665Z")

    def test_a_broken_capture_is_a_clear_error(self):
        collector = self.start_collector()
        bad = self.path("not-a-capture.pcap")
        with open(bad, "w") as f:
            f.write("this is a syslog line, not a capture\n")
        agent = self.start_agent(collector.address, extra=["--replay-pcap", bad])
        self.assertEqual(agent.proc.wait(timeout=60), 2)
        self.assertIn("not a pcap or pcapng capture", agent.stderr())
        # A capture cut in the middle of a packet: what came before is kept.
        with open(os.path.join(SCCP_DATA, "ndpi_skinny.pcap"), "rb") as f:
            whole = f.read()
        cut = self.path("cut.pcap")
        with open(cut, "wb") as f:
            f.write(whole[:8000])  # ends inside a packet
        agent = self.start_agent(collector.address, extra=["--replay-pcap", cut], agent_id="cut")
        self.assertEqual(agent.proc.wait(timeout=60), 0, agent.stderr())
        self.assertIn("truncated dump file", agent.stderr())
        summary = next(line for line in agent.stdout().splitlines() if line.startswith("decoded "))
        self.assertIn("capture cut short", summary)
        decoded = our_message_counts(summary)
        self.assertTrue(decoded)  # what came before the cut was decoded
        self.assertLess(sum(decoded.values()), 62)


class SimulatorPcapTest(RegwatchTestCase):
    def test_simulator_capture_decodes_the_same_in_tshark_and_regwatch(self):
        pcap = self.path("fleet.pcap")
        lines = run_simulator(self, "--phones", "30", "--keepalive", "30", "--time-scale", "30", "--duration", "95",
                              "--unknown", "2", "--reject-unknown", "--pcap", pcap)
        port = next(l for l in lines if l["event"] == "cm_listening")["address"].rsplit(":", 1)[1]
        registered = {l["phone"] for l in lines if l["event"] == "registered"}
        self.assertEqual(len(registered), 28)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"sccp: {{ports: [{port}]}}\n")
        collector = self.start_collector()
        agent = self.start_agent(collector.address, extra=["--config", config, "--replay-pcap", pcap])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        summary = next(line for line in agent.stdout().splitlines() if line.startswith("decoded "))
        self.assertEqual(our_message_counts(summary),
                         tshark_message_counts(pcap, extra=["-d", f"tcp.port=={port},skinny"]))
        events = self.events(collector.address, "--kind", "phone_registered")
        self.assertEqual({e["device"] for e in events}, registered)
        self.assertTrue(all(e["keepalive_interval_s"] == 30 for e in events))
        rejected = self.events(collector.address, "--kind", "phone_registration_failed")
        self.assertEqual({e["device"] for e in rejected}, {"SEP00AA0000001D", "SEP00AA0000001E"})
        self.assertEqual(rejected[0]["reason"], "Unknown Device")
        # Keepalives every 30 s of packet time: nobody is missed, nobody is slow.
        self.assertEqual(self.events(collector.address, "--kind", "keepalive_missed"), [])
        self.assertEqual(self.events(collector.address, "--kind", "cm_slow"), [])


@unittest.skipUnless(os.geteuid() == 0, "live capture on lo needs root (CAP_NET_RAW)")
class LiveCaptureTest(RegwatchTestCase):
    def test_injected_faults_become_events_at_the_collector(self):
        from harness import free_port, wait_for
        cm_port = free_port()
        collector = self.start_collector()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"""syslog: {{udp: "", tcp: ""}}
sccp:
  ports: [{cm_port}]
  unanswered_after_ms: 1000
  latency_window_s: 2
  slow_threshold_ms: 500
  slow_min_phones: 3
""")
        agent = self.start_agent(collector.address, extra=["--config", config, "--capture", "lo"])
        wait_for(lambda: re.search(r"capturing SCCP( and SIP)? on lo", agent.stderr()), 30,
                 what="the capture to start")
        lines = run_simulator(self, "--phones", "8", "--keepalive", "2", "--cm-listen", f"127.0.0.1:{cm_port}",
                              "--duration", "30", "--unknown", "1", "--reject-unknown",
                              "--fault", "loss@6:7:2", "--fault", "stall@15:4", "--fault", "restart@22:1",
                              "--fault", "unregister@27:2", timeout=90)
        truth = collections.Counter(l["event"] for l in lines)
        self.assertGreaterEqual(truth["registered"], 7)
        kinds = lambda kind: self.events(collector.address, "--kind", kind)
        registered = wait_for(lambda: kinds("phone_registered"), 30, what="phone_registered")
        self.assertIn("SEP00AA00000001", {e["device"] for e in registered})
        self.assertEqual(registered[0]["keepalive_interval_s"], 2)
        self.assertEqual(registered[0]["cm_address"], f"127.0.0.1:{cm_port}")
        # The unknown phone is rejected with the CM's text.
        rejected = wait_for(lambda: kinds("phone_registration_failed"), 30, what="the rejection")
        self.assertEqual(rejected[0]["device"], "SEP00AA00000008")
        # Phones 1 and 2 lost their packets for 7 s: silent for over 2 intervals.
        missed = wait_for(lambda: kinds("keepalive_missed"), 30, what="keepalive_missed")
        self.assertEqual({e["device"] for e in missed}, {"SEP00AA00000001", "SEP00AA00000002"})
        # The CM stalled 4 s: KeepAlives unanswered, the CM slow, then recovered.
        unanswered = wait_for(lambda: kinds("keepalive_unanswered"), 30, what="keepalive_unanswered")
        self.assertGreaterEqual(len({e["device"] for e in unanswered}), 5)
        slow = wait_for(lambda: kinds("cm_slow"), 30, what="cm_slow")
        self.assertEqual(slow[0]["cm_node"], "127.0.0.1")
        wait_for(lambda: kinds("cm_recovered"), 30, what="cm_recovered")
        # The CM restarted: every registered phone lost its connection by RST from the CM.
        restart_us = next(l["t_us"] for l in lines if l["event"] == "fault_start" and l["fault"] == "restart")
        lost = wait_for(lambda: kinds("connection_lost"), 30, what="connection_lost")
        at_restart = [e for e in lost if abs(iso_us(e["event_time"]) - restart_us) < 1_000_000]
        self.assertGreaterEqual(len({e["device"] for e in at_restart}), 6)
        self.assertTrue(all(e["closed_by"] == "cm rst" for e in at_restart))
        # Two phones unregistered cleanly: not losses.
        unregistered = wait_for(lambda: kinds("phone_unregistered"), 30, what="phone_unregistered")
        self.assertEqual({e["device"] for e in unregistered}, {"SEP00AA00000001", "SEP00AA00000002"})
        self.assertEqual(agent.terminate(), 0)

    def test_a_quiet_wire_costs_no_cpu(self):
        """Capturing on a wire with no SCCP on it, the agent sleeps between reads instead of
        asking libpcap again at once: a daemon beside the switches must not take a core for
        watching nothing. A spinning reader uses about a core (3 s of CPU over 3 s); a
        waiting one a few hundredths, so the bound is far from both."""
        from harness import free_port, wait_for
        collector = self.start_collector()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f'syslog: {{udp: "", tcp: ""}}\nsccp:\n  ports: [{free_port()}]\n')
        agent = self.start_agent(collector.address, extra=["--config", config, "--capture", "lo"])
        wait_for(lambda: re.search(r"capturing SCCP( and SIP)? on lo", agent.stderr()), 30,
                 what="the capture to start")

        def cpu_seconds():
            with open(f"/proc/{agent.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        before, started = cpu_seconds(), time.monotonic()
        time.sleep(3)  # the measurement itself: CPU used over this wall time
        used, wall = cpu_seconds() - before, time.monotonic() - started
        self.assertLess(used, 0.25 * wall, f"{used:.2f} s of CPU in {wall:.1f} s on a quiet wire")
        self.assertEqual(agent.terminate(), 0)


if __name__ == "__main__":
    unittest.main()
