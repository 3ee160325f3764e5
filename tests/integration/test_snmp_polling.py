"""The agent polls a simulated CUCM node (snmpsim) and a real snmpd; CPU samples, a CPU peg,
registered-phone counts and a dead target arrive at the collector as typed events."""
import subprocess
import unittest

import socket

from harness import RegwatchTestCase, SnmpSim, free_port, wait_for

CUCM = ("1.3.6.1.2.1.1.3.0|67|123456\n"
        "1.3.6.1.2.1.25.3.3.1.2.196608|2|97\n"
        "1.3.6.1.2.1.25.3.3.1.2.196609|2|99\n"
        "1.3.6.1.4.1.9.9.156.1.5.5.0|65|412\n"
        "1.3.6.1.4.1.9.9.156.1.5.6.0|65|7\n"
        "1.3.6.1.4.1.9.9.156.1.5.7.0|65|2\n"
        "1.3.6.1.4.1.9.9.156.1.5.31.0|65|0\n")


class SnmpTestCase(RegwatchTestCase):
    def start_snmp_agent(self, collector, snmp_yaml, *extra, env=None):
        """An agent with syslog off and the given snmp: section (YAML, indented two spaces)."""
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write('syslog: {udp: "", tcp: ""}\nsnmp:\n' + snmp_yaml)
        return self.start_agent(collector.address, extra=["--config", config, *extra], env=env)


class SnmpPollingTest(SnmpTestCase):
    def test_cucm_cpu_peg_and_phone_counts_reach_the_collector(self):
        sim = SnmpSim(self, {"cucm1": CUCM})
        dead = f"127.0.0.1:{free_port()}"
        collector = self.start_collector()
        agent = self.start_snmp_agent(collector, f"""  cpu_duration_s: 2
  targets:
    - {{name: ucm-sub1, address: "{sim.address}", role: cucm, community: cucm1, interval_s: 1, interfaces: false}}
    - {{name: ucm-dead, address: "{dead}", role: cucm, interval_s: 1, timeout_ms: 200, retries: 0}}
""")
        events = wait_for(lambda: self.events(collector.address, "--kind", "cpu_high"), 60, what="cpu_high")
        peg = events[0]
        self.assertEqual(peg["origin"], "ucm-sub1")
        self.assertEqual(peg["source"], "snmp_poll")
        self.assertEqual(peg["percent"], 98)
        self.assertEqual(peg["max_percent"], 99)
        self.assertEqual(peg["cpus"], 2)
        samples = self.events(collector.address, "--kind", "cpu_sample", "--origin", "ucm-sub1")
        self.assertGreaterEqual(len(samples), 3)
        counts = self.events(collector.address, "--kind", "registered_phones")
        self.assertEqual(counts[0]["registered"], 412)
        self.assertEqual(counts[0]["rejected"], 2)
        failures = wait_for(lambda: self.events(collector.address, "--kind", "snmp_poll_failed"), 30,
                            what="the dead target's failure")
        self.assertEqual(len(failures), 1)  # reported once, not every poll
        self.assertEqual(failures[0]["origin"], "ucm-dead")
        self.assertIn("no response", failures[0]["error"])
        self.assertEqual(agent.terminate(), 0)


class RealSnmpdTest(SnmpTestCase):
    def test_host_resources_cpu_from_a_real_snmpd(self):
        """net-snmp's snmpd reports hrProcessorLoad only once it has a minute of samples, so
        this waits for the first one (up to two minutes): the real agent's data, not a recording."""
        import os
        from harness import Process
        port = free_port(socket.SOCK_DGRAM)
        conf = self.path("snmpd.conf")
        with open(conf, "w") as f:
            f.write(f"agentAddress udp:127.0.0.1:{port}\nrocommunity noc-ro 127.0.0.1\n")
        snmpd = Process(["snmpd", "-f", "-Lo", "-C", "-c", conf, f"--persistentDir={self.path('persist')}"],
                        self.dir, "snmpd")
        self.processes.append(snmpd)
        collector = self.start_collector()
        agent = self.start_snmp_agent(collector, f"""  targets:
    - {{name: app-server-1, address: "127.0.0.1:{port}", role: server, community: noc-ro, interval_s: 5}}
""")
        samples = wait_for(lambda: self.events(collector.address, "--kind", "cpu_sample", "--origin", "app-server-1"),
                           150, interval=1, what="hrProcessorLoad from snmpd")
        self.assertEqual(samples[0]["cpus"], os.cpu_count())
        self.assertGreaterEqual(samples[0]["percent"], 0)
        self.assertLessEqual(samples[0]["max_percent"], 100)
        self.assertEqual(agent.terminate(), 0)


