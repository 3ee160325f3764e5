#!/usr/bin/env python3
"""Writes the inputs of tests/integration/test_incident_scenarios.py: one syslog archive per
cause class (what a NOC syslog server stored, or what the devices sent), and the SNMP
recording of the access switch stack the switch scenarios happen on. Deterministic: run it
again and nothing changes.

  sw-4f-access.snmprec        snmpsim recording: a 2-member stack with 48 phones, 44 seen by
                              CDP, 4 (Gi2/0/21-24) by LLDP only, voice VLAN 110
  ucm-sub2-server.snmprec     snmpsim recording of the CUCM node ucm-sub2's server: one NIC,
                              eth0, whose input errors grow by 40 a second (snmpsim's numeric
                              variation); CCM-MIB: 20 phones registered
  nic_errors.log              on the wire: ucm-sub2's 20 phones time out over 7 s while its
                              server's NIC takes errors
  module_failure.log          on the wire: stack member 2 drops out, its 24 phones (all of
                              10.40.8.0/24) time out; ucm-sub3's CPU pegs meanwhile
  uplink_flap.log             on the wire: the stack's uplink Te1/1/1 flaps, then stays down;
                              all 48 phones time out and come back when it is up
  cm_restart_planned.log      archived: the administrator restarts CallManager on ucm-sub2
  security_cluster_move.log   archived: phones moved from cluster LEGACY are refused (stale ITL)
  security_itl_phone_side.log archived: phones moved to another cluster refuse their signed config
                              (stale ITL), as only the phones' own syslog says it
  config_unknown_devices.log  archived: a batch of new phones not in the database is refused
  config_dn_mismatch.log      archived: SIP phones refused for a directory number mismatch
  fallback_to_primary.log     archived: phones leave their backup CM for the recovered primary
  churn.log                   archived: an hour of ordinary reboots, then one real burst
  churn_long_registered.log   archived: phones that registered hours before a busy minute, then
                              one real burst
  cpu_spike_failover.log      archived: the demo's CPU-spike burst, phones failing over to the backup CM

The two switch scenarios need topology, which only a live SNMP poll gives (stamped with the
poll's time), so the test moves their timestamps to just after the poll; the others are
replayed at their own, fixed, past times.

Usage: tests/data/scenarios/make_scenarios.py [OUTPUT_DIR]   (default: this script's folder)
"""
import os
import random
import sys

DAY = "Nov 20"
YEAR = 2026
SWITCH = "sw-4f-access"
rng = random.Random(20261120)
cucm_seq = {}
switch_seq = [5500]


