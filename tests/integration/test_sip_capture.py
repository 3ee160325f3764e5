"""SIP registration on the wire with real parts: sipp as Cisco phones (tests/data/sip/sipp:
digest auth, refreshes, Expires: 0, the boot REGISTER's Reason header) against Kamailio as the
registrar, and against sipp as a registrar that rejects (403 with a Warning, 503) or stalls.
The agent captures lo live (`--capture lo`, its `sip:` section on the registrar's port), the
collector stores, and the CLI (`regwatch events`, `regwatch explain`) shows each event, field by
field; the decoded fields are checked against tshark's sip dissector on a tcpdump of the same
traffic."""
import json
import os
import re
import unittest

from harness import RegwatchTestCase, wait_for
from sip_support import (Kamailio, Sipp, Tcpdump, free_sip_port, phones,
                         phones_sipp, tshark_sip, write_phones)

PHONES = phones()


@unittest.skipUnless(os.geteuid() == 0, "live capture on lo needs root (CAP_NET_RAW)")
class SipCaptureTest(RegwatchTestCase):
    def start(self, sip_ports, grace_s=15):
        """Collector, then the agent capturing lo with its sip: section on sip_ports (a port or
        a list of them)."""
        if isinstance(sip_ports, int):
            sip_ports = [sip_ports]
        collector = self.start_collector()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"""syslog: {{udp: "", tcp: ""}}
sip:
  ports: [{", ".join(str(p) for p in sip_ports)}]
  refresh_grace_s: {grace_s}
  unanswered_after_ms: 1000
  latency_window_s: 2
  slow_threshold_ms: 500
  slow_min_phones: 3
""")
        agent = self.start_agent(collector.address, extra=["--config", config, "--capture", "lo"])
        wait_for(lambda: re.search(r"capturing .* on lo", agent.stderr()), 30,
                 what="the capture to start")
        return collector, agent

    def kinds(self, collector, kind):
        return self.events(collector.address, "--kind", kind)

    def wait_kind(self, collector, kind, count, timeout=30):
        return wait_for(lambda: (lambda e: e if len({x["device"] for x in e}) >= count else None)(
            self.kinds(collector, kind)), timeout, what=f"{count} phones' {kind}")

    def test_kamailio_registers_refreshes_and_unregisters_phones(self):
        kamailio = Kamailio(self, max_expires=120)
        collector, agent = self.start(kamailio.port)
        dump = Tcpdump(self, self.path("sip.pcap"), [kamailio.port])
        sipp = phones_sipp(self, kamailio.address, refreshes=2, refresh_ms=500, unregister=True)
        self.assertEqual(sipp.wait(60), 0, sipp.process.stdout()[-2000:])
        # Each phone: boot, two refreshes, unregister; each REGISTER challenged once.
        # (Kamailio logs each save after its answer went out: wait for the last line.)
        wait_for(lambda: kamailio.saved() == 4 * len(PHONES), 10, what="Kamailio's saves")

        registered = self.wait_kind(collector, "phone_registered", len(PHONES))
        unregistered = self.wait_kind(collector, "phone_unregistered", len(PHONES))
        dump.stop()
        # Registered once per phone: refreshes are keepalives, not new registrations.
        self.assertEqual(sorted(e["device"] for e in registered), [p["device"] for p in PHONES])
        for phone in PHONES:
            with self.subTest(device=phone["device"]):
                e = next(x for x in registered if x["device"] == phone["device"])
                self.assertEqual(e["source"], "sip")
                self.assertEqual(e["protocol"], "SIP")
                mac = phone["mac"]
                self.assertEqual(e["mac"], ":".join(mac[i:i + 2] for i in range(0, 12, 2)))
                self.assertEqual(e["keepalive_interval_s"], 120)  # Kamailio's max_expires
                self.assertEqual(e["cm_address"], kamailio.address)
                self.assertEqual(e["load_name"], phone["load"])
                self.assertEqual(e["last_loss"], phone["last"])
                self.assertEqual(e["cisco_alarm"], 25)
                self.assertEqual(e["user_agent"], "Cisco-CP8845/14.2.1")
                self.assertEqual(e["transport"], "udp")
                self.assertEqual(e["via_proxy"], "")
                self.assertEqual(e["ip"], "127.0.0.1")
                u = next(x for x in unregistered if x["device"] == phone["device"])
                self.assertEqual(u["source"], "sip")
                self.assertEqual(u["cm_address"], kamailio.address)
                # The To's address of record as event.proto documents it ("sip:1001@cucm").
                self.assertEqual(e["line"], f"sip:{phone['dn']}@127.0.0.1")
        # The last_loss words the table knows are named and classed.
        by_device = {e["device"]: e for e in registered}
        self.assertEqual(by_device["SEP00AB00000001"]["last_loss_name"], "TCPucmClosedConnection")
        self.assertEqual(self.kinds(collector, "phone_registration_failed"), [])
        self.assertEqual(self.kinds(collector, "keepalive_missed"), [])
        self.assertEqual(self.kinds(collector, "keepalive_unanswered"), [])

        # The same fields as tshark's sip dissector reads them from a capture of the traffic.
        rows = tshark_sip(dump.path, kamailio.port, "sip.Status-Code", "sip.CSeq.method",
                          "sip.contact.parameter", "sip.Reason", "sip.User-Agent", "sip.To")
        granted = [r for r in rows if r[0] == "200" and "expires=120" in r[2]]
        self.assertEqual(len(granted), 3 * len(PHONES))  # boot and two refreshes each
        reasons = {r[3] for r in rows if r[3]}
        for phone in PHONES:
            self.assertIn(f'SIP;cause=200;text="cisco-alarm:25 Name={phone["device"]} '
                          f'Load={phone["load"]} Last={phone["last"]}"', reasons)
        self.assertIn("Cisco-CP8845/14.2.1", {r[4] for r in rows})

        # explain: the phone's last state is its clean unregistration.
        d = json.loads(self.cli(collector.address, "explain", "SEP00AB00000001", "--format",
                                "json").stdout)
        self.assertEqual(d["device"], "SEP00AB00000001")
        self.assertEqual(d["state"], "unregistered")
        self.assertLessEqual({"phone_registered", "phone_unregistered"},
                             {t["kind"] for t in d["timeline"]})
        text = self.cli(collector.address, "explain", "SEP00AB00000001").stdout
        self.assertIn("SEP00AB00000001", text)
        self.assertEqual(agent.terminate(), 0)

    def test_killed_phones_are_missed_over_udp_and_lose_their_tcp_connection(self):
        # Kamailio grants 3 s; the phones refresh every 1.5 s, two over UDP, one over TCP (a
        # connection of its own), from two sipp processes. Both are then killed, as phones
        # losing power: no refresh follows, and the kernel closes the TCP phone's connection.
        kamailio = Kamailio(self, max_expires=3)
        collector, agent = self.start(kamailio.port, grace_s=1)
        udp_csv, tcp_csv = self.path("udp.csv"), self.path("tcp.csv")
        write_phones(udp_csv, PHONES[:2])
        write_phones(tcp_csv, PHONES[2:3])
        over_udp = phones_sipp(self, kamailio.address, inf=udp_csv, refreshes=1000,
                               refresh_ms=1500, transport="un", name="phones-udp")
        over_tcp = phones_sipp(self, kamailio.address, inf=tcp_csv, refreshes=1000,
                               refresh_ms=1500, transport="tn", name="phones-tcp")
        registered = self.wait_kind(collector, "phone_registered", len(PHONES))
        transports = {e["device"]: e["transport"] for e in registered}
        self.assertEqual(transports, {PHONES[0]["device"]: "udp", PHONES[1]["device"]: "udp",
                                      PHONES[2]["device"]: "tcp"})
        self.assertTrue(all(e["keepalive_interval_s"] == 3 for e in registered), registered)
        wait_for(lambda: kamailio.saved() >= 2 * len(PHONES), 20, what="a refresh of each phone")
        over_udp.kill()
        over_tcp.kill()
        over_udp_devices = {PHONES[0]["device"], PHONES[1]["device"]}
        missed = wait_for(lambda: (lambda e: e if over_udp_devices <= {x["device"] for x in e}
                                   else None)(self.kinds(collector, "keepalive_missed")),
                          30, what="keepalive_missed of the UDP phones")
        for e in (x for x in missed if x["device"] in over_udp_devices):
            self.assertEqual(e["source"], "sip")
            self.assertEqual(e["keepalive_interval_s"], 3)
            self.assertGreaterEqual(e["silent_for_ms"], 3000 + 1000)  # Expires + grace
            self.assertEqual(e["cm_address"], kamailio.address)
        lost = self.wait_kind(collector, "connection_lost", 1)
        self.assertEqual({e["device"] for e in lost}, {PHONES[2]["device"]})
        self.assertEqual(lost[0]["source"], "sip")
        self.assertTrue(lost[0]["closed_by"].startswith("phone"), lost[0])
        self.assertEqual(agent.terminate(), 0)

    def test_registrars_refusing_with_403_and_503(self):
        refusing, overloaded = free_sip_port(), free_sip_port()
        collector, agent = self.start([refusing, overloaded])
        Sipp(self, "registrar_reject", port=refusing, transport="u1")
        Sipp(self, "registrar_unavailable", port=overloaded, transport="u1")
        one, two = self.path("one.csv"), self.path("two.csv")
        write_phones(one, PHONES[:1])
        write_phones(two, PHONES[1:2])
        for remote, inf, name in ((refusing, one, "phones-403"), (overloaded, two, "phones-503")):
            sipp = phones_sipp(self, f"127.0.0.1:{remote}", inf=inf, name=name)
            self.assertEqual(sipp.wait(30), 0, sipp.process.stdout()[-2000:])
        failed = {e["device"]: e for e in self.wait_kind(collector, "phone_registration_failed", 2)}
        self.assertEqual(sorted(failed), [PHONES[0]["device"], PHONES[1]["device"]])
        # 403 after the challenge, with the registrar's Warning.
        e = failed[PHONES[0]["device"]]
        self.assertEqual(e["source"], "sip")
        self.assertEqual(e["sip_status"], 403)
        self.assertTrue(e["reason"].startswith("403 Forbidden"), e["reason"])
        self.assertIn("Device not configured", e["reason"])
        self.assertEqual(e["cm_address"], f"127.0.0.1:{refusing}")
        # 503 before any challenge.
        e = failed[PHONES[1]["device"]]
        self.assertEqual(e["sip_status"], 503)
        self.assertTrue(e["reason"].startswith("503 Service Unavailable"), e["reason"])
        self.assertIn("Call processing overloaded", e["reason"])
        self.assertEqual(e["cm_address"], f"127.0.0.1:{overloaded}")
        self.assertEqual(self.kinds(collector, "phone_registered"), [])
        self.assertEqual(agent.terminate(), 0)

    def test_a_stalled_registrar_leaves_refreshes_unanswered(self):
        port = free_sip_port()
        collector, agent = self.start(port)
        Sipp(self, "registrar_stall", port=port, transport="u1")
        # -nr: no retransmissions, so each refresh is one unanswered REGISTER.
        sipp = phones_sipp(self, f"127.0.0.1:{port}", refreshes=1000, refresh_ms=1000,
                           extra=["-nr"])
        registered = self.wait_kind(collector, "phone_registered", len(PHONES))
        self.assertTrue(all(e["keepalive_interval_s"] == 120 for e in registered), registered)
        unanswered = self.wait_kind(collector, "keepalive_unanswered", len(PHONES))
        for e in unanswered:
            self.assertEqual(e["source"], "sip")
            self.assertEqual(e["cm_address"], f"127.0.0.1:{port}")
            self.assertGreaterEqual(e["silent_for_ms"], 1000)
        slow = wait_for(lambda: self.kinds(collector, "cm_slow"), 30, what="cm_slow")
        self.assertEqual(slow[0]["source"], "sip")
        self.assertEqual(slow[0]["cm_node"], "127.0.0.1")
        sipp.kill()
        self.assertEqual(agent.terminate(), 0)


if __name__ == "__main__":
    unittest.main()
