#!/usr/bin/env python3
"""Writes corpus.jsonl.gz (gzip: about 30 MB of JSON lines): the labelled scenario corpus that bench/diagnosis_accuracy and
tests/correlate/diagnosis_accuracy_test measure the correlator on (issue 16). Deterministic
(fixed seed): run it again and nothing changes.

One scenario per line:
  id, family (the story), variations (what was varied, for reading the misses),
  inputs: in the order the collector receives them, each one of
    {"t": "syslog", "agent", "recv_us", "line"}      a line as the device (or a relaying syslog
                                                      server) sent it: CUCM CiscoLog alarms, RTMT
                                                      alerts, IOS messages
    {"t": "cdp", "agent", "switch", "time_us",        one CDP cache poll of a switch, as
     "neighbours": [[device, if_index, port, ip, voice_vlan], ...]}   agent/snmp/topology.h takes it
    {"t": "if_poll", "agent", "target", "time_us", "uptime",          one IF-MIB poll, as
     "rows": [[if_index, name, in_errors, out_errors, oper_status], ...]}  InterfaceAnalyzer takes it
    {"t": "sccp", "agent", "kind", "time_us", "cm", "device", "ip", "closed_by"}   what the SCCP
                                                      capture's phone tracker emits
  truth: {"incidents": [{"scope": [type, name], "cause": [kind, subject host], "phones": [...],
                         "same_phones_as": [[type, name], ...]}]}
         an empty list: nothing should be reported (ordinary churn, distractors only).
         same_phones_as: the scopes that hold exactly the phones of the expected one (a switch of
         one member and its module 1; a CM node whose phones are all one switch's): reporting
         one of them is a scope tie, which the phones alone cannot decide.

The site: one CUCM cluster of 2-4 nodes; 1-4 access switches, each a stack of 1-4 members with
12-36 phones a member; IP plans where a /24 is a stack member, a switch, spans two switches, or is
shared by the whole site; phones spread over the CM nodes round robin, by switch, or mostly on
one node. Stories: CPU pegging or a low heartbeat on a CM node, its NIC taking errors, an
apply-config on a node (planned), a CM restart seen only on the wire, a stack member removed, a
PoE controller failing on a member, a switch's uplink going down or taking errors; or nothing
but churn. Around them: distractors (CPU alerts on other nodes, link flaps on other switches,
interface errors elsewhere, a small apply-config on another node), reason mixes, the same drop
reported by a relaying syslog server and by the capture, agents arriving late or replayed out
of order, clock skew of a few seconds between sources, and ordinary churn of several sizes.

Usage: tests/data/accuracy/make_corpus.py [OUTPUT]   (default: corpus.jsonl.gz beside this script)
"""
import datetime
import gzip
import json
import os
import random
import sys

SEED = 16_2026
SECOND = 1_000_000
DAY0 = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
CLUSTER = "PROD"
DOMAIN = "voice.example.net"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def us(seconds):
    return int(round(seconds * SECOND))


def stamp(t_s, year=True):
    """Seconds since the Unix epoch -> 'Nov 20 2026 10:00:32.300' (or without the year)."""
    d = datetime.datetime.fromtimestamp(t_s, tz=datetime.timezone.utc)
    ms = int(round((t_s - int(t_s)) * 1000)) % 1000
    day = f"{MONTHS[d.month - 1]} {d.day:2d}"
    return f"{day} {d.year} {d:%H:%M:%S}.{ms:03d}" if year else f"{day} {d:%H:%M:%S}.{ms:03d}"


def relay_stamp(t_s):
    d = datetime.datetime.fromtimestamp(t_s, tz=datetime.timezone.utc)
    return f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"


def tags(**fields):
    return "%" + "".join(f"[{k}={v}]" for k, v in fields.items())


