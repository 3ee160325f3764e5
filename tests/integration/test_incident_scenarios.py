"""Incident scenarios, one per cause class, each driven end to end through the inputs the
product really reads: CUCM and IOS syslog (sent live over TCP, or archives replayed with
--replay-syslog), switch topology from CDP/LLDP polled over SNMP (snmpsim), and SCCP captures
written by the fleet simulator (--replay-pcap). Each asserts the incident's scope, class and
top cause, and that the top cause cites the stored event that proves it (for the classes
decided by the reason mix, the drops with those reasons).

Inputs are in tests/data/scenarios (made by make_scenarios.py there). Archives carry fixed
past times. The two switch scenarios cannot: topology only comes from a live poll, stamped
with the poll's time, and a drop is placed by the topology known at its time; so their
archives are moved to just after the poll, gaps kept (see retime)."""
import calendar
import json
import os
import re
import socket
import unittest
from datetime import datetime, timezone

from harness import DATA, RegwatchTestCase, SnmpSim, free_port, run_simulator, wait_for

SCENARIOS = os.path.join(DATA, "scenarios")
SWITCH = "sw-4f-access"
ARCHIVE_YEAR = 2026  # of the archives' IOS lines, which carry no year


def scenario(name):
    return os.path.join(SCENARIOS, name)


def iso_us(text):
    """'2026-11-20T18:01:00.013Z' -> microseconds since the Unix epoch."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return calendar.timegm(t.utctimetuple()) * 1_000_000 + t.microsecond


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
STAMP = re.compile(r"\b(%s) ([ \d]\d)( \d{4})? (\d\d):(\d\d):(\d\d)" % "|".join(MONTHS))


def retime(lines, first_s, year):
    """Moves every timestamp of the lines by the same whole number of seconds, so that the
    first one falls at first_s (Unix seconds, UTC); each keeps its shape (with or without
    the year). Lines without a year are taken to be in `year`."""
    def seconds(m):
        y = int(m.group(3)) if m.group(3) else year
        return calendar.timegm((y, MONTHS.index(m.group(1)) + 1, int(m.group(2)), int(m.group(4)),
                                int(m.group(5)), int(m.group(6))))
    shift = first_s - seconds(STAMP.search(lines[0]))

    def moved(m):
        t = datetime.fromtimestamp(seconds(m) + shift, timezone.utc)
        year_part = f" {t.year}" if m.group(3) else ""
        return f"{MONTHS[t.month - 1]} {t.day:2d}{year_part} {t:%H:%M:%S}"
    return [STAMP.sub(moved, line) for line in lines]


class ScenarioTestCase(RegwatchTestCase):
    def incidents(self, collector):
        out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z", "--format", "json").stdout
        return json.loads(out)

    def incident_with(self, collector, phones, what, timeout=60, **fields):
        """Waits until one incident has all its phones (and the given field values): a pass
        over part of the input may show a smaller one first. 60 s: on a loaded 2-core host a
        live scenario's recovery once took longer than 30 s."""
        def found():
            for i in self.incidents(collector):
                if i["phone_count"] == phones and all(i[k] == v for k, v in fields.items()):
                    return i
            return None
        return wait_for(found, timeout, interval=0.2, what=what)

    def ids(self, collector, kind, **match):
        return sorted(e["id"] for e in self.events(collector.address, "--kind", kind)
                      if all(e.get(k) == v for k, v in match.items()))

    def replay(self, collector, agent_id, *archives):
        args = []
        for path in archives:
            args += ["--replay-syslog", path]
        agent = self.start_agent(collector.address, extra=args, agent_id=agent_id, name=agent_id)
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        return agent

    def start_live_agent(self, recording, target, role, options=""):
        """A collector, and a live agent polling `target` (snmpsim serving the recording) every
        2 s and receiving syslog over TCP; returns the collector and the syslog port."""
        with open(scenario(recording)) as f:
            sim = SnmpSim(self, {"scenario": f.read()})
        collector = self.start_collector()
        syslog_port = free_port()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"""syslog: {{udp: "", tcp: "127.0.0.1:{syslog_port}"}}
snmp:
  targets:
    - {{name: {target}, address: "{sim.address}", role: {role}, community: scenario, interval_s: 2,
        cpu: false{", " + options if options else ""}}}
""")
        self.start_agent(collector.address, extra=["--config", config], agent_id="noc-agent")
        return collector, syslog_port

    def send(self, port, lines):
        """The lines over one TCP syslog connection (LF framing), once the agent listens."""
        def connect():
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except ConnectionRefusedError:
                return None
        with wait_for(connect, 30, what="the agent's syslog TCP port") as s:
            s.sendall("".join(line + "\n" for line in lines).encode())

    def archive_after_poll(self, name, polled_s):
        with open(scenario(name)) as f:
            return retime(f.read().splitlines(), polled_s + 2, ARCHIVE_YEAR)

    def assert_top_cause(self, incident, kind, subject):
        top = incident["causes"][0]
        self.assertEqual((top["kind"], top["subject"]), (kind, subject), incident["causes"])
        for other in incident["causes"][1:]:
            self.assertLess(other["score"], top["score"], incident["causes"])
        return top