if __name__ == "__main__":
    unittest.main()


class TrapTest(SnmpTestCase):
    def test_traps_and_informs_reach_the_collector(self):
        port = free_port(socket.SOCK_DGRAM)
        collector = self.start_collector()
        agent = self.start_agent(collector.address, extra=[
            "--syslog-udp", "", "--syslog-tcp", "", "--snmp-traps", f"127.0.0.1:{port}",
            "--snmp-community", "noc-traps"])
        wait_for(lambda: "SNMP traps on" in agent.stderr(), 30, what="agent to listen for traps")
        subprocess.run(["snmptrap", "-v2c", "-c", "noc-traps", f"127.0.0.1:{port}", "",
                        "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.7", "i", "7"], check=True, timeout=10)
        inform = subprocess.run(["snmpinform", "-t", "3", "-r", "0", "-v2c", "-c", "noc-traps", f"127.0.0.1:{port}",
                                 "", "1.3.6.1.4.1.9.9.156.2.0.1", "1.3.6.1.4.1.9.9.156.1.10.2.0", "i", "2"],
                                timeout=20)
        self.assertEqual(inform.returncode, 0)  # acknowledged
        down = wait_for(lambda: self.events(collector.address, "--kind", "link_down"), 30, what="link_down")
        self.assertEqual(down[0]["source"], "snmp_trap")
        self.assertEqual(down[0]["if_index"], 7)
        self.assertEqual(down[0]["origin"], "127.0.0.1")  # no polled target there: its address
        failed = wait_for(lambda: self.events(collector.address, "--kind", "cm_failed"), 30, what="cm_failed")
        self.assertEqual(failed[0]["cause_code"], 2)
        self.assertEqual(agent.terminate(), 0)


CUCM_TABLES = (
    "1.3.6.1.2.1.1.3.0|67|123456\n"
    "1.3.6.1.4.1.9.9.156.1.2.1.1.20.41|4|SEP0017943A98BA\n"
    "1.3.6.1.4.1.9.9.156.1.2.1.1.21.41|64|10.20.31.99\n"
    "1.3.6.1.4.1.9.9.156.1.2.3.1.2.1|4x|07ea0b14091300002b0000\n"
    "1.3.6.1.4.1.9.9.156.1.2.3.1.7.1|4x|abcdef123456\n"
    "1.3.6.1.4.1.9.9.156.1.2.3.1.8.1|64|10.20.40.7\n"
    "1.3.6.1.4.1.9.9.156.1.2.3.1.12.1|2|28\n"
    "1.3.6.1.4.1.9.9.156.1.2.4.1.2.1|66|41\n"
    "1.3.6.1.4.1.9.9.156.1.2.4.1.3.1|4x|07ea0b14090e1f002b0000\n"
    "1.3.6.1.4.1.9.9.156.1.2.4.1.4.1|2|3\n"
    "1.3.6.1.4.1.9.9.156.1.2.4.1.6.1|2|13\n"
    "1.3.6.1.4.1.9.9.156.1.2.4.1.7.1|2|0\n"
    "1.3.6.1.4.1.9.9.156.1.5.5.0|65|400\n"
    "1.3.6.1.4.1.9.9.156.1.5.27.0|66:writecache|value=0\n"
    "1.3.6.1.4.1.9.9.156.1.5.28.0|66:writecache|value=0\n")