class Scenario:
    """Inputs of one scenario, with the per-source clocks and sequence numbers."""

    def __init__(self, rng, skew):
        self.rng = rng
        self.inputs = []  # (true time, input)
        self.skew = skew  # source -> seconds its clock is off
        self.seq = {}

    def next_seq(self, source):
        self.seq[source] = self.seq.get(source, self.rng.randrange(1000, 90000)) + 1
        return self.seq[source]

    def add(self, t, item):
        self.inputs.append((t, item))

    def cucm(self, t, node, severity, name, body, text, relayed=False, seq=None):
        """A CUCM CiscoLog alarm as the node sends it, or as a syslog server relays it (the same
        message: pass its seq)."""
        local = t + self.skew.get(node, 0)
        seq = seq or self.next_seq(node)
        head = f"%UC_CALLMANAGER-{severity}-{name}: {body}: {text}"
        if relayed:  # the syslog server's own receive time and the sender in front
            line = (f"{relay_stamp(t + 0.2)} {node} local7 {severity} : {seq}: {node}.{DOMAIN} "
                    f"{stamp(local)} UTC :  {head}")
            agent = "agent-relay"
        else:
            line = f"<{184 + severity}>{seq}: {node}.{DOMAIN}: {stamp(local)} UTC: {head}"
            agent = "agent-cucm"
        self.add(t, {"t": "syslog", "agent": agent, "recv_us": us(t + 0.3), "line": line})
        return seq

    def rtmt(self, t, node, alert, detail):
        local = t + self.skew.get(node, 0)
        seq = self.next_seq(node)
        body = tags(AlertName=alert, AlertDetail=detail, AppID="Cisco AMC Service",
                    ClusterID=CLUSTER, NodeID=node)
        line = (f"{relay_stamp(t + 0.2)} {node} local7 2 : {seq}: {node}.{DOMAIN} {stamp(local)} UTC :  "
                f"%UC_RTMT-2-RTMT_ALERT: {body}: RTMT Alert")
        self.add(t, {"t": "syslog", "agent": "agent-cucm", "recv_us": us(t + 0.3), "line": line})

    def ios(self, t, switch, facility, text):
        local = t + self.skew.get(switch, 0)
        seq = self.next_seq(switch)
        severity = int(facility.split("-")[1])
        line = f"<{184 + severity}>{seq}: {switch}: {stamp(local, year=False)} UTC: %{facility}: {text}"
        self.add(t, {"t": "syslog", "agent": "agent-switch", "recv_us": us(t + 0.3), "line": line})


# ---------------------------------------------------------------------------------------------
# The site


def make_site(rng, index):
    nodes = [f"ucm-sub{k + 1}" for k in range(rng.choice([2, 2, 3, 4]))]
    switch_count = rng.choice([1, 2, 2, 3, 3, 4])
    switches = []
    for s in range(switch_count):
        members = rng.choice([1, 2, 2, 3, 4])
        per_member = [rng.randint(6, 36) for _ in range(members)]
        # A member that fails must have enough phones to be a burst: 10 at least.
        per_member = [max(n, 12) for n in per_member]
        switches.append({"name": f"sw-b{index % 7 + 1}-f{s + 1}", "members": members,
                         "per_member": per_member, "vlan": 100 + s})
    ip_plan = rng.choice(["member", "switch", "span", "shared"])
    node_plan = rng.choice(["round_robin", "round_robin", "by_switch", "mostly_one"])
    shared_vlan = rng.random() < 0.3
    phones = []
    serial = rng.randrange(0x100000, 0xF00000)
    for s, sw in enumerate(switches):
        for m in range(sw["members"]):
            for p in range(sw["per_member"][m]):
                serial += rng.randint(1, 40)
                phones.append({"device": f"SEP00{serial:06X}{rng.randrange(0x1000):04X}",
                               "switch": sw["name"], "s": s, "member": m + 1,
                               "port": f"GigabitEthernet{m + 1}/0/{p + 1}",
                               "if_index": 1000 * (m + 1) + p + 1,
                               "vlan": 100 if shared_vlan else sw["vlan"]})
    host_counter = {}
    for i, ph in enumerate(phones):
        if ip_plan == "member":
            net = f"10.{20 + ph['s']}.{ph['member']}"
        elif ip_plan == "switch":
            net = f"10.{20 + ph['s']}.0"
        elif ip_plan == "span":  # two switches share one /24
            net = f"10.60.{ph['s'] // 2}"
        else:  # a few /24s shared by every switch, whatever the port
            net = f"10.70.{rng.randrange(3)}"
        host_counter[net] = host_counter.get(net, 9) + 1
        ph["ip"] = f"{net}.{host_counter[net]}"
        if node_plan == "round_robin":
            ph["node"] = nodes[i % len(nodes)]
        elif node_plan == "by_switch":
            ph["node"] = nodes[ph["s"] % len(nodes)]
        else:
            ph["node"] = nodes[0] if rng.random() < 0.7 else rng.choice(nodes[1:])
        ph["type"] = rng.choice([115, 437, 592, 493])
        ph["protocol"] = "SIP" if ph["type"] == 592 else "SCCP"
    return {"nodes": nodes, "switches": switches, "phones": phones, "ip_plan": ip_plan,
            "node_plan": node_plan, "shared_vlan": shared_vlan}