def clock(seconds):
    """Seconds since midnight -> 'hh:mm:ss'."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def at(hour, minute=0, second=0):
    return hour * 3600 + minute * 60 + second


def tags(**fields):
    return "%" + "".join(f"[{k}={v}]" for k, v in fields.items())


def cucm_archived(t, node, body, ms=None):
    """A CUCM line as a syslog server stores it: its own prefix, then CiscoLog."""
    cucm_seq[node] = cucm_seq.get(node, 40000 + 1000 * len(cucm_seq)) + 1
    ms = rng.randint(0, 999) if ms is None else ms
    return (f"{DAY} {clock(t)} {node} local7 3 : {cucm_seq[node]}: {node}.voice.example.net "
            f"{DAY} {YEAR} {clock(t)}.{ms:03d} UTC :  {body}")


def cucm_wire(t, node, pri, body, seq=None, ms=None):
    """A CUCM line as CUCM sends it (CiscoLog with an RFC 3164 PRI). With seq and ms given it
    takes nothing from the shared sequence numbers and random numbers, so a line added to one
    archive leaves every other archive as it was."""
    if seq is None:
        cucm_seq[node] = cucm_seq.get(node, 40000 + 1000 * len(cucm_seq)) + 1
        seq = cucm_seq[node]
    ms = rng.randint(0, 999) if ms is None else ms
    return f"<{pri}>{seq}: {node}.voice.example.net: {DAY} {YEAR} {clock(t)}.{ms:03d} UTC: {body}"


def switch_wire(t, pri, body):
    """An IOS line as the switch sends it: service sequence-numbers, logging origin-id
    hostname, service timestamps log datetime msec show-timezone (no year)."""
    switch_seq[0] += 1
    return f"<{pri}>{switch_seq[0]}: {SWITCH}: {DAY} {clock(t)}.{rng.randint(0, 999):03d} UTC: {body}"


def unregistered(name, ip, node, reason, signal="StationKeepAlive", cluster="PROD", severity=3):
    last_signal = {"LastSignalReceived": signal} if signal else {}
    return (f"%UC_CALLMANAGER-{severity}-EndPointUnregistered: "
            + tags(DeviceName=name, IPAddress=ip, Protocol="SCCP", DeviceType=115, Description=f"Desk {name[-4:]}",
                   Reason=reason, IPAddrAttributes=0, **last_signal, AppID="Cisco CallManager",
                   ClusterID=cluster, NodeID=node)
            + ": An endpoint has unregistered")


def registered(name, ip, node, cluster="PROD"):
    return ("%UC_CALLMANAGER-6-EndPointRegistered: "
            + tags(DeviceName=name, IPAddress=ip, Protocol="SCCP", DeviceType=115, Description=f"Desk {name[-4:]}",
                   AppID="Cisco CallManager", ClusterID=cluster, NodeID=node)
            + ": Endpoint registered")


def rtmt_cpu_pegging(node):
    return ("%UC_RTMT-2-RTMT_ALERT: "
            + tags(AlertName="CallProcessingNodeCpuPegging",
                   AlertDetail=" Processor load over configured threshold for configured duration of time . "
                               f"Configured high threshold is 90 % ; {node}: CPU 100 %",
                   AppID="Cisco AMC Service", ClusterID="PROD", NodeID=node)
            + ": RTMT Alert")


def rejected(name, ip, node, reason, protocol="SCCP", device_type=115):
    return ("%UC_CALLMANAGER-3-EndPointTransientConnection: "
            + tags(ConnectingPort=5060 if protocol == "SIP" else 2000, DeviceName=name, IPAddress=ip,
                   DeviceType=device_type, Reason=reason, Protocol=protocol, AppID="Cisco CallManager",
                   ClusterID="PROD", NodeID=node)
            + ": Transient connection attempted")


# ---- the switch stack: 24 phones per member, ports 1-24; the stack's phones alternate CMs.
def stack_phones():
    phones = []
    for member in (1, 2):
        for port in range(1, 25):
            i = (member - 1) * 24 + port
            phones.append({
                "name": f"SEP00225A4F{i:04X}",
                "member": member,
                "port": f"GigabitEthernet{member}/0/{port}",
                "short_port": f"Gi{member}/0/{port}",
                "if_index": 10000 + 100 * member + port,
                # Member 1's phones spread over five /24s by DHCP; member 2's are all of 10.40.8.0/24
                # (its own DHCP scope): two scopes hold exactly its phones (issue 16).
                "ip": f"10.40.{i % 5}.{20 + i}" if member == 1 else f"10.40.8.{20 + i}",
                "cm": "ucm-sub1" if i % 2 else "ucm-sub2",
                "lldp": member == 2 and port > 20,  # third-party-firmware phones: LLDP only
            })
    return phones


def oid_key(line):
    return tuple(int(x) for x in line.split("|", 1)[0].split("."))


def switch_recording(phones):
    rows = ["1.3.6.1.2.1.1.3.0|67|8640000",
            "1.3.6.1.2.1.1.5.0|4|" + SWITCH]
    rows.append("1.3.6.1.2.1.31.1.1.1.1.10049|4|TenGigabitEthernet1/1/1")  # the uplink
    lldp_port = 0
    for p in phones:
        rows.append(f"1.3.6.1.2.1.31.1.1.1.1.{p['if_index']}|4|{p['port']}")
        if p["lldp"]:
            lldp_port = p["if_index"]
            rows.append(f"1.0.8802.1.1.2.1.3.7.1.3.{lldp_port}|4|{p['short_port']}")
            rows.append(f"1.0.8802.1.1.2.1.4.1.1.9.0.{lldp_port}.1|4|{p['name']}")
            rows.append(f"1.0.8802.1.1.2.1.5.4795.1.3.2.1.2.0.{lldp_port}.1.1|2|110")
            continue
        index = f"{p['if_index']}.1"
        rows.append(f"1.3.6.1.4.1.9.9.23.1.2.1.1.4.{index}|64|{p['ip']}")
        rows.append(f"1.3.6.1.4.1.9.9.23.1.2.1.1.6.{index}|4|{p['name']}")
        rows.append(f"1.3.6.1.4.1.9.9.23.1.2.1.1.8.{index}|4|Cisco IP Phone 7941")
        rows.append(f"1.3.6.1.4.1.9.9.23.1.2.1.1.11.{index}|2|10")
        rows.append(f"1.3.6.1.4.1.9.9.23.1.2.1.1.14.{index}|2|110")
    return "\n".join(sorted(rows, key=oid_key)) + "\n"


def module_failure(phones):
    """Member 2 of the stack drops out; its 24 phones lose power and CUCM times them out
    (KeepAliveTimeout) about 30 s later. Before it, a printer's port on member 1 bounced, and
    RTMT reported CPU pegging on ucm-sub3, a CM node none of the stack's phones use. First, CUCM
    says member 1's phones are registered (in cluster PROD), as a live site's syslog has: what
    tells correlation that the cluster and the voice VLAN hold more than member 2's phones.
    Lines added for issue 16 take explicit sequence numbers and milliseconds, leaving the
    shared random numbers (and so every other archive) as they were."""
    t0 = at(10)
    member1 = [p for p in phones if p["member"] == 1]
    lines = [cucm_wire(t0 - 45 + k, p["cm"], 190, registered(p["name"], p["ip"], p["cm"]),
                       seq=(39900 if p["cm"] == "ucm-sub1" else 40900) + k, ms=37 * k % 1000)
             for k, p in enumerate(member1)]
    lines += [switch_wire(t0 - 20, 187, "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/30, changed state to down"),
             switch_wire(t0 - 17, 187, "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/30, changed state to up"),
             switch_wire(t0 - 1, 188, "%STACKMGR-4-STACK_LINK_CHANGE: Stack Port 1 Switch 1 has changed to state "
                                      "DOWN"),
             switch_wire(t0, 188, "%STACKMGR-4-SWITCH_REMOVED: Switch 2 has been removed from the stack"),
             cucm_wire(t0 + 5, "ucm-sub3", 186, rtmt_cpu_pegging("ucm-sub3"), seq=47301, ms=300)]
    for k, p in enumerate(q for q in phones if q["member"] == 2):
        lines.append(cucm_wire(t0 + 32 + k // 2, p["cm"], 187, unregistered(p["name"], p["ip"], p["cm"], 13)))
    return lines


def uplink_flap(phones):
    """The uplink flaps three times and then stays down for 70 s: every phone of the stack
    times out, and registers again once the uplink is back."""
    t0 = at(12)
    lines = []
    for down, up in ((0, 2), (6, 8), (13, 83)):
        for t, state in ((down, "down"), (up, "up")):
            lines.append(switch_wire(t0 + t, 187, f"%LINK-3-UPDOWN: Interface TenGigabitEthernet1/1/1, "
                                                  f"changed state to {state}"))
            lines.append(switch_wire(t0 + t + 1, 189, f"%LINEPROTO-5-UPDOWN: Line protocol on Interface "
                                                      f"TenGigabitEthernet1/1/1, changed state to {state}"))
    for k, p in enumerate(phones):
        lines.append(cucm_wire(t0 + 62 + k // 5, p["cm"], 187,
                               unregistered(p["name"], p["ip"], p["cm"], 13)))
    for k, p in enumerate(phones):
        lines.append(cucm_wire(t0 + 90 + k // 6, p["cm"], 190, registered(p["name"], p["ip"], p["cm"])))
    return sorted(lines, key=lambda line: line.split(" UTC:")[0].rsplit(" ", 1)[1])


def cm_restart_planned():
    """11:02: the administrator restarts the CallManager service on ucm-sub2 (reason 15,
    CallManagerRestart, logged at informational severity); its 30 phones re-home to
    ucm-sub1 and come back to ucm-sub2 when it is up. Two phones elsewhere time out meanwhile."""
    lines = []
    phones = [(f"SEP0017946B{i:04X}", f"10.21.{i % 5}.{30 + i}") for i in range(30)]
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(at(10, 30) + k, "ucm-sub2", registered(name, ip, "ucm-sub2")))
    t0 = at(11, 2)
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(t0 + k // 3, "ucm-sub2",
                                   unregistered(name, ip, "ucm-sub2", 15, signal="", severity=6)))
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(t0 + 20 + k // 3, "ucm-sub1", registered(name, ip, "ucm-sub1")))
    for k, name in enumerate(("SEP0017946BF001", "SEP0017946BF002")):
        lines.append(cucm_archived(t0 + 7 + k, "ucm-sub2", unregistered(name, f"10.21.9.{k + 1}", "ucm-sub2", 13)))
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(t0 + 300 + k // 3, "ucm-sub2", registered(name, ip, "ucm-sub2")))
    return sorted(lines, key=archive_time)


def security_cluster_move():
    """13:00: 20 phones moved from cluster LEGACY (ucm-old) to PROD keep the old cluster's ITL:
    PROD's ucm-pub refuses them (28 SecurityMismatch, 10 AuthenticationError) and they retry."""
    lines = []
    phones = [(f"SEP0024C4A1{i:04X}", f"10.22.{i % 4}.{40 + i}") for i in range(20)]
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(at(12, 10) + k, "ucm-old", registered(name, ip, "ucm-old", cluster="LEGACY")))
    t0 = at(13)
    for attempt in (0, 40):
        for k, (name, ip) in enumerate(phones):
            lines.append(cucm_archived(t0 + attempt + k // 2, "ucm-pub",
                                       rejected(name, ip, "ucm-pub", 10 if k % 4 == 3 else 28)))
    return sorted(lines, key=archive_time)


