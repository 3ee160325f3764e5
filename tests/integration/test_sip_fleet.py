"""The simulator's SIP phones (tools/sccp_sim, --sip-phones) through the agent (--replay-pcap of
the simulator's capture) and the collector: the same CM fault seen on SIP phones and on SCCP
phones makes the same incident (class, scope, top cause), and a mixed SCCP/SIP fleet's burst
counts each phone once. The simulator's JSON lines are the ground truth."""
import collections
import json
import unittest

from harness import RegwatchTestCase, run_simulator, wait_for
from sip_support import tshark_sip

START = "2026-11-20T18:00:00Z"


class SipFleetTest(RegwatchTestCase):
    def incidents(self, collector):
        out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z",
                       "--format", "json").stdout
        return json.loads(out)

    def incident_with(self, collector, phones, what, timeout=60):
        def found():
            return next((i for i in self.incidents(collector) if i["phone_count"] == phones), None)
        return wait_for(found, timeout, interval=0.2, what=what)

    def simulate_and_replay(self, name, *sim_args):
        """Runs the simulator with a pcap, replays it through an agent watching its SCCP and
        SIP ports into a collector of its own; returns (collector, the simulator's lines)."""
        pcap = self.path(f"{name}.pcap")
        lines = run_simulator(self, "--start-time", START, "--pcap", pcap, *sim_args)
        ports = {line["event"]: line["address"].rsplit(":", 1)[1] for line in lines
                 if line["event"] in ("cm_listening", "sip_listening")}
        config = self.path(f"{name}.yaml")
        with open(config, "w") as f:
            f.write(f"sccp: {{ports: [{ports['cm_listening']}]}}\n")
            if "sip_listening" in ports:
                f.write(f"sip: {{ports: [{ports['sip_listening']}]}}\n")
        collector = self.start_collector(name=f"collector-{name}", db=self.path(f"{name}.db"))
        agent = self.start_agent(collector.address, name=f"agent-{name}", agent_id=name,
                                 extra=["--config", config, "--replay-pcap", pcap])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        return collector, lines

    def test_the_simulators_sip_capture_reads_the_same_in_tshark(self):
        """The simulator's own account (its JSON lines and counts) against tshark's sip dissector
        on its pcap: every REGISTER sent (retransmissions too) and every answer is in the
        capture, with good checksums, and the fields the watcher reads are there."""
        pcap = self.path("sim.pcap")
        lines = run_simulator(self, "--start-time", START, "--pcap", pcap, "--phones", "2",
                              "--sip-phones", "6", "--sip-transport", "mixed", "--sip-expires", "12",
                              "--keepalive", "5", "--time-scale", "10", "--duration", "60",
                              "--unknown", "1", "--fault", "stall@20:8", "--fault", "restart@35:3",
                              "--fault", "unregister@45:8", "--fault", "reject@50")
        summary = lines[-1]
        port = next(l for l in lines if l["event"] == "sip_listening")["address"].rsplit(":", 1)[1]
        rows = tshark_sip(pcap, port, "sip.Method", "sip.Status-Code", "sip.Expires",
                          "sip.contact.parameter", "sip.Reason", "sip.Warning", "udp.checksum.status",
                          "tcp.checksum.status", "ip.proto")
        self.assertTrue(rows)
        registers = [r for r in rows if r[0] == "REGISTER"]
        answers = collections.Counter(r[1] for r in rows if r[1])
        self.assertEqual(len(registers), summary["sip_registers_sent"] + summary["sip_retransmissions"])
        self.assertEqual(answers["401"], summary["cm_sip_challenges"])
        self.assertEqual(answers["403"], summary["cm_sip_rejects"])
        self.assertEqual(sum(answers.values()), summary["cm_sip_registers"])
        self.assertGreater(summary["cm_sip_dropped"], 0)  # the stall and the restart
        self.assertGreater(summary["sip_retransmissions"], 0)  # UDP phones in the stall
        self.assertTrue(all(r[6] in ("", "1") and r[7] in ("", "1") for r in rows))  # 1: good
        self.assertEqual({r[8] for r in rows}, {"6", "17"})  # TCP and UDP phones
        granted = [r for r in rows if r[1] == "200" and r[2] == "12"]
        self.assertTrue(granted)
        self.assertTrue(all("+u.sip!devicename.ccm.cisco.com=" in r[3] for r in registers))
        # The TCP phones (odd indexes) re-registered after the restart with the cisco-alarm.
        tcp_phones = {f"SEP00AA{i:08X}" for i in range(3, 9, 2)}
        reasons = {r[4] for r in rows if r[4]}
        for name in tcp_phones:
            self.assertIn(f'SIP;cause=200;text="cisco-alarm:25 Name={name} '
                          f'Load=sip88xx.14-2-1-0001-14 Last=cm-closed-tcp"', reasons)
        self.assertEqual(len(reasons), len(tcp_phones))
        self.assertEqual({r[5] for r in rows if r[1] == "403"}, {'399 127.0.0.1 "Unknown Device"'})
        rejected = [l for l in lines if l["event"] == "rejected"]
        self.assertEqual({l["phone"] for l in rejected}, {"SEP00AA00000008"})

    def test_a_cm_stall_then_restart_is_the_same_incident_on_sip_and_sccp_phones(self):
        """40 phones on the simulated CM, which stalls 15 s (nothing answered: SCCP KeepAlives
        and SIP refreshes alike) and then restarts (every TCP connection reset). SCCP phones keep
        alive every 10 s; SIP phones over TCP are granted Expires 10 and refresh every 5 s."""
        faults = ["--time-scale", "10", "--duration", "90", "--fault", "stall@25:15",
                  "--fault", "restart@60:5"]
        sccp, sccp_lines = self.simulate_and_replay("sccp", "--phones", "40", "--keepalive", "10",
                                                    *faults)
        sip, sip_lines = self.simulate_and_replay("sip", "--phones", "0", "--sip-phones", "40",
                                                  "--sip-transport", "tcp", "--sip-expires", "10",
                                                  *faults)
        for lines in (sccp_lines, sip_lines):
            restart = next(l for l in lines if l["event"] == "fault_start" and l["fault"] == "restart")
            self.assertEqual(restart["connections_reset"], 40)
        sip_registered = [l for l in sip_lines if l["event"] == "registered"]
        self.assertTrue(all(l["protocol"] == "sip" for l in sip_registered))
        # Every SIP phone registered again after the restart, telling why on the wire.
        again = {l["phone"] for l in sip_registered if l["reason_last"] == "cm-closed-tcp"}
        self.assertEqual(len(again), 40)

        expected = self.incident_with(sccp, 40, "the SCCP fleet's incident")
        got = self.incident_with(sip, 40, "the SIP fleet's incident")
        self.assertEqual(len(self.incidents(sip)), 1, self.incidents(sip))
        self.assertEqual(got["class"], expected["class"])
        self.assertEqual(got["scope"], expected["scope"])
        self.assertEqual(got["phones_by_cm"], expected["phones_by_cm"])
        self.assertEqual((got["causes"][0]["kind"], got["causes"][0]["subject"]),
                         (expected["causes"][0]["kind"], expected["causes"][0]["subject"]))
        self.assertEqual(got["causes"][0]["kind"], "cm_restart")
        # The stall before the restart is seen on the SIP phones too: the runner-up cause.
        self.assertEqual([(c["kind"], c["subject"]) for c in got["causes"][1:2]],
                         [(c["kind"], c["subject"]) for c in expected["causes"][1:2]])
        lost = self.events(sip.address, "--kind", "connection_lost")
        self.assertEqual(len({e["device"] for e in lost}), 40)
        self.assertTrue(all(e["source"] == "sip" for e in lost))
        # The re-registrations carry the phone's own account of the loss.
        registered = self.events(sip.address, "--kind", "phone_registered")
        after = [e for e in registered if e["last_loss"] == "cm-closed-tcp"]
        self.assertEqual(len({e["device"] for e in after}), 40)
        self.assertTrue(all(e["keepalive_interval_s"] == 10 and e["transport"] == "tcp"
                            for e in registered))

    def test_a_mixed_fleets_burst_counts_each_phone_once(self):
        """20 SCCP and 20 SIP phones (over TCP: a restart shows on the wire as resets) on one simulated CM that
        restarts: one incident of 40 phones, each phone in it once, whichever protocol and
        whatever events the loss gave it."""
        collector, lines = self.simulate_and_replay(
            "mixed", "--phones", "20", "--keepalive", "10", "--sip-phones", "20",
            "--sip-transport", "tcp", "--sip-expires", "10", "--time-scale", "10",
            "--duration", "60", "--fault", "restart@30:5")
        by_protocol = collections.Counter(l.get("protocol", "sccp") for l in lines
                                          if l["event"] == "registered" and l["t_us"] <
                                          next(x["t_us"] for x in lines if x["event"] == "fault_start"))
        self.assertEqual(by_protocol, {"sccp": 20, "sip": 20})
        i = self.incident_with(collector, 40, "the mixed fleet's incident")
        self.assertEqual(len(self.incidents(collector)), 1, self.incidents(collector))
        self.assertEqual(i["phones_by_cm"], {"127.0.0.1": 40})
        self.assertEqual(i["causes"][0]["kind"], "cm_restart")
        lost = self.events(collector.address, "--kind", "connection_lost")
        devices = collections.defaultdict(set)
        for e in lost:
            devices[e["source"]].add(e["device"])
        self.assertEqual({k: len(v) for k, v in devices.items()}, {"sccp": 20, "sip": 20})
        self.assertFalse(devices["sccp"] & devices["sip"])


if __name__ == "__main__":
    unittest.main()