class SwitchScenarioTest(ScenarioTestCase):
    """A live agent polls the access stack (snmpsim: 44 phones by CDP, 4 by LLDP) and receives
    the switch's and the CUCM nodes' syslog over TCP, as the devices send it."""

    def start_stack(self):
        collector, syslog_port = self.start_live_agent(f"{SWITCH}.snmprec", SWITCH, "switch", "interfaces: false")
        def all_phones_placed():
            topology = self.events(collector.address, "--kind", "topology")
            return topology if len(topology) == 48 else None
        topology = wait_for(all_phones_placed, 60, interval=0.2, what="the first poll's 48 topology events")
        self.assertEqual(sum(1 for t in topology if t["protocol"] == "lldp"), 4)
        polled_s = max(iso_us(t["event_time"]) for t in topology) // 1_000_000
        return collector, syslog_port, polled_s

    def test_module_failure_is_scoped_to_the_stack_member(self):
        collector, port, polled_s = self.start_stack()
        self.send(port, self.archive_after_poll("module_failure.log", polled_s))
        member2 = sorted(t["device"] for t in self.events(collector.address, "--kind", "topology")
                         if t["module"] == 2)
        self.assertEqual(len(member2), 24)
        i = self.incident_with(collector, 24, "the member-2 incident")
        self.assertEqual(len(self.incidents(collector)), 1)
        self.assertEqual(i["scope"], {"type": "module", "name": f"{SWITCH}/2"})
        # Member 2's phones are all of 10.40.8.0/24 too: the member is reported, as the top cause
        # explains it, and the subnet said (issue 16). The switch and the cluster hold the same
        # dropped phones but others that stayed up, so they are not "all of".
        self.assertEqual(i["also_scopes"], [{"type": "subnet", "name": "10.40.8.0/24"}])
        self.assertEqual(i["class"], "infrastructure")
        self.assertEqual(i["phones"], member2)  # the 4 LLDP-only phones included
        self.assertEqual(i["phones_by_switch"], {SWITCH: 24})
        self.assertEqual(i["phones_by_cm"], {"ucm-sub1": 12, "ucm-sub2": 12})
        self.assertEqual(i["reasons"], [{"code": 13, "name": "KeepAliveTimeout", "phones": 24}])
        self.assertEqual(i["state"], "open")  # the member is still out
        top = self.assert_top_cause(i, "module_failure", f"{SWITCH} member 2")
        removed = self.events(collector.address, "--kind", "stack_member_removed")
        self.assertEqual(len(removed), 1)
        self.assertEqual(top["evidence"], [removed[0]["id"]])
        # The printer port that bounced 20 s before is one of member 1's access ports (among the
        # phones' GigabitEthernet1/0/ ports, no phone on it): it explains no phone, so it is no
        # candidate at all (it was a weaker one while any port without a phone could be the uplink).
        self.assertEqual(len(self.ids(collector, "link_down", interface="GigabitEthernet1/0/30")), 1)
        self.assertEqual([c for c in i["causes"] if c["kind"] == "link_down"], [])
        self.assertEqual(sorted(i["drop_evidence"]), self.ids(collector, "phone_unregistered"))
        doc = json.loads(self.cli(collector.address, "incident", i["id"], "--format", "json").stdout)
        self.assertIn(removed[0]["id"], [e["id"] for e in doc["timeline"]])
        # ucm-sub3's CPU pegged meanwhile, with none of these phones on it: stored, blamed for nothing.
        pegging = self.events(collector.address, "--kind", "cpu_pegging")
        self.assertEqual(len(pegging), 1)
        self.assertNotIn("ucm-sub3", [c["subject"] for c in i["causes"]])
        # The real CLI says the scope and the "also" the same way in the report and in explain.
        report = self.cli(collector.address, "incident", i["id"]).stdout
        self.assertIn(f"- **Where:** module {SWITCH}/2 (also all of subnet 10.40.8.0/24)\n", report)
        # (at the incident's end: the archive was moved to just after the poll, a minute ahead)
        explained = self.cli(collector.address, "explain", member2[0], "--at", i["end_time"]).stdout
        self.assertIn(f"{i['id']} (infrastructure, 24 phones, module {SWITCH}/2; also all of subnet 10.40.8.0/24)",
                      explained)
        # Asking about the switch finds its member's incident.
        for scope in (SWITCH, f"module:{SWITCH}/2"):
            out = self.cli(collector.address, "incidents", "--since", "2020-01-01T00:00:00Z", "--scope", scope,
                           "--format", "json").stdout
            self.assertEqual([x["id"] for x in json.loads(out)], [i["id"]], scope)

    def test_a_module_learned_hours_before_its_failure_still_scopes_the_burst(self):
        # CDP/LLDP report attachment on change only: in a live site the phones were placed
        # hours or days before they drop, outside the two hours correlation reads around it.
        collector, port, polled_s = self.start_stack()
        lines = self.archive_after_poll("module_failure.log", polled_s + 3 * 3600)
        drops = [n for n, line in enumerate(lines) if "EndPointUnregistered" in line]
        # Half the drops first: once their incident is written, the pass that takes in the
        # rest reads only the burst's hours, not the poll three hours before.
        self.send(port, lines[:drops[11] + 1])
        self.incident_with(collector, 12, "the first half's incident")
        self.send(port, lines[drops[11] + 1:])
        i = self.incident_with(collector, 24, "the member-2 incident")
        self.assertEqual(i["scope"], {"type": "module", "name": f"{SWITCH}/2"})
        self.assertEqual(i["phones_by_switch"], {SWITCH: 24})
        self.assert_top_cause(i, "module_failure", f"{SWITCH} member 2")

    def test_uplink_flap_is_scoped_to_the_switch_with_the_uplink_first(self):
        collector, port, polled_s = self.start_stack()
        self.send(port, self.archive_after_poll("uplink_flap.log", polled_s))
        i = self.incident_with(collector, 48, "the stack-wide incident", recovered=48)
        self.assertEqual(len(self.incidents(collector)), 1)  # not one per member
        self.assertEqual(i["scope"], {"type": "switch", "name": SWITCH})
        self.assertEqual(i["class"], "infrastructure")
        self.assertEqual(i["state"], "resolved")
        self.assertEqual(i["phones_by_cm"], {"ucm-sub1": 24, "ucm-sub2": 24})
        top = self.assert_top_cause(i, "link_down", f"{SWITCH} TenGigabitEthernet1/1/1")
        downs = self.ids(collector, "link_down", interface="TenGigabitEthernet1/1/1")
        self.assertEqual(len(downs), 6)  # three flaps, link and line protocol each
        self.assertEqual(top["evidence"], downs)
        self.assertEqual(sorted(i["drop_evidence"]), self.ids(collector, "phone_unregistered"))