def registered(sc, t, ph, relayed=False):
    body = tags(DeviceName=ph["device"], IPAddress=ph["ip"], Protocol=ph["protocol"],
                DeviceType=ph["type"], Description=f"Desk {ph['device'][-4:]}",
                AppID="Cisco CallManager", ClusterID=CLUSTER, NodeID=ph["node"])
    sc.cucm(t, ph["node"], 6, "EndPointRegistered", body, "Endpoint registered", relayed)


def unregistered(sc, t, ph, reason, relayed=False, seq=None):
    signal = "SIPStationDPrimaryLineTimeout" if ph["protocol"] == "SIP" else "StationKeepAlive"
    body = tags(DeviceName=ph["device"], IPAddress=ph["ip"], Protocol=ph["protocol"],
                DeviceType=ph["type"], Description=f"Desk {ph['device'][-4:]}", Reason=reason,
                IPAddrAttributes=0, LastSignalReceived=signal, AppID="Cisco CallManager",
                ClusterID=CLUSTER, NodeID=ph["node"])
    return sc.cucm(t, ph["node"], 3, "EndPointUnregistered", body,
                   "An endpoint has unregistered", relayed, seq)


def sccp(sc, t, kind, ph, closed_by=""):
    sc.add(t, {"t": "sccp", "agent": "agent-capture", "kind": kind, "time_us": us(t),
               "cm": ph["node"], "device": ph["device"], "ip": ph["ip"], "closed_by": closed_by})


def history(sc, site, t0):
    """What the collector knows before the story: CDP polls and every phone's registration."""
    for sw in site["switches"]:
        neighbours = [[p["device"], p["if_index"], p["port"], p["ip"], p["vlan"]]
                      for p in site["phones"] if p["switch"] == sw["name"]]
        t = t0 - 3500 + sc.rng.uniform(0, 60)
        sc.add(t, {"t": "cdp", "agent": "agent-snmp", "switch": sw["name"], "time_us": us(t),
                   "neighbours": neighbours})
    for ph in site["phones"]:
        registered(sc, t0 - 3400 + sc.rng.uniform(0, 600), ph)


# ---------------------------------------------------------------------------------------------
# Stories: each adds its inputs and returns the truth (scope, cause, phones)


def reason_mix(rng, mix):
    if mix == "pure":
        return 13
    if mix == "network":
        return rng.choice([13, 13, 13, 6, 18, 1])
    return rng.choice([13, 13, 6, 6, 1, 18, 13])


def drops(sc, phones, start, spread, mix, options, recover=True):
    for ph in phones:
        t = start + sc.rng.uniform(0, spread)
        reason = reason_mix(sc.rng, mix)
        seq = unregistered(sc, t, ph, reason)
        if "relay" in options and sc.rng.random() < 0.7:  # the syslog server relays it too
            unregistered(sc, t, ph, reason, relayed=True, seq=seq)
        if "capture" in options:
            sccp(sc, t - sc.rng.uniform(1, 20), "keepalive_missed", ph)
        if recover:
            registered(sc, t + sc.rng.uniform(60, 300), ph)


def on_node(site, node):
    return [p for p in site["phones"] if p["node"] == node]