def security_itl_phone_side():
    """14:00: 15 phones re-homed from another cluster keep its ITL and refuse the new cluster's
    signed config ("invalid file SEP<mac>.cnf.xml.sgn, authenticated fail. Reason:14.", the
    8945 Status Message of seeds/002); 45 s later each fails to update its trust list. Only the
    phones say so (their "Log Server" is the NOC's syslog server): no CUCM reason code anywhere.
    The server stored them as they came: RFC 5424 from its relay, RFC 3164 with and without PRI,
    the phone's IP as host for the first report and its name for the retry; an operator's
    console also logged one status message naming no phone."""
    lines = []
    ms = random.Random(2026112014)  # its own: the other archives' milliseconds stay as they were
    t0 = at(14)
    for k in range(15):
        name, ip = f"SEP0024C4B3{k:04X}", f"10.27.4.{20 + k}"
        text = f"invalid file {name}.cnf.xml.sgn, authenticated fail. Reason:14."
        t = t0 + 2 * k
        if k % 3 == 0:
            lines.append((t, f"<187>1 {YEAR}-11-20T{clock(t)}.{ms.randint(0, 999):03d}Z {ip} - - - - {text}"))
        elif k % 3 == 1:
            lines.append((t, f"<187>{DAY} {clock(t)} {ip} {text}"))
        else:
            lines.append((t, f"{DAY} {clock(t)} {ip} {text}"))
        lines.append((t + 45, f"<187>{DAY} {clock(t + 45)} {name} Trust List update failed, verification failure"))
    lines.append((t0 + 20, f"<187>{DAY} {clock(t0 + 20)} noc-console Trust List update failed"))
    return [line for _, line in sorted(lines, key=lambda entry: entry[0])]