class CcmTablesTest(SnmpTestCase):
    def test_new_table_rows_become_phone_events_with_cucm_time(self):
        sim = SnmpSim(self, {"cucmt": CUCM_TABLES})
        collector = self.start_collector()
        agent = self.start_snmp_agent(collector, f"""  targets:
    - {{name: ucm-sub1, address: "{sim.address}", role: cucm, community: cucmt, interval_s: 1,
        cpu: false, interfaces: false}}
""")
        # The first poll takes a baseline (no backfill); then CUCM adds a row to each table.
        wait_for(lambda: self.events(collector.address, "--kind", "registered_phones"), 60, what="first poll")
        for oid in ("1.3.6.1.4.1.9.9.156.1.5.27.0", "1.3.6.1.4.1.9.9.156.1.5.28.0"):
            subprocess.run(["snmpset", "-v2c", "-c", "cucmt", sim.address, oid, "u", "1"], check=True,
                           capture_output=True, timeout=10)
        unreg = wait_for(lambda: self.events(collector.address, "--kind", "phone_unregistered"), 30,
                         what="phone_unregistered from the status table")
        self.assertEqual(len(unreg), 1)
        self.assertEqual(unreg[0]["device"], "SEP0017943A98BA")
        self.assertEqual(unreg[0]["ip"], "10.20.31.99")
        self.assertEqual(unreg[0]["reason_code"], 13)
        self.assertEqual(unreg[0]["reason"], "KeepAliveTimeout")
        self.assertEqual(unreg[0]["event_time"], "2026-11-20T09:14:31.000Z")
        self.assertEqual(unreg[0]["source"], "snmp_poll")
        failed = wait_for(lambda: self.events(collector.address, "--kind", "phone_registration_failed"), 30,
                          what="phone_registration_failed from the failed table")
        self.assertEqual(failed[0]["device"], "SEPABCDEF123456")
        self.assertEqual(failed[0]["reason"], "SecurityMismatch")
        self.assertEqual(failed[0]["event_time"], "2026-11-20T09:19:00.000Z")
        self.assertEqual(agent.terminate(), 0)


SWITCH = (  # snmprec lines sorted by OID
    "1.0.8802.1.1.2.1.3.7.1.3.21|4|Gi2/0/21\n"
    "1.0.8802.1.1.2.1.4.1.1.9.0.21.1|4|SEP00AABBCCDDEE\n"
    "1.0.8802.1.1.2.1.5.4795.1.3.2.1.2.0.21.1.1|2|120\n"
    "1.3.6.1.2.1.1.3.0|67|5000\n"
    "1.3.6.1.2.1.2.2.1.8.10117|2|1\n"
    "1.3.6.1.2.1.31.1.1.1.1.10117|4|GigabitEthernet2/0/17\n"
    "1.3.6.1.4.1.9.9.23.1.2.1.1.4.10117.1|64|10.20.31.99\n"
    "1.3.6.1.4.1.9.9.23.1.2.1.1.6.10117.1|4|SEP0017943A98BA\n"
    "1.3.6.1.4.1.9.9.23.1.2.1.1.8.10117.1|4|Cisco IP Phone 7941\n"
    "1.3.6.1.4.1.9.9.23.1.2.1.1.11.10117.1|2|10\n"
    "1.3.6.1.4.1.9.9.23.1.2.1.1.14.10117.1|2|110\n"
    "1.3.6.1.4.1.9.9.109.1.1.1.1.6.1|66|12\n")