def affected_share(rng, phones):
    """Most of a scope's phones drop; a few idle ones may not notice in time."""
    keep = [p for p in phones if rng.random() < 0.97]
    return keep if len(keep) >= 10 else phones


def story_cm(sc, site, t0, kind, mix, options):
    nodes = [n for n in site["nodes"] if len(on_node(site, n)) >= 10]
    node = sc.rng.choice(nodes)
    victims = affected_share(sc.rng, on_node(site, node))
    lead = sc.rng.uniform(10, 90)
    if kind == "cm_cpu":
        sc.rtmt(t0 - lead, node, "CallProcessingNodeCpuPegging",
                " Processor load over configured threshold for configured duration of time . "
                f"Configured high threshold is 90 % ; {node}: CPU {sc.rng.randint(93, 100)} %")
    elif kind == "heartbeat_low":
        rate = sc.rng.randint(12, 22)
        sc.cucm(t0 - lead, node, 4, "LowCallManagerHeartbeatRate",
                tags(AppID="Cisco CallManager", ClusterID=CLUSTER, NodeID=node),
                "Call Manager heartbeat rate below 24 beats per minute. "
                f"Current heartbeat rate is {rate} beats per minute.")
    elif kind == "nic_errors":  # the node's server NIC, polled by SNMP every minute
        base = sc.rng.randint(0, 500)
        for k, t in enumerate([t0 - lead - 60, t0 - lead]):
            errors = base if k == 0 else base + sc.rng.randint(200, 5000)
            sc.add(t, {"t": "if_poll", "agent": "agent-snmp", "target": node, "time_us": us(t),
                       "uptime": int((t - t0 + 86400 * 30) * 100),
                       "rows": [[2, "eth0", errors, 0, 1]]})
    drops(sc, victims, t0, sc.rng.uniform(8, 45), mix, options)
    return {"scope": ["cm_node", node], "cause": [kind, node], "phones": victims}


def story_planned(sc, site, t0, mix, options):
    nodes = [n for n in site["nodes"] if len(on_node(site, n)) >= 10]
    node = sc.rng.choice(nodes)
    victims = on_node(site, node)
    for ph in victims:
        t = t0 + sc.rng.uniform(0, 25)
        unregistered(sc, t, ph, 17 if mix == "pure" or sc.rng.random() < 0.85 else 13)
        registered(sc, t + sc.rng.uniform(40, 120), ph)
    return {"scope": ["cm_node", node], "cause": ["planned_change", node], "phones": victims}


def story_cm_restart_wire(sc, site, t0, options):
    """CallManager restarts on a node nobody polls: only the capture sees every connection reset."""
    nodes = [n for n in site["nodes"] if len(on_node(site, n)) >= 10]
    node = sc.rng.choice(nodes)
    victims = on_node(site, node)
    for ph in victims:
        t = t0 + sc.rng.uniform(0, 3)
        sccp(sc, t, "connection_lost", ph, "cm rst")
        if sc.rng.random() < 0.5:  # some report it from the backup node's view later
            pass
        registered(sc, t + sc.rng.uniform(90, 240), ph)
    return {"scope": ["cm_node", node], "cause": ["cm_restart", node], "phones": victims}


