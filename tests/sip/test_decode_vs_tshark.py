"""The SIP parser and framer against tshark's sip dissector: `regwatch-agent --decode-pcap` prints
one JSON line per SIP message, and every field it prints must be what tshark reads from the same
frame. The captures are tests/data/sip/*.pcap: sipp as a Cisco phone registering against sipp as
the registrar (401, 200 with Expires 120, 403 with a Warning), over UDP and TCP, IPv4 and IPv6,
and a phone of our own whose TCP segments carry several messages and one across two
(tests/data/sip/README.md says how they were made). A frame with several messages has each field's
values in message order, as tshark aggregates them.
Binary: $REGWATCH_AGENT (set by ctest)."""
import glob
import ipaddress
import json
import os
import re
import shutil
import subprocess
import unittest

AGENT = os.environ.get("REGWATCH_AGENT",
                       os.path.join(os.path.dirname(__file__), "..", "..", "build", "agent",
                                    "regwatch-agent"))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sip")
AGGREGATOR = "\x1e"  # between the values of a field in one frame: no SIP text has it

# The dump's fields that are one tshark field each, as printed: dump key -> tshark field.
SAME = {
    "method": "sip.Method",
    "request_uri": "sip.r-uri",
    "status": "sip.Status-Code",
    "call_id": "sip.Call-ID",
    "cseq": "sip.CSeq.seq",
    "cseq_method": "sip.CSeq.method",
    "from_user": "sip.from.user",
    "from_host": "sip.from.host",
    "to_user": "sip.to.user",
    "to_host": "sip.to.host",
    "to_tag": "sip.to.tag",
    "contact_user": "sip.contact.user",
    "contact_host": "sip.contact.host",
    "contact_port": "sip.contact.port",
    "expires": "sip.Expires",
    "user_agent": "sip.User-Agent",
    "server": "sip.Server",
    "warning": "sip.Warning",
    "reason": "sip.Reason",
    "content_type": "sip.Content-Type",
    "content_length": "sip.Content-Length",
}
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "sip.Status-Line",
          "sip.contact.parameter", "sip.Via.sent-by.address", "sip.Via.transport",
          "sip.Authorization", "sip.Proxy-Authorization", "sip.reason_text"] + list(SAME.values())