class TopologyTest(SnmpTestCase):
    def test_where_names_the_switch_module_port_and_vlan(self):
        sim = SnmpSim(self, {"sw3f": SWITCH})
        collector = self.start_collector()
        agent = self.start_snmp_agent(collector, f"""  targets:
    - {{name: sw-3f-access, address: "{sim.address}", role: switch, community: sw3f, interval_s: 1}}
""")
        wait_for(lambda: self.events(collector.address, "--kind", "topology"), 60, what="a topology event")
        answer = self.cli(collector.address, "where", "SEP0017943A98BA").stdout
        self.assertIn("sw-3f-access", answer)
        self.assertIn("GigabitEthernet2/0/17", answer)
        self.assertIn("module/stack member 2", answer)
        self.assertIn("voice VLAN 110", answer)
        before = self.cli(collector.address, "where", "SEP0017943A98BA", "--at", "2020-01-01T00:00:00Z").stdout
        self.assertIn("no CDP sighting", before)
        as_json = self.events(collector.address, "--kind", "topology", "--device", "SEP0017943A98BA")
        self.assertEqual(len(as_json), 1)  # changes only, however many polls
        self.assertEqual(as_json[0]["voice_vlan"], 110)
        lldp = self.cli(collector.address, "where", "SEP00AABBCCDDEE").stdout
        self.assertIn("port Gi2/0/21", lldp)
        self.assertIn("module/stack member 2", lldp)
        self.assertIn("voice VLAN 120", lldp)  # LLDP-MED network policy, application voice
        cpu = self.events(collector.address, "--kind", "cpu_sample", "--origin", "sw-3f-access")
        self.assertEqual(cpu[0]["percent"], 12)  # CISCO-PROCESS-MIB for role switch
        self.assertEqual(agent.terminate(), 0)


class TrapTriggeredPollTest(SnmpTestCase):
    def test_a_phone_status_trap_reads_the_table_at_once(self):
        sim = SnmpSim(self, {"cucmt": CUCM_TABLES})
        port = free_port(socket.SOCK_DGRAM)
        collector = self.start_collector()
        # An hour between polls: only the trap can explain a quick read.
        agent = self.start_snmp_agent(collector, f"""  community: cucmt
  targets:
    - {{name: ucm-sub1, address: "{sim.address}", role: cucm, interval_s: 3600, cpu: false, interfaces: false}}
""", "--snmp-traps", f"127.0.0.1:{port}")
        wait_for(lambda: self.events(collector.address, "--kind", "registered_phones"), 60, what="first poll")
        subprocess.run(["snmpset", "-v2c", "-c", "cucmt", sim.address, "1.3.6.1.4.1.9.9.156.1.5.27.0", "u", "1"],
                       check=True, capture_output=True, timeout=10)
        subprocess.run(["snmptrap", "-v2c", "-c", "cucmt", f"127.0.0.1:{port}", "", "1.3.6.1.4.1.9.9.156.2.0.3",
                        "1.3.6.1.4.1.9.9.156.1.10.4.0", "u", "1"], check=True, timeout=10)
        unreg = wait_for(lambda: self.events(collector.address, "--kind", "phone_unregistered"), 30,
                         what="the table read the trap triggered")
        self.assertEqual(unreg[0]["device"], "SEP0017943A98BA")
        self.assertEqual(len(self.events(collector.address, "--kind", "ccm_phone_status_update")), 1)
        self.assertEqual(agent.terminate(), 0)


SENDER_ENGINE = "0x80001f8880c0ffee0002"


