"""Every DHCP and TFTP packet of the boot-chain scenario captures (tests/data/boot/*.pcap, real
dnsmasq traffic recorded by boot_support.py), decoded by `regwatch-agent --decode-pcap` and by
tshark's dhcp and tftp dissectors: the same packets, and every field the same.

The dump prints one JSON line per DHCP packet (UDP 67/68) and per TFTP packet (UDP 69, or a
datagram of a transfer an earlier RRQ/WRQ started), `frame` numbered as tshark's frame.number:
  DHCP {"frame","time_us","proto":"dhcp","src":"ip:port","dst":"ip:port","op","type","xid":"0x%08x","chaddr","ciaddr","yiaddr",
        "siaddr","giaddr","broadcast","options":[codes],"tftp_servers","tftp_server_name",
        "vendor_class","hostname","lease_time_s","server_id","requested_ip","server_message"}
  TFTP {"frame","time_us","proto":"tftp","src","dst","opcode","file","mode","options":{name: value},
        "block","data_bytes","error_code","error_text"}
Fields a packet does not have are absent. ICMP errors quoting a TFTP request (the tftp_down
capture) are not TFTP packets: tshark's view of them is left out (`!icmp`)."""
import glob
import json
import os
import subprocess
import unittest

from harness import AGENT, DATA

CAPTURES = sorted(glob.glob(os.path.join(DATA, "boot", "*.pcap")))
DHCP_TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release",
              8: "inform"}
TFTP_OPCODES = {1: "rrq", 2: "wrq", 3: "data", 4: "ack", 5: "error", 6: "oack"}
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "udp.srcport", "ip.dst", "udp.dstport", "udp.length",
          "dhcp.type", "dhcp.option.dhcp", "dhcp.id",
          "dhcp.hw.mac_addr", "dhcp.ip.client", "dhcp.ip.your", "dhcp.ip.server", "dhcp.ip.relay",
          "dhcp.flags.bc", "dhcp.option.type", "dhcp.option.tftp_server_address",
          "dhcp.option.tftp_server_name", "dhcp.option.vendor_class_id", "dhcp.option.hostname",
          "dhcp.option.ip_address_lease_time", "dhcp.option.dhcp_server_id",
          "dhcp.option.requested_ip_address", "dhcp.option.message", "tftp.opcode", "tftp.source_file",
          "tftp.destination_file", "tftp.type", "tftp.option.name", "tftp.option.value", "tftp.block",
          "tftp.error.code", "tftp.error.message"]
LISTS = {"dhcp.option.type", "dhcp.option.tftp_server_address", "tftp.option.name", "tftp.option.value"}
AGGREGATOR = ";"  # not "," : the vendor class has one ("Cisco Systems, Inc. IP Phone CP-7965G")


def epoch_us(text):
    """frame.time_epoch ("1796590527.748892000") to µs, exactly (no float rounding)."""
    whole, _, frac = text.partition(".")
    return int(whole) * 1_000_000 + int((frac + "000000")[:6])


def tshark_packets(path):
    """{frame: {field: value}} for every DHCP and TFTP packet tshark decodes."""
    args = ["tshark", "-r", path, "-Y", "(dhcp || tftp) && !icmp", "-T", "fields", "-E", "occurrence=a",
            "-E", "separator=/t", "-E", f"aggregator={AGGREGATOR}"]
    for f in FIELDS:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout
    packets = {}
    for line in out.splitlines():
        values = dict(zip(FIELDS, line.split("\t")))
        # A field can occur twice (dhcp.hw.mac_addr: chaddr, then option 61's): the first is the
        # header's.
        row = {k: (v.split(AGGREGATOR) if k in LISTS else v.split(AGGREGATOR)[0])
               for k, v in values.items() if v != ""}
        packets[int(row["frame.number"])] = row
    return packets


def common(t, proto):
    return {"proto": proto, "time_us": epoch_us(t["frame.time_epoch"]),
            "src": f"{t['ip.src']}:{t['udp.srcport']}", "dst": f"{t['ip.dst']}:{t['udp.dstport']}"}


