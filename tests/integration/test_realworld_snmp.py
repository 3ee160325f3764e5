"""Ten real Cisco devices' SNMP recordings (LibreNMS's, tests/data/realworld/snmp) served by real
snmpsimd on loopback and polled by the real agent, one agent for all of them, each with the role of
devices.txt. What the agent reports is compared with what LibreNMS derives from the same
recordings (expected/*.json):

- neighbour ports: none of the devices has a phone among its CDP/LLDP neighbours, so each is served
  from a copy whose cdpCacheDeviceId / lldpRemSysName values are replaced by SEP names (every other
  value real); each phone's TOPOLOGY port and ifIndex must be LibreNMS's local port of that row
  (the IE-3200 advertises its LLDP ports as "port-001": the interface is Gi1/1);
- interface names: one port per device has its ifInErrors served as a growing counter (snmpsim's
  numeric variation); interface_errors must name exactly that port, by LibreNMS's ifName, and no
  other port of any device;
- CPU: every CPU LibreNMS finds (processor_usage, a 5 minute average) is a named member of the
  agent's cpu_sample, with that value (LibreNMS lists IOS-XE CPUs per core: their average);
- no bogus events: no link_up / link_down (nothing changed), no poll failures, no CPU alarms.
"""
import json
import os
import re
import unittest

from harness import RegwatchTestCase, SnmpSim, wait_for

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "realworld", "snmp")
CDP_DEVICE_ID = "1.3.6.1.4.1.9.9.23.1.2.1.1.6."
CDP_DEVICE_PORT = "1.3.6.1.4.1.9.9.23.1.2.1.1.7."
LLDP_REM_PORT_ID = "1.0.8802.1.1.2.1.4.1.1.7."
LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9."
IF_IN_ERRORS = "1.3.6.1.2.1.2.2.1.14."
CPM_TOTAL_5MIN = ".1.3.6.1.4.1.9.9.109.1.1.1.1.8."
CPM_CORE_5MIN = ".1.3.6.1.4.1.9.9.109.1.1.2.1.5."
ERRORS_PER_SECOND = 40  # 80 or more a 2 s poll: over the default threshold of 10


def devices():
    """(name, role) of devices.txt, in order."""
    with open(os.path.join(DATA, "devices.txt")) as f:
        return [tuple(line.split()) for line in f if line.strip() and not line.startswith("#")]


def value_text(tag, value):
    """An snmprec value as text ('4x' values are hex)."""
    return bytes.fromhex(value).decode("latin-1") if tag.endswith("x") else value