class TrapDetailsTest(SnmpTestCase):
    def test_v3_link_trap_gets_the_polled_ifname_and_drops_reach_the_collector(self):
        sim = SnmpSim(self, {"sw3f": SWITCH})
        port = free_port(socket.SOCK_DGRAM)
        secret = self.path("auth.secret")
        with open(secret, "w") as f:
            f.write("trap-auth-pass\n")
        collector = self.start_collector()
        agent = self.start_snmp_agent(collector, f"""  community: sw3f
  targets:
    - {{name: sw-3f-access, address: "{sim.address}", role: switch, interval_s: 1}}
  trap_users:
    - {{user: noc-v3, engine_id: "{SENDER_ENGINE}", auth_passphrase_file: "{secret}",
        priv_passphrase_env: REGWATCH_TEST_PRIV}}
""", "--snmp-traps", f"127.0.0.1:{port}", env={"REGWATCH_TEST_PRIV": "trap-priv-pass"})
        # The switch was polled once: its ifIndex 10117 has a name now.
        wait_for(lambda: self.events(collector.address, "--kind", "topology"), 60, what="first switch poll")
        subprocess.run(["snmptrap", "-v3", "-l", "authPriv", "-u", "noc-v3", "-a", "SHA", "-A", "trap-auth-pass",
                        "-x", "AES", "-X", "trap-priv-pass", "-e", SENDER_ENGINE, f"127.0.0.1:{port}", "",
                        "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.10117", "i", "10117"], check=True, timeout=10)
        down = wait_for(lambda: self.events(collector.address, "--kind", "link_down"), 30, what="v3 link_down")
        self.assertEqual(down[0]["if_index"], 10117)
        self.assertEqual(down[0]["interface"], "GigabitEthernet2/0/17")
        # Named as the polled switch (its CDP topology's switch), not by the trap's address.
        self.assertEqual(down[0]["origin"], "sw-3f-access")
        # A trap with a wrong community is dropped, and the collector hears about it.
        subprocess.run(["snmptrap", "-v2c", "-c", "guess", f"127.0.0.1:{port}", "", "1.3.6.1.6.3.1.1.5.1"],
                       check=True, timeout=10)
        drops = wait_for(lambda: [e for e in self.events(collector.address, "--kind", "agent_drops")
                                  if e["reason"] == "snmp_trap_unknown_community"], 30, what="drop report")
        self.assertEqual(drops[0]["dropped"], 1)
        self.assertNotIn("trap-priv-pass", agent.stderr())
        self.assertEqual(agent.terminate(), 0)


class DuplicateDropTest(SnmpTestCase):
    def test_a_drop_seen_in_syslog_and_in_the_ccm_table_counts_once(self):
        sim = SnmpSim(self, {"cucmt": CUCM_TABLES})
        syslog_port = free_port(socket.SOCK_DGRAM)
        collector = self.start_collector()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"""syslog: {{udp: "127.0.0.1:{syslog_port}", tcp: ""}}
snmp:
  targets:
    - {{name: ucm-sub1, address: "{sim.address}", role: cucm, community: cucmt, interval_s: 1,
        cpu: false, interfaces: false}}
""")
        agent = self.start_agent(collector.address, extra=["--config", config])
        wait_for(lambda: self.events(collector.address, "--kind", "registered_phones"), 60, what="first poll")
        # CUCM's syslog says it first (09:14:31 UTC, as the table row will).
        line = ("41680: ucm-sub1: Nov 20 2026 09:14:31.120 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: "
                "%[DeviceName=SEP0017943A98BA][IPAddress=10.20.31.99][Protocol=SCCP][Reason=13]"
                "[NodeID=ucm-sub1]: An endpoint has unregistered")
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(syslog_port), "--udp", "--rfc3164",
                        "--priority", "local7.err", line], check=True, timeout=10)
        wait_for(lambda: self.events(collector.address, "--kind", "phone_unregistered"), 30, what="syslog drop")
        subprocess.run(["snmpset", "-v2c", "-c", "cucmt", sim.address, "1.3.6.1.4.1.9.9.156.1.5.27.0", "u", "1"],
                       check=True, capture_output=True, timeout=10)
        both = wait_for(lambda: [e for e in self.events(collector.address, "--kind", "phone_unregistered")
                                 if e["source"] == "snmp_poll"], 30, what="the table's report")
        self.assertEqual(both[0]["duplicate_of_source"], "syslog")
        self.assertEqual(both[0]["duplicate_of_event_time"], "2026-11-20T09:14:31.120Z")
        first = [e for e in self.events(collector.address, "--kind", "phone_unregistered") if e["source"] == "syslog"]
        self.assertNotIn("duplicate_of_source", first[0])
        self.assertEqual(agent.terminate(), 0)