class ServerNicScenarioTest(ScenarioTestCase):
    """A live agent polls the CUCM node ucm-sub2's server (snmpsim: its NIC eth0 takes input
    errors all along) and receives ucm-sub2's syslog over TCP: its phones time out."""

    def test_nic_errors_on_a_cucm_server_are_the_top_cause_of_its_phones_timing_out(self):
        collector, syslog_port = self.start_live_agent("ucm-sub2-server.snmprec", "ucm-sub2", "cucm")
        errors = wait_for(lambda: self.events(collector.address, "--kind", "interface_errors"), 60,
                          what="the server NIC's first errors")
        self.assertEqual((errors[0]["origin"], errors[0]["interface"]), ("ucm-sub2", "eth0"))
        first_s = iso_us(errors[0]["event_time"]) // 1_000_000
        self.send(syslog_port, self.archive_after_poll("nic_errors.log", first_s))
        i = self.incident_with(collector, 20, "ucm-sub2's phones' incident")
        self.assertEqual(len(self.incidents(collector)), 1)
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-sub2"})
        self.assertEqual(i["class"], "infrastructure")
        self.assertEqual(i["reasons"], [{"code": 13, "name": "KeepAliveTimeout", "phones": 20}])
        top = self.assert_top_cause(i, "nic_errors", "ucm-sub2 eth0")
        nic = self.ids(collector, "interface_errors")
        self.assertTrue(top["evidence"] and set(top["evidence"]) <= set(nic), (top["evidence"], nic))
        self.assertIn("NIC", top["remediation"])
        self.assertEqual(sorted(i["drop_evidence"]), self.ids(collector, "phone_unregistered"))