class Device:
    """One recording made phone-bearing and error-counting, with LibreNMS's expectations."""

    def __init__(self, number, name, role):
        """number: the device's place in devices.txt, which keeps its phones' names unique."""
        self.name, self.role = name, role
        with open(os.path.join(DATA, "expected", name + ".json")) as f:
            self.expected = json.load(f)
        self.if_names = {p["ifIndex"]: p["ifName"] for p in self.expected["ports"]}
        with open(os.path.join(DATA, "recordings", name + ".snmprec")) as f:
            lines = f.read().splitlines()
        rows = {}  # oid -> value text
        for line in lines:
            oid, tag, value = line.split("|", 2)
            rows[oid] = value_text(tag, value)
        self.phones = {}  # SEP name -> (protocol, LibreNMS link or None)
        self.erroring_if_index = self._erroring_port()
        counter = None if self.erroring_if_index is None else IF_IN_ERRORS + str(self.erroring_if_index)
        if counter and counter not in rows:  # the 3560's recording has no ifInErrors column
            lines.append(f"{counter}|65|0")
        lines.sort(key=lambda line: [int(part) for part in line.split("|", 1)[0].split(".")])
        out = []
        for line in lines:
            oid, tag, value = line.split("|", 2)
            if oid.startswith(CDP_DEVICE_ID) or oid.startswith(LLDP_REM_SYS_NAME):
                phone = "SEP%012X" % (0xA0B000000000 + 0x1000 * number + len(self.phones))
                cdp = oid.startswith(CDP_DEVICE_ID)
                self.phones[phone] = ("cdp" if cdp else "lldp",
                                      self._link_of(rows, oid, value_text(tag, value), cdp))
                line = f"{oid}|4|{phone}"
            elif oid == counter:
                line = f"{oid}|65:numeric|rate={ERRORS_PER_SECOND}"
            out.append(line)
        self.recording = "\n".join(out) + "\n"

    def _erroring_port(self):
        """The port to serve growing errors on: a neighbour's port (so a phone's port and its
        errors line up), else the first Ethernet port LibreNMS lists, else none (no ports)."""
        by_name = {p["ifName"]: p["ifIndex"] for p in self.expected["ports"]}
        for link in self.expected["links"]:
            if link["ifName"] in by_name:
                return by_name[link["ifName"]]
        ethernet = [p["ifIndex"] for p in self.expected["ports"] if "Ethernet" in p["ifDescr"]]
        return min(ethernet) if ethernet else None

    def _link_of(self, rows, oid, remote_name, cdp):
        """LibreNMS's link for this neighbour row: same protocol, remote name and remote port."""
        if cdp:
            remote_port = rows.get(CDP_DEVICE_PORT + oid[len(CDP_DEVICE_ID):], "")
        else:
            remote_port = rows.get(LLDP_REM_PORT_ID + oid[len(LLDP_REM_SYS_NAME):], "")
        matches = []
        for link in self.expected["links"]:
            if link["protocol"] != ("cdp" if cdp else "lldp"):
                continue
            # LibreNMS writes an LLDP remote port as "id (description)", and an LLDP neighbour
            # without a system name under its description: the port decides there.
            same_port = link["remote_port"] == remote_port or link["remote_port"].startswith(remote_port + " (")
            if same_port and (link["remote_hostname"] == remote_name or not cdp):
                matches.append(link)
        return matches[0] if len(matches) == 1 else None