def config_unknown_devices():
    """15:00: a batch of 16 new phones is plugged in before anyone added them in CUCM:
    rejected as not in the database (3 DatabaseConfigurationError, auto-registration off);
    two were added with the wrong model (32 DeviceTypeMismatch)."""
    lines = []
    t0 = at(15)
    for k in range(16):
        name, ip = f"SEP00EB8C3D{k:04X}", f"10.23.{k % 4}.{50 + k}"
        lines.append(cucm_archived(t0 + 3 * k, "ucm-sub1", rejected(name, ip, "ucm-sub1", 32 if k in (5, 11) else 3)))
    return sorted(lines, key=archive_time)


def config_dn_mismatch():
    """16:00: 14 SIP phones whose TFTP configuration carries old directory numbers are refused
    (registration failure 13 DirectoryNumberMismatch)."""
    lines = []
    t0 = at(16)
    for k in range(14):
        name, ip = f"SEP00F29B1C{k:04X}", f"10.24.{k % 4}.{60 + k}"
        lines.append(cucm_archived(t0 + 2 * k, "ucm-sub1", rejected(name, ip, "ucm-sub1", 13, protocol="SIP",
                                                                    device_type=36670)))
    return sorted(lines, key=archive_time)


def fallback_to_primary():
    """17:00: ucm-sub1 is back after maintenance; the 18 phones that had gone to their backup
    ucm-sub2 fall back to it (EndPointUnregistered 28 FallbackInitiated on ucm-sub2) and
    register on ucm-sub1."""
    lines = []
    t0 = at(17)
    for k in range(18):
        name, ip = f"SEP00AF1D2E{k:04X}", f"10.25.{k % 4}.{70 + k}"
        lines.append(cucm_archived(t0 - 1800 + k, "ucm-sub2", registered(name, ip, "ucm-sub2")))
        lines.append(cucm_archived(t0 + k, "ucm-sub2",
                                   unregistered(name, ip, "ucm-sub2", 28, signal="", severity=6)))
        lines.append(cucm_archived(t0 + k + 2, "ucm-sub1", registered(name, ip, "ucm-sub1")))
    return sorted(lines, key=archive_time)