def story_switch(sc, site, t0, kind, mix, options):
    if kind in ("module_failure", "poe_fault"):
        stacks = [sw for sw in site["switches"] if sw["members"] >= 2]
        if not stacks:
            return None
        sw = sc.rng.choice(stacks)
        member = sc.rng.randint(1, sw["members"])
        victims = [p for p in site["phones"] if p["switch"] == sw["name"] and p["member"] == member]
        scope = ["module", f"{sw['name']}/{member}"]
    else:
        sw = sc.rng.choice(site["switches"])
        victims = [p for p in site["phones"] if p["switch"] == sw["name"]]
        scope = ["switch", sw["name"]]
    name = sw["name"]
    t_fault = t0 - sc.rng.uniform(25, 80)  # CUCM notices after missed keepalives
    if kind == "module_failure":
        other = 1 if member != 1 else 2
        sc.ios(t_fault - 0.8, name, "STACKMGR-4-STACK_LINK_CHANGE",
               f"Stack Port 1 Switch {other} has changed to state DOWN")
        sc.ios(t_fault, name, "STACKMGR-4-SWITCH_REMOVED",
               f"Switch {member} has been removed from the stack")
    elif kind == "poe_fault":
        for ph in victims:
            port = ph["port"].replace("GigabitEthernet", "Gi")
            t = t_fault + sc.rng.uniform(0, 2)
            sc.ios(t, name, "ILPOWER-3-CONTROLLER_PORT_ERR",
                   f"Controller port error, Interface {port}: Power Controller reports power "
                   "Tstart error detected")
            sc.ios(t + 0.1, name, "ILPOWER-5-IEEE_DISCONNECT", f"Interface {port}: PD removed")
    elif kind == "link_down":
        sc.ios(t_fault, name, "LINK-3-UPDOWN",
               "Interface TenGigabitEthernet1/1/1, changed state to down")
        sc.ios(t_fault + 1, name, "LINEPROTO-5-UPDOWN",
               "Line protocol on Interface TenGigabitEthernet1/1/1, changed state to down")
    elif kind == "nic_errors":  # the uplink takes errors: keepalives lost
        base = sc.rng.randint(0, 100000)
        for k, t in enumerate([t_fault - 60, t_fault]):
            errors = base if k == 0 else base + sc.rng.randint(500, 20000)
            sc.add(t, {"t": "if_poll", "agent": "agent-snmp", "target": name, "time_us": us(t),
                       "uptime": int((t - t0 + 86400 * 9) * 100),
                       "rows": [[1, "TenGigabitEthernet1/1/1", errors, 0, 1],
                                [1001, "GigabitEthernet1/0/1", 3, 0, 1]]})
    victims = affected_share(sc.rng, victims) if kind != "poe_fault" else victims
    drops(sc, victims, t0, sc.rng.uniform(10, 50), mix, options,
          recover=kind in ("link_down", "nic_errors"))
    return {"scope": scope, "cause": [kind, name], "phones": victims}


# ---------------------------------------------------------------------------------------------
# Around the story


def distractors(sc, site, t0, which, story):
    """Events that explain nothing here; their phones (if any) are outside the story's scope."""
    busy = {p["device"] for p in story["phones"]} if story else set()
    story_node = story["scope"][1] if story and story["scope"][0] == "cm_node" else None
    story_switch = story["cause"][1] if story and story["scope"][0] in ("module", "switch") else None
    others = [n for n in site["nodes"] if n != story_node]
    if "cpu_other" in which and others:
        node = sc.rng.choice(others)
        sc.rtmt(t0 - sc.rng.uniform(-60, 110), node, "CallProcessingNodeCpuPegging",
                " Processor load over configured threshold for configured duration of time . "
                f"Configured high threshold is 90 % ; {node}: CPU {sc.rng.randint(91, 99)} %")
    other_switches = [sw for sw in site["switches"] if sw["name"] != story_switch]
    if "flap_other" in which and other_switches:
        sw = sc.rng.choice(other_switches)
        ports = [p for p in site["phones"] if p["switch"] == sw["name"] and p["device"] not in busy]
        if ports:
            ph = sc.rng.choice(ports)
            t = t0 - sc.rng.uniform(-30, 100)
            sc.ios(t, sw["name"], "LINK-3-UPDOWN", f"Interface {ph['port']}, changed state to down")
            sc.ios(t + 2.5, sw["name"], "LINK-3-UPDOWN", f"Interface {ph['port']}, changed state to up")
    if "errors_other" in which and other_switches:
        sw = sc.rng.choice(other_switches)
        base = sc.rng.randint(0, 1000)
        for k, t in enumerate([t0 - 100, t0 - 40]):
            sc.add(t, {"t": "if_poll", "agent": "agent-snmp", "target": sw["name"],
                       "time_us": us(t), "uptime": int((t - t0 + 86400) * 100),
                       "rows": [[1017, "GigabitEthernet1/0/17", base + k * sc.rng.randint(50, 400),
                                 0, 1]]})
    if "apply_other" in which and others:
        node = sc.rng.choice(others)
        pool = [p for p in on_node(site, node) if p["device"] not in busy and
                (not story_switch or p["switch"] != story_switch)]
        for ph in sc.rng.sample(pool, min(len(pool), sc.rng.randint(3, 7))):
            t = t0 + sc.rng.uniform(-90, 90)
            unregistered(sc, t, ph, 17)
            registered(sc, t + sc.rng.uniform(40, 90), ph)