class ReasonClassScenarioTest(ScenarioTestCase):
    """Archived CUCM syslog at fixed past times, replayed; the class comes from the reasons."""

    def test_planned_cm_restart_is_class_planned(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("cm_restart_planned.log"))
        i = self.incident_with(collector, 32, "the restart's incident", recovered=30)
        self.assertEqual(len(self.incidents(collector)), 1)
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-sub2"})
        self.assertEqual(i["class"], "planned")
        self.assertEqual(i["start_time"][:19], "2026-11-20T11:02:00")
        self.assertEqual(i["reasons"], [{"code": 13, "name": "KeepAliveTimeout", "phones": 2},
                                        {"code": 15, "name": "CallManagerRestart", "phones": 30}])
        self.assertEqual(i["phones_by_cm"], {"ucm-sub2": 32})
        self.assert_top_cause(i, "planned_change", "ucm-sub2")
        restarts = self.ids(collector, "phone_unregistered", reason_code=15)
        self.assertEqual(len(restarts), 30)
        self.assertTrue(set(restarts) <= set(i["drop_evidence"]))
        self.assertEqual(sorted(i["drop_evidence"]), self.ids(collector, "phone_unregistered"))

    def test_phones_moved_from_another_cluster_are_class_security(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("security_cluster_move.log"))
        i = self.incident_with(collector, 20, "the refused phones' incident")
        self.assertEqual(len(self.incidents(collector)), 1)
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-pub"})
        self.assertEqual(i["class"], "security")
        self.assertEqual(i["reasons"], [])
        self.assertEqual(i["rejection_reasons"], [{"code": 10, "name": "AuthenticationError", "phones": 5},
                                                  {"code": 28, "name": "SecurityMismatch", "phones": 15}])
        top = self.assert_top_cause(i, "security", "ucm-pub")
        self.assertIn("ITL", top["remediation"])
        # Both attempts of every phone are the incident's evidence; each phone counts once.
        refusals = self.ids(collector, "phone_registration_failed")
        self.assertEqual(len(refusals), 40)
        self.assertEqual(sorted(i["drop_evidence"]), refusals)
        self.assertEqual(i["flapping"], [])

    def test_phones_refusing_their_signed_config_are_class_security_from_their_own_lines(self):
        """The cluster move seen only from the phones: no CUCM line, no reason code; the
        phones' own "cnf.xml.sgn, authenticated fail" and trust list failures decide."""
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("security_itl_phone_side.log"))
        i = self.incident_with(collector, 15, "the phones' own trust failures")
        self.assertEqual(len(self.incidents(collector)), 1)
        self.assertEqual(i["scope"], {"type": "subnet", "name": "10.27.4.0/24"})
        self.assertEqual(i["class"], "security")
        self.assertEqual(i["start_time"][:19], "2026-11-20T14:00:00")
        self.assertEqual((i["reasons"], i["rejection_reasons"]), ([], []))
        self.assertEqual(i["phone_auth_failures"], 15)
        self.assertEqual(i["flapping"], [])  # each retry 45 s later is the same drop
        top = self.assert_top_cause(i, "security", "10.27.4.0/24")
        for words in ("ITL", "Settings > Security > Trust List", "reset the security settings", "TFTP"):
            self.assertIn(words, top["remediation"])
        self.assertIn("15 of 15 phones said themselves", top["explanation"])
        failures = self.events(collector.address, "--kind", "phone_auth_failed")
        named = sorted(e["id"] for e in failures if e["device"])
        self.assertEqual(len(named), 30)  # every line of every phone, whatever its header
        self.assertEqual(top["evidence"], named)
        self.assertEqual(sorted(i["drop_evidence"]), named)
        # The console's line names no phone: kept, in no incident.
        self.assertEqual([e["origin"] for e in failures if not e["device"]], ["noc-console"])
        self.assertEqual(self.events(collector.address, "--kind", "syslog_other"), [])
        first = next(e for e in failures if e["device"] == "SEP0024C4B30004" and e["alarm"] == "FileAuthFail")
        self.assertEqual((first["ip"], first["mac"]), ("10.27.4.24", "00:24:c4:b3:00:04"))
        self.assertIn("Reason:14.", first["reason"])
        self.assertIsNone(first["reason_code"])  # the phone's 14 is not CUCM's table

        out = self.cli(collector.address, "explain", "SEP0024C4B30004", "--at", "2026-11-20T14:05:00Z").stdout
        self.assertIn("SEP0024C4B30004 at 2026-11-20T14:05:00.000Z: UNREGISTERED since 2026-11-20T14:00:08", out)
        self.assertIn("reason:     FileAuthFail (from the phone)", out)
        self.assertIn("[security]", out)
        self.assertIn(i["id"], out)
        self.assertIn("erase the phone's trust list (ITL/CTL", out)
        self.assertIn("phone_auth_failed", out)  # its timeline, in words
        self.assertIn("could not update its trust list", out)

    def test_phones_unknown_to_cucm_are_class_config(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("config_unknown_devices.log"))
        i = self.incident_with(collector, 16, "the unknown phones' incident")
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-sub1"})
        self.assertEqual(i["class"], "config")
        self.assertEqual(i["rejection_reasons"], [{"code": 3, "name": "DatabaseConfigurationError", "phones": 14},
                                                  {"code": 32, "name": "DeviceTypeMismatch", "phones": 2}])
        self.assert_top_cause(i, "config", "ucm-sub1")
        self.assertEqual(sorted(i["drop_evidence"]), self.ids(collector, "phone_registration_failed"))

    def test_directory_number_mismatch_is_class_config_not_keepalive_timeout(self):
        """Registration failure 13 is DirectoryNumberMismatch; unregistration 13 is
        KeepAliveTimeout. Read from the wrong table this burst would be infrastructure."""
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("config_dn_mismatch.log"))
        i = self.incident_with(collector, 14, "the DN mismatch incident")
        self.assertEqual(i["class"], "config")
        self.assertEqual(i["rejection_reasons"], [{"code": 13, "name": "DirectoryNumberMismatch", "phones": 14}])
        self.assert_top_cause(i, "config", "ucm-sub1")

    def test_reason_mix_causes_cite_the_drops_with_those_reasons(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("cm_restart_planned.log"), scenario("security_cluster_move.log"),
                    scenario("config_unknown_devices.log"))
        planned = self.incident_with(collector, 32, "planned", **{"class": "planned"})
        security = self.incident_with(collector, 20, "security", **{"class": "security"})
        config = self.incident_with(collector, 16, "config", **{"class": "config"})
        restarts = self.ids(collector, "phone_unregistered", reason_code=15)
        self.assertTrue(restarts and set(restarts) <= set(planned["causes"][0]["evidence"]))
        mismatches = self.ids(collector, "phone_registration_failed", reason_code=28)
        self.assertTrue(mismatches and set(mismatches) <= set(security["causes"][0]["evidence"]))
        unknown = self.ids(collector, "phone_registration_failed", reason_code=3)
        self.assertTrue(unknown and set(unknown) <= set(config["causes"][0]["evidence"]))

    def test_fallback_to_the_recovered_primary_is_not_a_security_incident(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("fallback_to_primary.log"))
        i = self.incident_with(collector, 18, "the fallback's incident")
        self.assertEqual(i["reasons"], [{"code": 28, "name": "FallbackInitiated", "phones": 18}])
        self.assertEqual(i["class"], "planned")
        self.assertEqual(i["causes"][0]["kind"], "planned_change")

    def test_cpu_burst_keeps_its_cause_when_phones_fail_over_to_the_backup(self):
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("cpu_spike_failover.log"))
        i = self.incident_with(collector, 38, "the CPU burst", recovered=38)
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "ucm-sub1"})
        self.assertEqual(i["phones_by_cm"], {"ucm-sub1": 38})  # where they were when they dropped
        top = self.assert_top_cause(i, "cm_cpu", "ucm-sub1")
        self.assertIn(self.ids(collector, "cpu_pegging")[0], top["evidence"])


