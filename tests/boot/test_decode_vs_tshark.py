"""The boot parsers against tshark's dhcp and tftp dissectors: boot_dump_main dumps a capture as
BootPacketDump does for `regwatch-agent --decode-pcap`, and every field the dump prints must be
what tshark reads from the same frame. The captures: the sample boot it writes itself
(tests/boot/boot_frames.h: option overload aside, every field the dump has), and every scenario
recorded against dnsmasq in tests/data/boot/*.pcap (real DHCP and TFTP servers).
Binaries: $BOOT_DUMP_MAIN (set by ctest)."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

DUMP = os.environ.get("BOOT_DUMP_MAIN",
                      os.path.join(os.path.dirname(__file__), "..", "..", "build", "tests", "boot",
                                   "boot_dump_main"))

DHCP_FIELDS = ["frame.number", "dhcp.type", "dhcp.option.dhcp", "dhcp.id", "dhcp.hw.mac_addr",
               "dhcp.ip.client", "dhcp.ip.your", "dhcp.ip.server", "dhcp.ip.relay",
               "dhcp.flags.bc", "dhcp.option.type", "dhcp.option.tftp_server_address",
               "dhcp.option.tftp_server_name", "dhcp.option.vendor_class_id",
               "dhcp.option.hostname", "dhcp.option.ip_address_lease_time",
               "dhcp.option.dhcp_server_id", "dhcp.option.requested_ip_address"]
TFTP_FIELDS = ["frame.number", "tftp.opcode", "tftp.source_file", "tftp.destination_file",
               "tftp.type", "tftp.block", "tftp.error.code", "tftp.error.message",
               "tftp.option.name", "tftp.option.value", "udp.length"]
# tshark's DHCP message type numbers, as the dump names them.
DHCP_TYPES = {"1": "discover", "2": "offer", "3": "request", "5": "ack", "6": "nak"}
TFTP_OPCODES = {"1": "rrq", "2": "wrq", "3": "data", "4": "ack", "5": "error", "6": "oack"}


def tshark_rows(pcap, display_filter, fields):
    """One dict per frame tshark shows for the filter: field -> list of values."""
    args = ["tshark", "-r", pcap, "-Y", display_filter, "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=|"]
    for field in fields:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    rows = {}
    for line in out.stdout.splitlines():
        values = line.split("\t")
        row = {field: (value.split("|") if value else []) for field, value in zip(fields, values)}
        rows[int(row["frame.number"][0])] = row
    return rows


def one(row, field):
    values = row.get(field, [])
    return values[0] if values else None


DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "boot")


@unittest.skipUnless(shutil.which("tshark"), "tshark is not installed (tools/setup.sh installs it)")
class DecodeVsTshark(unittest.TestCase):
    """The sample boot capture: every check below, with minimum counts."""
    MIN_FRAMES, MIN_DHCP, MIN_TFTP = 15, 5, 12

    @classmethod
    def capture(cls, tmp):
        pcap = os.path.join(tmp, "boot.pcap")
        subprocess.run([DUMP, "--write-sample", pcap], check=True, timeout=60)
        return pcap

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="boot-tshark-")
        cls.pcap = cls.capture(cls.tmp)
        out = subprocess.run([DUMP, cls.pcap], capture_output=True, text=True, timeout=60,
                             check=True)
        cls.lines = [json.loads(line) for line in out.stdout.splitlines()]
        # Not the datagrams quoted in ICMP errors (port unreachable from a TFTP server that is
        # down): tshark dissects them, the dump reads only what travels as UDP.
        cls.dhcp = tshark_rows(cls.pcap, "dhcp && !icmp", DHCP_FIELDS)
        cls.tftp = tshark_rows(cls.pcap, "tftp && !icmp", TFTP_FIELDS)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_same_frames_are_dhcp_and_tftp(self):
        ours = {(line["frame"], line["proto"]) for line in self.lines}
        theirs = {(frame, "dhcp") for frame in self.dhcp} | {(frame, "tftp") for frame in self.tftp}
        self.assertEqual(ours, theirs)
        self.assertGreaterEqual(len(ours), self.MIN_FRAMES)

    def test_dhcp_fields(self):
        checked = 0
        for line in self.lines:
            if line["proto"] != "dhcp":
                continue
            row = self.dhcp[line["frame"]]
            with self.subTest(frame=line["frame"]):
                if "error" in line:
                    # tshark shows a malformed option as an expert error; the dump names it.
                    self.assertEqual(line["error"], "truncated_option")
                    continue
                self.assertEqual(str(line["op"]), one(row, "dhcp.type"))
                self.assertEqual(line["type"], DHCP_TYPES[one(row, "dhcp.option.dhcp")])
                self.assertEqual(int(line["xid"], 16), int(one(row, "dhcp.id"), 16))
                self.assertEqual(line["chaddr"], one(row, "dhcp.hw.mac_addr"))
                self.assertEqual(line["ciaddr"], one(row, "dhcp.ip.client"))
                self.assertEqual(line["yiaddr"], one(row, "dhcp.ip.your"))
                self.assertEqual(line["siaddr"], one(row, "dhcp.ip.server"))
                self.assertEqual(line["giaddr"], one(row, "dhcp.ip.relay"))
                self.assertEqual(line["broadcast"], one(row, "dhcp.flags.bc") in ("1", "True"))
                # tshark lists END (255) and pads (0) as options too; the dump lists options with
                # a value.
                self.assertEqual(line["options"],
                                 [int(code) for code in row["dhcp.option.type"]
                                  if code not in ("0", "255")])
                self.assertEqual(line.get("tftp_servers", []),
                                 row["dhcp.option.tftp_server_address"])
                self.assertEqual(line.get("tftp_server_name"), one(row, "dhcp.option.tftp_server_name"))
                self.assertEqual(line.get("vendor_class"), one(row, "dhcp.option.vendor_class_id"))
                self.assertEqual(line.get("hostname"), one(row, "dhcp.option.hostname"))
                lease = one(row, "dhcp.option.ip_address_lease_time")
                self.assertEqual(line.get("lease_time_s"), int(lease) if lease else None)
                self.assertEqual(line.get("server_id"), one(row, "dhcp.option.dhcp_server_id"))
                self.assertEqual(line.get("requested_ip"),
                                 one(row, "dhcp.option.requested_ip_address"))
                checked += 1
        self.assertGreaterEqual(checked, self.MIN_DHCP)

    def test_tftp_fields(self):
        checked = 0
        for line in self.lines:
            if line["proto"] != "tftp":
                continue
            row = self.tftp[line["frame"]]
            with self.subTest(frame=line["frame"]):
                self.assertEqual(line["opcode"], TFTP_OPCODES[one(row, "tftp.opcode")])
                if line["opcode"] == "rrq":
                    self.assertEqual(line["file"], one(row, "tftp.source_file"))
                if line["opcode"] == "wrq":
                    self.assertEqual(line["file"], one(row, "tftp.destination_file"))
                self.assertEqual(line.get("mode"), one(row, "tftp.type"))
                block = one(row, "tftp.block")
                self.assertEqual(line.get("block"), int(block) if block is not None else None)
                if line["opcode"] == "data":
                    self.assertEqual(line["data_bytes"], int(one(row, "udp.length")) - 8 - 4)
                code = one(row, "tftp.error.code")
                self.assertEqual(line.get("error_code"), int(code) if code else None)
                self.assertEqual(line.get("error_text"), one(row, "tftp.error.message"))
                self.assertEqual(line.get("options", {}),
                                 dict(zip(row["tftp.option.name"], row["tftp.option.value"])))
                checked += 1
        self.assertGreaterEqual(checked, self.MIN_TFTP)


def scenario_case(path):
    """The same checks on one scenario capture: at least its DHCP exchange; TFTP when it has."""
    class Scenario(DecodeVsTshark):
        MIN_FRAMES, MIN_DHCP, MIN_TFTP = 2, 2, 0

        @classmethod
        def capture(cls, tmp):
            return path

    Scenario.__name__ = Scenario.__qualname__ = (
        "Scenario_" + os.path.splitext(os.path.basename(path))[0])
    return Scenario


for _path in sorted(glob.glob(os.path.join(DATA, "*.pcap"))):
    globals()[scenario_case(_path).__name__] = scenario_case(_path)
del _path


if __name__ == "__main__":
    unittest.main()