def tshark_frames(pcap):
    """frame number -> {field: [values in the frame, message after message]} for SIP frames."""
    args = ["tshark", "-r", pcap, "-Y", "sip", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=" + AGGREGATOR]
    for field in FIELDS:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    frames = {}
    # Not splitlines(): it would also split at the aggregator (a record separator).
    for line in out.stdout.split("\n"):
        if not line:
            continue
        values = line.split("\t")
        row = {field: (value.split(AGGREGATOR) if value else [])
               for field, value in zip(FIELDS, values)}
        frames[int(row["frame.number"][0])] = row
    return frames


def dump_lines(pcap):
    out = subprocess.run([AGENT, "--decode-pcap", pcap], capture_output=True, text=True,
                         timeout=120, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def contact_param(parameters, name):
    """A Contact parameter's value as tshark lists them (name=value), unquoted; None if absent."""
    for parameter in parameters:
        # tshark 4.0 keeps the line end in a Contact's last parameter when it is quoted (it
        # prints it escaped: "36670"\r\n); the header's value ends before it.
        parameter = parameter.removesuffix("\\r\\n")
        key, _, value = parameter.partition("=")
        if key.lower() == name.lower():
            return value.strip('"')
    return None


def endpoint(address, port):
    """address:port or [v6]:port, the address in its canonical text (the dump writes IPv6 in
    full, tshark compressed)."""
    parsed = ipaddress.ip_address(address.strip("[]"))
    return f"{parsed}:{port}" if parsed.version == 4 else f"[{parsed}]:{port}"


def dump_endpoint(text):
    address, _, port = text.rpartition(":")
    return endpoint(address, port)


@unittest.skipUnless(shutil.which("tshark"), "tshark is not installed (tools/setup.sh installs it)")
class DecodeVsTshark(unittest.TestCase):
    def captures(self):
        pcaps = sorted(glob.glob(os.path.join(DATA, "*.pcap")))
        self.assertGreaterEqual(len(pcaps), 4, "the sipp captures are missing")
        return pcaps

    def test_every_field_as_tshark_reads_it(self):
        checked = {key: 0 for key in SAME}
        checked.update(contact_expires=0, device_name=0, instance_mac=0, model=0, via_hosts=0,
                       authorization=0, cisco_alarm=0, reason_phrase=0)
        frames_with_several = 0
        for pcap in self.captures():
            name = os.path.basename(pcap)
            frames = tshark_frames(pcap)
            lines = [line for line in dump_lines(pcap) if line["proto"] == "sip"]
            # Every message tshark sees, the dump prints, and nothing else.
            self.assertEqual(sum(len(row["sip.CSeq.seq"]) for row in frames.values()),
                             len(lines), name)
            by_frame = {}
            for line in lines:
                self.assertNotIn("error", line, f"{name}: {line}")
                by_frame.setdefault(line["frame"], []).append(line)
            self.assertEqual(sorted(by_frame), sorted(frames), name)
            for number, group in by_frame.items():
                row = frames[number]
                where = f"{name} frame {number}"
                frames_with_several += int(len(group) > 1)
                for line in group:
                    self.assertEqual(line["time_us"],
                                     round(float(row["frame.time_epoch"][0]) * 1e6), where)
                    ip = "ip" if row["ip.src"] else "ipv6"
                    transport = line["transport"]
                    self.assertEqual(dump_endpoint(line["src"]), endpoint(row[f"{ip}.src"][0],
                                                           row[f"{transport}.srcport"][0]), where)
                    self.assertEqual(dump_endpoint(line["dst"]), endpoint(row[f"{ip}.dst"][0],
                                                           row[f"{transport}.dstport"][0]), where)
                # Fields of one value per message: the frame's values in message order.
                for key, field in SAME.items():
                    ours = [str(line[key]) for line in group if key in line]
                    theirs = row[field]
                    if key.endswith("_host"):  # tshark keeps an IPv6 host's brackets; we drop them
                        theirs = [host.strip("[]") for host in theirs]
                    self.assertEqual(ours, theirs, f"{where}: {key} vs {field}")
                    checked[key] += len(ours)
                # The status line's phrase.
                phrases = [line["reason_phrase"] for line in group if "status" in line]
                self.assertEqual(phrases, [status.split(" ", 2)[2] if status.count(" ") >= 2
                                           else "" for status in row["sip.Status-Line"]], where)
                checked["reason_phrase"] += len(phrases)
                # Via: every sent-by host, top first, and the top one's transport.
                self.assertEqual([host for line in group for host in line.get("via_hosts", [])],
                                 [host.strip("[]") for host in row["sip.Via.sent-by.address"]],
                                 where)
                checked["via_hosts"] += len(row["sip.Via.sent-by.address"])
                tops = [line["via_transport"] for line in group if "via_transport" in line]
                self.assertEqual(tops, row["sip.Via.transport"][:len(tops)] if len(group) == 1
                                 else tops, where)
                # Authorization (or Proxy-): present in the dump exactly when tshark shows it.
                authorized = bool(row["sip.Authorization"] or row["sip.Proxy-Authorization"])
                self.assertEqual(any(line.get("authorization") for line in group), authorized,
                                 where)
                checked["authorization"] += int(authorized)
                # Contact parameters (one message per frame in these captures: tshark lists
                # the parameters of every Contact of the frame together).
                if len(group) == 1:
                    line, parameters = group[0], row["sip.contact.parameter"]
                    expires = contact_param(parameters, "expires")
                    self.assertEqual(line.get("contact_expires"),
                                     int(expires) if expires is not None else None, where)
                    checked["contact_expires"] += int(expires is not None)
                    device = contact_param(parameters, "+u.sip!devicename.ccm.cisco.com")
                    self.assertEqual(line.get("device_name"), device, where)
                    checked["device_name"] += int(device is not None)
                    model = contact_param(parameters, "+u.sip!model.ccm.cisco.com")
                    self.assertEqual(line.get("model"), model, where)
                    checked["model"] += int(model is not None)
                    instance = contact_param(parameters, "+sip.instance")
                    mac = None
                    if instance:
                        hex12 = re.fullmatch(r"<urn:uuid:00000000-0000-0000-0000-([0-9a-fA-F]{12})>",
                                             instance).group(1).lower()
                        mac = ":".join(hex12[i:i + 2] for i in range(0, 12, 2))
                    self.assertEqual(line.get("instance_mac"), mac, where)
                    checked["instance_mac"] += int(mac is not None)
                # The Reason's cisco-alarm, from tshark's text= of it.
                alarms = [line["cisco_alarm"] for line in group if "cisco_alarm" in line]
                texts = [text for text in row["sip.reason_text"] if text.startswith("cisco-alarm:")]
                self.assertEqual(len(alarms), len(texts), where)
                for alarm, text in zip(alarms, texts):
                    words = text.split()
                    pairs = dict(word.split("=", 1) for word in words[1:] if "=" in word)
                    self.assertEqual(alarm, {"alarm": int(words[0].split(":")[1]),
                                             "name": pairs.get("Name", ""),
                                             "load": pairs.get("Load", ""),
                                             "last": pairs.get("Last", "")}, where)
                    checked["cisco_alarm"] += 1
        # register_tcp_segments.pcap: one segment that completes one message and carries another.
        self.assertGreater(frames_with_several, 0, "no frame with several messages compared")
        # Every field was compared on something, so a field the captures lack cannot pass
        # unnoticed. (content_type: the captures carry none; the field is checked absent.)
        missing = sorted(key for key, count in checked.items()
                         if count == 0 and key != "content_type")
        self.assertEqual(missing, [], "fields never compared")

    def test_udp_and_tcp_over_both_families(self):
        seen = set()
        for pcap in self.captures():
            for line in dump_lines(pcap):
                if line["proto"] == "sip":
                    seen.add((line["transport"], line["src"].startswith("[")))
        self.assertEqual(seen, {("udp", False), ("udp", True), ("tcp", False), ("tcp", True)})


if __name__ == "__main__":
    unittest.main()