class RealWorldSnmpTest(RegwatchTestCase):
    def test_recordings_of_ten_real_devices_polled_like_librenms_reads_them(self):
        fleet = [Device(number, name, role) for number, (name, role) in enumerate(devices())]
        self.assertEqual(len(fleet), 10)
        sim = SnmpSim(self, {d.name: d.recording for d in fleet})
        collector = self.start_collector()
        targets = "".join(
            f'    - {{name: {d.name}, address: "{sim.address}", role: {d.role}, community: {d.name}, '
            f'interval_s: 2, timeout_ms: 3000, retries: 1}}\n' for d in fleet)
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write('syslog: {udp: "", tcp: ""}\nsnmp:\n  workers: 4\n  targets:\n' + targets)
        agent = self.start_agent(collector.address, extra=["--config", config])

        phones = {p: d for d in fleet for p in d.phones}
        linked = {p for d in fleet for p, (_, link) in d.phones.items() if link}
        # Every LibreNMS link is one of the rows made a phone.
        for d in fleet:
            found = [link for _, link in d.phones.values() if link]
            self.assertEqual(len(found), len(d.expected["links"]), d.name)
        erroring = {d.name for d in fleet if d.erroring_if_index is not None}
        cpu_devices = {d.name for d in fleet if d.expected["processors"]}

        def complete():
            topology = self.events(collector.address, "--kind", "topology")
            errors = self.events(collector.address, "--kind", "interface_errors")
            samples = self.events(collector.address, "--kind", "cpu_sample")
            polls = {}
            for s in samples:
                polls[s["origin"]] = polls.get(s["origin"], 0) + 1
            if {t["device"] for t in topology} >= set(phones) and {e["origin"] for e in errors} >= erroring \
                    and all(polls.get(name, 0) >= 3 for name in cpu_devices):
                return topology, errors, samples
            return None

        topology, errors, samples = wait_for(complete, 150, interval=1,
                                             what="topology, interface errors and 3 CPU samples of every device")

        # Neighbour ports: LibreNMS's local port for the same row, by name and by ifIndex.
        by_phone = {}
        for t in topology:
            self.assertFalse(t["removed"], t)  # nothing went away
            by_phone.setdefault(t["device"], []).append(t)
        self.assertEqual(set(by_phone), set(phones))
        for phone, events in by_phone.items():
            d = phones[phone]
            self.assertEqual(len(events), 1, f"{d.name} {phone}: reported once, not every poll")
            t = events[0]
            self.assertEqual(t["origin"], d.name)
            self.assertEqual(t["switch_name"], d.name)
            protocol, link = d.phones[phone]
            self.assertEqual(t["protocol"], protocol)
            self.assertIn(t["if_index"], d.if_names, f"{d.name} {phone}: {t['port']} is no interface")
            self.assertEqual(t["port"], d.if_names[t["if_index"]], f"{d.name} {phone}")
            if phone in linked:
                self.assertEqual(t["port"], link["ifName"], f"{d.name} {phone} ({protocol})")
        self.assertGreaterEqual(len(linked), 30)  # 2960-X, C9400, C9500H, IE-3200, N3K links

        # Interface names: errors only on the port whose counter grows, named as LibreNMS names it.
        for e in errors:
            d = next(d for d in fleet if d.name == e["origin"])
            self.assertEqual(e["if_index"], d.erroring_if_index, f"{d.name}: errors on a quiet port")
            self.assertEqual(e["interface"], d.if_names[d.erroring_if_index], d.name)
            self.assertGreaterEqual(e["in_errors"], 10)
            self.assertEqual(e["out_errors"], 0)

        # CPU: every CPU LibreNMS finds, by name, with its 5 minute value.
        latest = {}
        for s in samples:
            latest[s["origin"]] = s
        self.assertEqual(set(latest) & cpu_devices, cpu_devices)
        for d in fleet:
            if d.name not in cpu_devices:
                continue
            members = {m["name"]: m for m in latest[d.name]["members"]}
            self.assertEqual(latest[d.name]["cpus"], len(members), d.name)
            self.assertIn(latest[d.name]["busiest"], members, d.name)
            per_cpu = {}  # expected member name -> LibreNMS values (one, or one per core)
            for p in d.expected["processors"]:
                oid = p["processor_oid"]
                if oid.startswith(CPM_TOTAL_5MIN):
                    index = oid[len(CPM_TOTAL_5MIN):]
                    # LibreNMS names a CPU without an entity "Processor N"; the agent "CPU N".
                    name = f"CPU {index}" if p["processor_descr"] == f"Processor {index}" else p["processor_descr"]
                else:
                    self.assertTrue(oid.startswith(CPM_CORE_5MIN), oid)
                    name = re.sub(r": Core \d+$", "", p["processor_descr"])
                per_cpu.setdefault(name, []).append(p["processor_usage"])
            self.assertEqual(set(members), set(per_cpu), d.name)
            for name, values in per_cpu.items():
                five_minutes = members[name]["five_minute_percent"]
                if len(values) == 1:
                    self.assertEqual(five_minutes, values[0], f"{d.name} {name}")
                else:  # the CPU's total against its cores' average (each rounded to a percent)
                    self.assertAlmostEqual(five_minutes, sum(values) / len(values), delta=1.0,
                                           msg=f"{d.name} {name}: {values}")
        # The SVL pairs name each member.
        self.assertEqual({m["name"] for m in latest["iosxe_c9500h-svl"]["members"]},
                         {"Switch 1 - CPU", "Switch 2 - CPU"})

        # No bogus events: nothing changed, nothing failed, no CPU is high.
        for kind in ("link_up", "link_down", "snmp_poll_failed", "cpu_high", "cpu_normal"):
            self.assertEqual(self.events(collector.address, "--kind", kind), [], kind)
        self.assertEqual(agent.terminate(), 0)


if __name__ == "__main__":
    unittest.main()