def churn():
    """05:00-06:00 on ucm-sub3 (45 phones): one or two phones reboot every few minutes
    (8 DeviceInitiatedReset, 13 KeepAliveTimeout) and come back; at 05:40 a busy minute with
    9 phones (one short of an incident). 06:30: a real burst, 12 phones in 30 s."""
    lines = []
    phones = [(f"SEP00C0FFEE{i:04X}", f"10.26.{i % 3}.{80 + i}") for i in range(45)]
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(at(4, 30) + 20 * k, "ucm-sub3", registered(name, ip, "ucm-sub3")))
    schedule = [(at(5, m, s), i) for m, s, i in ((2, 10, 0), (7, 45, 1), (8, 30, 2), (13, 5, 3), (19, 50, 4),
                                                 (20, 20, 5), (26, 0, 6), (31, 40, 7), (33, 15, 8), (47, 5, 9),
                                                 (52, 30, 10), (58, 45, 11))]
    schedule += [(at(5, 40) + 6 * k, 20 + k) for k in range(9)]  # the busy minute
    for t, i in schedule:
        name, ip = phones[i]
        lines.append(cucm_archived(t, "ucm-sub3", unregistered(name, ip, "ucm-sub3", 8 if i % 3 else 13,
                                                               signal="" if i % 3 else "StationKeepAlive")))
        lines.append(cucm_archived(t + 95, "ucm-sub3", registered(name, ip, "ucm-sub3")))
    for k in range(12):
        name, ip = phones[30 + k]
        lines.append(cucm_archived(at(6, 30) + 2 * k + 1, "ucm-sub3", unregistered(name, ip, "ucm-sub3", 13)))
    return sorted(lines, key=archive_time)


def server_recording():
    """The CUCM node ucm-sub2's server as SNMP shows it: sysUpTime, one interface (eth0, up)
    whose ifInErrors grows 40 a second from snmpsimd's start, and the CCM-MIB phone counts."""
    rows = [("1.3.6.1.2.1.1.3.0", "67", "123456"),
            ("1.3.6.1.2.1.2.2.1.8.1", "2", "1"),
            ("1.3.6.1.2.1.2.2.1.13.1", "65", "0"),
            ("1.3.6.1.2.1.2.2.1.14.1", "65:numeric", "rate=40"),
            ("1.3.6.1.2.1.2.2.1.19.1", "65", "0"),
            ("1.3.6.1.2.1.2.2.1.20.1", "65", "0"),
            ("1.3.6.1.2.1.31.1.1.1.1.1", "4", "eth0"),
            ("1.3.6.1.2.1.31.1.1.1.18.1", "4", "uplink to sw-core1 Gi1/0/5"),
            ("1.3.6.1.4.1.9.9.156.1.5.5.0", "65", "20"),
            ("1.3.6.1.4.1.9.9.156.1.5.6.0", "65", "0"),
            ("1.3.6.1.4.1.9.9.156.1.5.7.0", "65", "0"),
            ("1.3.6.1.4.1.9.9.156.1.5.31.0", "65", "0")]
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in rows)


