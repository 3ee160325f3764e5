"""SCCP on the wire: real captures (shared/data, nDPI's test traces) decoded by
`regwatch-agent --replay-pcap` and by tshark's skinny dissector in the same test; the
message counts and the Register / RegisterAck fields must agree, and the events must reach
the collector with the packet times as event times."""
import collections
import csv
import os
import re
import subprocess
import unittest

from harness import DATA, RegwatchTestCase

SCCP_DATA = os.path.join(DATA, "sccp")
NAMES = {int(row["id_hex"], 16): (row["wireshark_name"] or row["name_long"])
         for row in csv.DictReader(open(os.path.join(DATA, "sccp_messages.csv")))}


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
        # FACTS.md section 6: the call capture has 62 messages in 40 frames, no registration.
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


if __name__ == "__main__":
    unittest.main()