class NoiseScenarioTest(ScenarioTestCase):
    def test_ordinary_churn_opens_no_incident(self):
        """An hour of single reboots on ucm-sub3 (45 phones), with one busy minute of 9 phones,
        one short of the threshold; half an hour later a real burst of 12, which is the only
        incident (and tells us correlation has seen the whole archive)."""
        collector = self.start_collector()
        self.replay(collector, "archive", scenario("churn.log"))
        burst = self.incident_with(collector, 12, "the real burst after the churn")
        self.assertEqual(burst["start_time"][:16], "2026-11-20T06:30")
        drops = self.events(collector.address, "--kind", "phone_unregistered", "--until", "2026-11-20T06:05:00Z")
        self.assertEqual(len(drops), 21)
        times = sorted(iso_us(e["event_time"]) for e in drops)
        busiest = max(sum(1 for u in times if t <= u < t + 60_000_000) for t in times)
        self.assertEqual(busiest, 9)  # the busy minute: as close to an incident as churn gets
        self.assertEqual([i["id"] for i in self.incidents(collector)], [burst["id"]])
        self.assertEqual(burst["scope"], {"type": "cm_node", "name": "ucm-sub3"})

    def test_phones_registered_hours_before_count_in_their_node(self):
        """60 phones registered on ucm-sub4 at 04:00 and were quiet since. At 07:40, 11 of them
        reboot within a minute: over the absolute threshold (10) but not over 20 % of the node
        (12), so churn, as long as the node's size counts the phones registered long before
        the two hours correlation reads around the drops. At 08:10 a burst of 14 is the only
        incident. The registrations are stored first, so no pass reads them with the drops."""
        collector = self.start_collector()
        with open(scenario("churn_long_registered.log")) as f:
            lines = f.read().splitlines()
        night = [line for line in lines if " 04:" in line.split(" UTC :")[0]]
        self.assertEqual(len(night), 60)
        paths = []
        for name, part in (("night.log", night), ("morning.log", lines[len(night):])):
            paths.append(self.path(name))
            with open(paths[-1], "w") as f:
                f.write("\n".join(part) + "\n")
        self.replay(collector, "night", paths[0])
        wait_for(lambda: len(self.events(collector.address, "--kind", "phone_registered")) == 60, 30,
                 what="the night's 60 registrations stored")
        self.replay(collector, "morning", paths[1])
        burst = self.incident_with(collector, 14, "the real burst at 08:10")
        self.assertEqual(burst["start_time"][:16], "2026-11-20T08:10")
        self.assertEqual(burst["scope"], {"type": "cm_node", "name": "ucm-sub4"})
        busy = self.events(collector.address, "--kind", "phone_unregistered", "--until", "2026-11-20T08:00:00Z")
        self.assertEqual(len(busy), 11)
        self.assertEqual([i["id"] for i in self.incidents(collector)], [burst["id"]])