def churn(sc, site, t0, size, stories):
    """Ordinary reboots and lost phones over 90 minutes; none inside a story's scope and time."""
    # Drops over the 90 minutes as a share of the site's phones: a quiet day, an ordinary one,
    # a bad one (hot-desking, power-saving schedules, people unplugging phones).
    share = {"none": 0, "small": 0.03, "medium": 0.1, "large": 0.3}[size]
    count = int(round(share * len(site["phones"])))
    busy = set()
    for st in stories:
        busy |= {p["device"] for p in st["truth"]["phones"]}
    def in_story_scope(ph, t):
        for st in stories:
            kind, name = st["truth"]["scope"]
            if abs(t - st["t0"]) > 900:
                continue
            if ph["device"] in busy:
                return True
            if kind == "cm_node" and ph["node"] == name:
                return True
            if kind == "switch" and ph["switch"] == name:
                return True
            if kind == "module" and f"{ph['switch']}/{ph['member']}" == name:
                return True
        return False
    for _ in range(count):
        ph = sc.rng.choice(site["phones"])
        t = t0 - 3000 + sc.rng.uniform(0, 5400)
        if in_story_scope(ph, t):
            continue
        unregistered(sc, t, ph, sc.rng.choice([8, 8, 8, 13, 6, 9, 19]))
        registered(sc, t + sc.rng.uniform(45, 150), ph)


def arrival(sc, order):
    """The order the collector receives the inputs in."""
    items = sorted(sc.inputs, key=lambda ti: ti[0])
    if order == "in_order":
        return [it for _, it in items]
    if order == "agent_late":  # one agent was cut off and delivers its spool at the end
        late = sc.rng.choice(sorted({it["agent"] for _, it in items}))
        return [it for _, it in items if it["agent"] != late] + \
               [it for _, it in items if it["agent"] == late]
    out = [it for _, it in items]  # replayed archives, any order
    sc.rng.shuffle(out)
    return out


# ---------------------------------------------------------------------------------------------

FAMILIES = [
    ("cm_cpu", 34), ("heartbeat_low", 22), ("cm_nic_errors", 18), ("planned", 18),
    ("cm_restart_wire", 16), ("module_failure", 34), ("poe_fault", 20), ("uplink_down", 26),
    ("uplink_errors", 18), ("two_stories", 16), ("churn_only", 36),
]


def run_story(sc, site, family, t0, mix, options):
    if family in ("cm_cpu", "heartbeat_low"):
        return story_cm(sc, site, t0, family, mix, options)
    if family == "cm_nic_errors":
        return story_cm(sc, site, t0, "nic_errors", mix, options)
    if family == "planned":
        return story_planned(sc, site, t0, mix, options)
    if family == "cm_restart_wire":
        return story_cm_restart_wire(sc, site, t0, options)
    kind = {"module_failure": "module_failure", "poe_fault": "poe_fault",
            "uplink_down": "link_down", "uplink_errors": "nic_errors"}[family]
    return story_switch(sc, site, t0, kind, mix, options)


def scope_members(site):
    """Every scope of the site with the phones it holds, named as the correlator names them."""
    members = {}
    for ph in site["phones"]:
        net = ph["ip"].rsplit(".", 1)[0]
        for scope in [("cluster", CLUSTER), ("cm_node", ph["node"]), ("switch", ph["switch"]),
                      ("module", f"{ph['switch']}/{ph['member']}"), ("vlan", str(ph["vlan"])),
                      ("subnet", f"{net}.0/24")]:
            members.setdefault(scope, set()).add(ph["device"])
    return members