def expected_dhcp(t):
    """What the dump must print for a packet tshark decoded as DHCP."""
    out = {**common(t, "dhcp"), "op": int(t["dhcp.type"]),
           "xid": f"0x{int(t['dhcp.id'], 16):08x}", "chaddr": t["dhcp.hw.mac_addr"].lower(),
           "ciaddr": t["dhcp.ip.client"], "yiaddr": t["dhcp.ip.your"], "siaddr": t["dhcp.ip.server"],
           "giaddr": t["dhcp.ip.relay"], "broadcast": t["dhcp.flags.bc"] in ("1", "True"),
           # End (255) and padding (tshark lists the pad as a 0) are framing, not options.
           "options": [int(c) for c in t.get("dhcp.option.type", []) if int(c) not in (0, 255)]}
    optional = {"type": ("dhcp.option.dhcp", lambda v: DHCP_TYPES[int(v)]),
                "tftp_servers": ("dhcp.option.tftp_server_address", list),
                "tftp_server_name": ("dhcp.option.tftp_server_name", str),
                "vendor_class": ("dhcp.option.vendor_class_id", str),
                "hostname": ("dhcp.option.hostname", str),
                "lease_time_s": ("dhcp.option.ip_address_lease_time", int),
                "server_id": ("dhcp.option.dhcp_server_id", str),
                "requested_ip": ("dhcp.option.requested_ip_address", str),
                "server_message": ("dhcp.option.message", str)}
    for key, (name, convert) in optional.items():
        if name in t:
            out[key] = convert(t[name])
    return out


def expected_tftp(t):
    opcode = int(t["tftp.opcode"])
    out = {**common(t, "tftp"), "opcode": TFTP_OPCODES[opcode]}
    # tshark repeats the request's file name on every packet of its transfer (a generated
    # field); the packet itself carries it only in the request.
    if opcode in (1, 2):
        out["file"] = t.get("tftp.source_file", t.get("tftp.destination_file"))
        out["mode"] = t["tftp.type"]
    if "tftp.option.name" in t:
        out["options"] = dict(zip(t["tftp.option.name"], t["tftp.option.value"]))
    if "tftp.block" in t:
        out["block"] = int(t["tftp.block"])
    if opcode == 3:
        out["data_bytes"] = int(t["udp.length"]) - 8 - 4  # UDP header, opcode and block
    if "tftp.error.code" in t:
        out["error_code"] = int(t["tftp.error.code"])
    if "tftp.error.message" in t:
        out["error_text"] = t["tftp.error.message"]
    return out


def dump(path):
    """{frame: line} from regwatch-agent --decode-pcap."""
    out = subprocess.run([AGENT, "--decode-pcap", path], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"regwatch-agent --decode-pcap {path} exited {out.returncode}: {out.stderr}")
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {line["frame"]: line for line in lines}


class BootDecodeTest(unittest.TestCase):
    def test_the_captures_are_there(self):
        names = {os.path.basename(p) for p in CAPTURES}
        for scenario in ("healthy", "config_loop", "firmware_loop", "not_provisioned", "wrong_tftp",
                         "no_option_150", "tftp_down"):
            self.assertIn(f"{scenario}.pcap", names)

    def test_every_dhcp_and_tftp_field_matches_tshark(self):
        for path in CAPTURES:
            with self.subTest(capture=os.path.basename(path)):
                theirs = tshark_packets(path)
                ours = dump(path)
                self.assertTrue(theirs)
                self.assertEqual(sorted(ours), sorted(theirs), "the same packets, by frame number")
                for frame, t in theirs.items():
                    want = expected_dhcp(t) if "dhcp.type" in t else expected_tftp(t)
                    got = ours[frame]
                    self.assertNotIn("error", got, f"frame {frame}")
                    # Every field tshark has, the dump has with the same value; and nothing more.
                    self.assertEqual({k: got.get(k) for k in want}, want, f"frame {frame}")
                    extra = set(got) - set(want) - {"frame"}
                    self.assertEqual(extra, set(), f"frame {frame}: fields tshark does not show")

    def test_the_scenarios_carry_what_they_are_about(self):
        """Guards the captures themselves: a regenerated one that lost its point fails here."""
        by_name = {os.path.basename(p)[:-5]: tshark_packets(p) for p in CAPTURES}
        tftp_files = lambda name, opcode: [t.get("tftp.source_file") for t in by_name[name].values()
                                           if t.get("tftp.opcode") == opcode]
        acks = [t for t in by_name["healthy"].values() if t.get("dhcp.option.dhcp") == "5"]
        self.assertEqual(len(acks), 3)
        self.assertTrue(all(t["dhcp.option.tftp_server_address"] == ["10.77.0.1"] for t in acks))
        self.assertTrue(all("dhcp.option.tftp_server_address" not in t
                            for t in by_name["no_option_150"].values()))
        self.assertEqual(tftp_files("config_loop", "1").count("SEP00AABB000001.cnf.xml.sgn"), 4)
        self.assertEqual(tftp_files("firmware_loop", "1").count("SCCP45.9-4-2SR4-3S.loads"), 12)
        self.assertIn("XMLDefault.cnf.xml", tftp_files("not_provisioned", "1"))
        # The server is down: requests only, never an answer.
        self.assertEqual([t for t in by_name["tftp_down"].values() if t.get("tftp.opcode") not in (None, "1")], [])
        self.assertGreaterEqual(len(tftp_files("tftp_down", "1")), 3 * 3 * 4)  # 3 phones, 3 files, 4 tries


if __name__ == "__main__":
    unittest.main()