class SccpScenarioTest(ScenarioTestCase):
    def stall_then_restart(self):
        """40 phones (keepalive 10 s) on the simulated CM; the CM stalls 15 s (every KeepAlive
        unanswered: slow, but SCCP phones keep sending, so nobody drops), then its service
        restarts: every connection reset. The capture is replayed by an agent."""
        pcap = self.path("fleet.pcap")
        lines = run_simulator(self, "--phones", "40", "--keepalive", "10", "--time-scale", "10", "--duration", "90",
                              "--start-time", "2026-11-20T18:00:00Z", "--fault", "stall@25:15",
                              "--fault", "restart@60:5", "--pcap", pcap)
        port = next(line for line in lines if line["event"] == "cm_listening")["address"].rsplit(":", 1)[1]
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"sccp: {{ports: [{port}]}}\n")
        collector = self.start_collector()
        agent = self.start_agent(collector.address, extra=["--config", config, "--replay-pcap", pcap])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        return collector, lines

    def test_cm_stall_then_restart_blames_the_restart_seen_on_the_wire_then_the_stall(self):
        collector, lines = self.stall_then_restart()
        reset = next(line for line in lines if line["event"] == "fault_start" and line["fault"] == "restart")
        self.assertEqual(reset["connections_reset"], 40)
        i = self.incident_with(collector, 40, "the restart's incident", recovered=40)
        self.assertEqual(len(self.incidents(collector)), 1)
        # All 40 simulated phones are in 10.20.0.0/24 and on one CM: of the two scopes holding
        # them all, the one the top cause (the CM's restart) explains is reported, and the
        # subnet is said too (docs/correlation-design.md, rule 4).
        self.assertEqual(i["scope"], {"type": "cm_node", "name": "127.0.0.1"})
        self.assertEqual(i["also_scopes"], [{"type": "subnet", "name": "10.20.0.0/24"}])
        self.assertEqual(i["phones_by_cm"], {"127.0.0.1": 40})
        self.assertEqual(i["class"], "infrastructure")  # connection_lost has no reason code: network
        self.assertLess(abs(iso_us(i["start_time"]) - reset["t_us"]), 1_000_000)
        self.assertEqual(i["state"], "resolved")  # all 40 registered again after the restart
        # No trap says the CM restarted: the wire does, every connection reset by it at once.
        top = self.assert_top_cause(i, "cm_restart", "127.0.0.1")
        lost = self.events(collector.address, "--kind", "connection_lost")
        self.assertEqual(sorted(top["evidence"]), sorted(e["id"] for e in lost))
        self.assertIn("reset the connections of 40 of 40 phones", top["explanation"])
        # The stall before it is the runner-up, citing the one cm_slow event.
        second = i["causes"][1]
        self.assertEqual((second["kind"], second["subject"]), ("cm_slow", "127.0.0.1"))
        slow = self.events(collector.address, "--kind", "cm_slow")
        self.assertEqual(len(slow), 1)
        self.assertEqual(second["evidence"], [slow[0]["id"]])
        self.assertLess(iso_us(slow[0]["event_time"]), iso_us(i["start_time"]))  # before the drops
        self.assertEqual({e["closed_by"] for e in lost}, {"cm rst"})
        self.assertTrue(all(iso_us(e["event_time"]) >= reset["t_us"] for e in lost))  # none in the stall
        self.assertEqual(sorted(i["drop_evidence"]), sorted(e["id"] for e in lost))
        self.assertEqual(self.events(collector.address, "--kind", "keepalive_missed"), [])

    def test_a_cm_that_answers_nothing_is_not_explained_as_0_ms(self):
        collector, _ = self.stall_then_restart()
        i = self.incident_with(collector, 40, "the restart's incident")
        slow = next(c for c in i["causes"] if c["kind"] == "cm_slow")
        self.assertNotIn("p90 0 ms", slow["explanation"])
        self.assertIn("unanswered", slow["explanation"])
        self.assertGreater(slow["score"], 0.8)  # 30 s before the drops, every phone behind it


