"""Forged syslog and traps are kept, flagged, counted and never paged (issue 17).

A live agent lists which addresses may speak for CUCM node ucm-sub1 (127.0.0.1 only). Twenty
unregistrations claiming ucm-sub1 arrive from 127.0.0.2: each is stored with its sender's
address and flagged spoofed, `regwatch status` counts them, `events --spoofed` lists them, and
no incident comes of them. The same burst sent genuinely for an unlisted node, ucm-sub2, in
the same run, becomes an incident: correlation did run, and only the forgery was left out.
A v1 trap whose agent-addr claims a listed switch, sent from elsewhere, is flagged the same
way; its sender and the address it states are both kept."""
import json
import socket
import subprocess
import unittest

from harness import RegwatchTestCase, free_port, wait_for

PHONES = 20
LINE = ("<187>{n}: {node}: Nov 20 2026 09:00:{s:02d}.000 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: "
        "%[DeviceName=SEP{mac:012X}][IPAddress=10.1.1.{n}][Protocol=SCCP][DeviceType=115][Reason=13]"
        "[AppID=Cisco CallManager][ClusterID=PROD][NodeID={node}]: An endpoint has unregistered")


def send_from(source, port, lines):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        for line in lines:
            s.sendto(line.encode(), ("127.0.0.1", port))


def burst(node, first_mac):
    return [LINE.format(n=n + 1, node=node, s=n, mac=first_mac + n) for n in range(PHONES)]


class SpoofedSenderTest(RegwatchTestCase):
    def start(self):
        collector = self.start_collector()
        port = free_port(socket.SOCK_DGRAM)
        trap_port = free_port(socket.SOCK_DGRAM)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write("origin_senders:\n"
                    "  - origin: ucm-sub1.voice.example.net\n"  # the domain does not matter
                    "    from: [127.0.0.1]\n"
                    "  - origin: 127.0.0.9\n"
                    "    from: [127.0.0.9/32]\n")
        agent = self.start_agent(collector.address, extra=[
            "--config", config, "--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", "",
            "--snmp-traps", f"127.0.0.1:{trap_port}"])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        return collector, agent, port, trap_port

    def incidents(self, collector):
        out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z",
                       "--format", "json").stdout
        return json.loads(out)

    def test_forged_cucm_burst_is_kept_flagged_and_never_an_incident(self):
        collector, agent, port, _ = self.start()
        send_from("127.0.0.2", port, burst("ucm-sub1", 0x001794000000))   # forged
        send_from("127.0.0.1", port, burst("ucm-sub2", 0x001795000000))   # genuine, unlisted
        send_from("127.0.0.1", port, [LINE.format(n=99, node="ucm-sub1", s=30, mac=0x001796000000)])
        wait_for(lambda: len(self.events(collector.address, "--kind", "phone_unregistered")) == 2 * PHONES + 1,
                 30, what="every line stored")

        forged = self.events(collector.address, "--spoofed")
        self.assertEqual(len(forged), PHONES)
        for event in forged:
            self.assertEqual(event["origin"], "ucm-sub1")
            self.assertEqual(event["sender_address"], "127.0.0.2")
            self.assertTrue(event["spoofed"])
        genuine = self.events(collector.address, "--origin", "ucm-sub1")
        own = [e for e in genuine if not e["spoofed"]]
        self.assertEqual(len(own), 1)
        self.assertEqual(own[0]["sender_address"], "127.0.0.1")

        incidents = wait_for(lambda: self.incidents(collector), 30, what="the genuine incident")
        self.assertEqual([i["scope"]["name"] for i in incidents], ["ucm-sub2"])
        self.assertEqual(len(incidents[0]["phones"]), PHONES)

        status = json.loads(self.cli(collector.address, "status", "--format", "json").stdout)
        self.assertEqual(status["agents"][0]["spoofed"], PHONES)
        table = self.cli(collector.address, "events", "--spoofed", "--limit", "1").stdout
        self.assertIn("SPOOFED from 127.0.0.2", table)
        self.assertIn("claims origin ucm-sub1", agent.stderr())

    def test_trap_stating_a_listed_address_from_elsewhere_is_flagged(self):
        collector, agent, _, trap_port = self.start()
        # A v1 linkDown whose agent-addr says 127.0.0.9, sent from 127.0.0.1.
        subprocess.run(["snmptrap", "-v1", "-c", "public", f"127.0.0.1:{trap_port}",
                        "1.3.6.1.4.1.9", "127.0.0.9", "2", "0", "",
                        "1.3.6.1.2.1.2.2.1.1.7", "i", "7"], check=True, timeout=10)
        events = wait_for(lambda: self.events(collector.address, "--kind", "link_down"), 30,
                          what="the trap's event")
        event = events[0]
        self.assertEqual(event["origin"], "127.0.0.9")
        self.assertEqual(event["sender_address"], "127.0.0.1")
        self.assertEqual(event["stated_address"], "127.0.0.9")
        self.assertTrue(event["relayed"])
        self.assertTrue(event["spoofed"])


if __name__ == "__main__":
    unittest.main()