def equivalent_scopes(members, scope):
    """The other scopes that hold exactly the same phones: which of them is named is a choice
    the phones cannot make (a switch of one member is also its module 1)."""
    own = members[tuple(scope)]
    return sorted([list(s) for s, phones in members.items() if phones == own and list(s) != scope])


def make_scenario(rng, index, family):
    def fits(site):
        """A story on a stack needs one; a story on a CM node needs a node of 10 phones."""
        if family in ("module_failure", "poe_fault", "two_stories") and \
                all(sw["members"] < 2 for sw in site["switches"]):
            return False
        return any(len(on_node(site, n)) >= 10 for n in site["nodes"])

    site = make_site(rng, index)
    while not fits(site):
        site = make_site(rng, index)
    skewed = rng.random() < 0.5
    skew = {}
    if skewed:
        for name in site["nodes"] + [sw["name"] for sw in site["switches"]]:
            skew[name] = rng.choice([-1, 1]) * rng.uniform(0.5, 5.0)
    sc = Scenario(rng, skew)
    t0 = DAY0.timestamp() + 8 * 3600 + index * 97 % 36000 + rng.uniform(0, 60)
    history(sc, site, t0)
    mix = rng.choice(["pure", "network", "mixed"])
    options = set()
    if rng.random() < 0.35:
        options.add("relay")
    if rng.random() < 0.25:
        options.add("capture")
    stories = []
    if family == "two_stories":
        first = rng.choice(["cm_cpu", "module_failure", "uplink_down", "heartbeat_low"])
        second = rng.choice(["planned", "poe_fault", "cm_nic_errors", "uplink_errors"])
        for k, f in enumerate([first, second]):
            t = t0 + k * 2400
            truth = run_story(sc, site, f, t, mix, options)
            if truth:
                stories.append({"t0": t, "truth": truth, "family": f})
    elif family != "churn_only":
        truth = run_story(sc, site, family, t0, mix, options)
        if truth:
            stories.append({"t0": t0, "truth": truth, "family": family})
    which = {d for d in ["cpu_other", "flap_other", "errors_other", "apply_other"] if rng.random() < 0.4}
    distractors(sc, site, t0, which, stories[0]["truth"] if stories else None)
    churn_size = rng.choice(["none", "small", "medium", "large"]) if family != "churn_only" else \
        ["small", "medium", "large", "large"][index % 4]
    churn(sc, site, t0, churn_size, stories)
    order = rng.choice(["in_order", "in_order", "agent_late", "shuffled"])
    inputs = arrival(sc, order)
    members = scope_members(site)
    incidents = [{"scope": st["truth"]["scope"], "cause": st["truth"]["cause"],
                  "phones": sorted(p["device"] for p in st["truth"]["phones"]),
                  "same_phones_as": equivalent_scopes(members, st["truth"]["scope"])}
                 for st in stories]
    variations = {
        "switches": [f"{sw['name']}:{sw['members']}x{'/'.join(map(str, sw['per_member']))}"
                     for sw in site["switches"]],
        "nodes": len(site["nodes"]), "ip_plan": site["ip_plan"], "node_plan": site["node_plan"],
        "shared_vlan": site["shared_vlan"], "mix": mix, "sources": sorted(options),
        "distractors": sorted(which), "churn": churn_size, "order": order,
        "skew": {k: round(v, 2) for k, v in sorted(skew.items())},
    }
    return {"id": f"{index:03d}-{family}", "family": family, "variations": variations,
            "inputs": inputs, "truth": {"incidents": incidents}}


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus.jsonl.gz")
    rng = random.Random(SEED)
    families = [f for f, n in FAMILIES for _ in range(n)]
    rng.shuffle(families)
    # gzip without a name or time in its header: the same bytes on every run.
    with open(out_path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="",
                                                     mtime=0, compresslevel=9) as out:
        for index, family in enumerate(families):
            scenario = make_scenario(rng, index, family)
            out.write((json.dumps(scenario, separators=(",", ":"), sort_keys=True) + "\n").encode())
    print(f"{len(families)} scenarios -> {out_path}")


if __name__ == "__main__":
    main()