class ReplayDeterminismTest(ScenarioTestCase):
    def test_the_same_archives_split_between_two_agents_give_the_same_incidents(self):
        """The planned restart and the cluster move (two incidents, retries merged) through one
        agent, and interleaved between two agents replaying at the same time, one of them
        backwards: identical incidents, evidence compared by the events it names."""
        archives = [scenario("cm_restart_planned.log"), scenario("security_cluster_move.log")]
        lines = []
        for path in archives:
            with open(path) as f:
                lines += f.read().splitlines()
        halves = [self.path("a.log"), self.path("b.log")]
        for path, part in zip(halves, (lines[0::2], lines[1::2][::-1])):
            with open(path, "w") as f:
                f.write("\n".join(part) + "\n")
        whole = self.start_collector(name="whole", db=self.path("whole.db"))
        split = self.start_collector(name="split", db=self.path("split.db"))
        self.replay(whole, "one", *archives)
        agents = [self.start_agent(split.address, extra=["--replay-syslog", path], agent_id=agent_id, name=agent_id)
                  for path, agent_id in zip(halves[::-1], ("two-b", "two-a"))]
        for agent in agents:
            self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        self.assertEqual(self.total_events(split.address), len(lines))

        def comparable(collector):
            named = {e["id"]: (e["kind"], e["event_time"], e["raw"]) for e in self.events(collector.address)}
            out = []
            for i in self.incidents(collector):
                i = dict(i, drop_evidence=sorted(named[e] for e in i["drop_evidence"]))
                i["causes"] = [dict(c, evidence=sorted(named[e] for e in c["evidence"])) for c in i["causes"]]
                out.append(i)
            return out

        self.incident_with(whole, 32, "the planned incident (one agent)", recovered=30)
        self.incident_with(whole, 20, "the security incident (one agent)")
        expected = comparable(whole)
        self.assertEqual([(i["class"], i["phone_count"]) for i in expected],  # newest first
                         [("security", 20), ("planned", 32)])
        try:
            wait_for(lambda: comparable(split) == expected, 30, interval=0.2, what="the same incidents (two agents)")
        except AssertionError:
            self.assertEqual(comparable(split), expected)  # shows the difference
        self.assertEqual(self.total_events(whole.address), len(lines))


if __name__ == "__main__":
    unittest.main()
