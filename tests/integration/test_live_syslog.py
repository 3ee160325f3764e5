"""Lines sent by util-linux `logger` over UDP and TCP reach a live agent, cross the gRPC
stream, and are queryable through `regwatch` with their parsed fields."""
import subprocess
import unittest

from harness import RegwatchTestCase, free_port, wait_for

CUCM_LINE = ("41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.454 UTC: "
             "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPE0D1730A8137]"
             "[IPAddress=10.60.98.210][Protocol=SIP][DeviceType=592][Description=Phone][Reason=13]"
             "[IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout]"
             "[AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: "
             "An endpoint has unregistered")
SWITCH_LINE = "344: .Sep 21 2026 09:22:02.684 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down"


def logger(port, transport, message, *extra):
    subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(port), transport, "--rfc3164",
                    "--priority", "local7.err", *extra, message], check=True, timeout=10)


class LiveSyslogTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.collector = self.start_collector()
        self.port = free_port()
        self.agent = self.start_agent(self.collector.address, extra=[
            "--syslog-udp", f"127.0.0.1:{self.port}", "--syslog-tcp", f"127.0.0.1:{self.port}"])
        wait_for(lambda: "receiving syslog" in self.agent.stderr(), 30, what="agent to listen")

    def wait_device(self, device):
        return wait_for(lambda: self.events(self.collector.address, "--device", device), 30,
                        what=f"events of {device}")

    def test_udp_cucm_alarm_is_stored_with_its_fields(self):
        logger(self.port, "--udp", CUCM_LINE)
        event = self.wait_device("SEPE0D1730A8137")[0]
        self.assertEqual(event["kind"], "phone_unregistered")
        self.assertEqual(event["device"], "SEPE0D1730A8137")
        self.assertEqual(event["mac"], "e0:d1:73:0a:81:37")
        self.assertEqual(event["ip"], "10.60.98.210")
        self.assertEqual(event["protocol"], "SIP")
        self.assertEqual(event["reason_code"], 13)
        self.assertEqual(event["reason"], "KeepAliveTimeout")
        self.assertEqual(event["cm_node"], "uc-ucm-01")
        self.assertEqual(event["event_time"], "2015-07-02T06:22:31.454Z")
        self.assertEqual(event["agent_id"], "test-agent")
        self.assertEqual(event["source"], "syslog")

    def test_tcp_octet_counted_switch_line(self):
        logger(self.port, "--tcp", SWITCH_LINE, "--octet-count")
        events = wait_for(lambda: self.events(self.collector.address, "--kind", "link_down"), 30,
                          what="link_down event")
        self.assertEqual(events[0]["interface"], "GigabitEthernet1/0/12")
        self.assertEqual(events[0]["event_time"], "2026-09-21T09:22:02.684Z")

    def test_many_lines_over_tcp_all_arrive_once(self):
        lines = [CUCM_LINE.replace("SEPE0D1730A8137", f"SEP0000000{i:05d}") for i in range(300)]
        with open(self.path("batch.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(self.port), "--tcp",
                        "--octet-count", "--rfc3164", "-f", self.path("batch.txt")], check=True, timeout=30)
        wait_for(lambda: len(self.events(self.collector.address, "--kind", "phone_unregistered")) >= 300,
                 30, what="300 events")
        events = self.events(self.collector.address, "--kind", "phone_unregistered")
        self.assertEqual(len(events), 300)
        self.assertEqual(len({e["device"] for e in events}), 300)

    def test_timeline_and_table_output(self):
        logger(self.port, "--udp", CUCM_LINE)
        self.wait_device("SEPE0D1730A8137")
        table = self.cli(self.collector.address, "timeline", "SEPE0D1730A8137").stdout
        self.assertIn("phone_unregistered", table)
        self.assertIn("KeepAliveTimeout", table)
        csv_out = self.cli(self.collector.address, "events", "--device", "SEPE0D1730A8137",
                           "--format", "csv").stdout.splitlines()
        self.assertIn("device", csv_out[0].split(","))
        self.assertEqual(len(csv_out), 2)


if __name__ == "__main__":
    unittest.main()