def nic_errors():
    """09:00:00-09:00:06: the 20 phones registered to ucm-sub2 time out (KeepAliveTimeout), three
    a second, spread over three /24s: what CUCM says when its server's NIC drops their
    packets. The test moves the lines to just after the agent saw the first errors."""
    lines = []
    for k in range(20):
        name, ip = f"SEP00D1CE00{k:04X}", f"10.28.{k % 3}.{60 + k}"
        lines.append(cucm_archived(at(9) + k // 3, "ucm-sub2", unregistered(name, ip, "ucm-sub2", 13)))
    return sorted(lines, key=archive_time)


def churn_long_registered():
    """04:00-04:20: 60 phones register on ucm-sub4, and nothing is heard of them for hours (as
    on any quiet night). 07:40: a busy minute with 11 of them rebooting (10 phones is the
    absolute threshold; 20 % of the node, 12, is the relative one), back 95 s later. 08:10: a
    real burst, 14 phones in 30 s."""
    lines = []
    phones = [(f"SEP00C0FFEF{i:04X}", f"10.27.{i % 3}.{80 + i}") for i in range(60)]
    for k, (name, ip) in enumerate(phones):
        lines.append(cucm_archived(at(4) + 20 * k, "ucm-sub4", registered(name, ip, "ucm-sub4")))
    for k in range(11):
        name, ip = phones[k]
        lines.append(cucm_archived(at(7, 40) + 5 * k, "ucm-sub4", unregistered(name, ip, "ucm-sub4", 8, signal="")))
        lines.append(cucm_archived(at(7, 40) + 5 * k + 95, "ucm-sub4", registered(name, ip, "ucm-sub4")))
    for k in range(14):
        name, ip = phones[20 + k]
        lines.append(cucm_archived(at(8, 10) + 2 * k + 1, "ucm-sub4", unregistered(name, ip, "ucm-sub4", 13)))
    return sorted(lines, key=archive_time)


def cpu_spike_failover(demo_archive):
    """The demo archive (seed 003: ucm-sub1's CPU pegged, 38 phones time out), except that
    the phones register again on their backup, ucm-sub2, as a CUCM group with two nodes does."""
    lines = []
    for line in open(demo_archive).read().splitlines():
        if "EndPointRegistered" in line and "[NodeID=ucm-sub1]" in line:
            line = (line.replace(" ucm-sub1 local7", " ucm-sub2 local7").replace("ucm-sub1.voice", "ucm-sub2.voice")
                    .replace("[NodeID=ucm-sub1]", "[NodeID=ucm-sub2]"))
        lines.append(line)
    return lines


def archive_time(line):
    return line.split(" UTC :")[0].rsplit(" ", 1)[1]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    phones = stack_phones()
    files = {
        "sw-4f-access.snmprec": switch_recording(phones),
        "module_failure.log": module_failure(phones),
        "uplink_flap.log": uplink_flap(phones),
        "cm_restart_planned.log": cm_restart_planned(),
        "security_cluster_move.log": security_cluster_move(),
        "security_itl_phone_side.log": security_itl_phone_side(),
        "config_unknown_devices.log": config_unknown_devices(),
        "config_dn_mismatch.log": config_dn_mismatch(),
        "fallback_to_primary.log": fallback_to_primary(),
        "churn.log": churn(),
        "churn_long_registered.log": churn_long_registered(),
        "ucm-sub2-server.snmprec": server_recording(),
        "nic_errors.log": nic_errors(),
        "cpu_spike_failover.log": cpu_spike_failover(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                  "..", "..", "tools", "demo", "sample-syslog.log")),
    }
    for name, content in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(content if isinstance(content, str) else "\n".join(content) + "\n")


if __name__ == "__main__":
    main()
