"""The boot chain with real servers, in network namespaces the test makes.

BootNetwork (a context manager) creates two namespaces joined by a veth pair:
  srv    (veth-srv: 10.77.0.1/24, the TFTP server, and 10.77.0.10/24, the CM): dnsmasq (DHCP with
         option 150 and reservations, TFTP serving the scenario's files), a CM sim (tools/boot_sim
         cm_sim.py) on 10.77.0.10:2000, optionally a rejecting one on 10.77.0.1:2000 (the TFTP
         server's own CM service, not in the group) and an HTTP server on 10.77.0.1:6970; the
         test runs the collector (127.0.0.1 of this namespace) and the agent (capturing on
         veth-srv) here too.
  phones (veth-ph: every phone's reserved address 10.77.0.1NN/24): tools/boot_sim.
Namespace names carry the PID and a counter, so parallel runs never clash; everything
(processes by PID, then the namespaces) is torn down on exit, also when the test failed.

Scenarios (SCENARIOS) are what a test and the checked-in captures (tests/data/boot/*.pcap) run:
  python3 tests/integration/boot_support.py capture --out tests/data/boot   # as root
rewrites every capture (tcpdump on veth-srv during the run) and, beside it in
tests/data/boot/scenarios/<scenario>.jsonl, what boot_sim printed (the run's ground truth).
"""
import argparse
import itertools
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Process, wait_for  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BOOT_SIM = os.path.join(ROOT, "tools", "boot_sim", "boot_sim.py")
CM_SIM = os.path.join(ROOT, "tools", "boot_sim", "cm_sim.py")

SRV_IF, PHONES_IF = "veth-srv", "veth-ph"
TFTP_IP, CM_IP = "10.77.0.1", "10.77.0.10"
DEAD_IP = "10.77.0.20"  # an address in ns srv where nothing listens
CONFIG_LOAD = "SCCP45.9-4-2SR4-3S"  # what the configs name
OLD_LOAD = "SCCP45.9-4-2SR3-1S"  # what a phone due an upgrade runs

_counter = itertools.count(1)


def phone_mac(idx):
    return f"00:aa:bb:00:00:{idx:02x}"


def phone_name(idx):
    return "SEP" + phone_mac(idx).replace(":", "").upper()


def phone_ip(idx):
    return f"10.77.0.{100 + idx}"


class Scenario:
    """What the servers offer and how the phones behave.

    option_150: the TFTP servers DHCP offers (None: no option 150 at all). tftp: dnsmasq serves
    TFTP. provisioned: the per-phone configs exist (else only XMLDefault.cnf.xml). cm_accepts:
    the group's CM (10.77.0.10) accepts Register (else rejects: autoregistration off).
    tftp_cm: a rejecting CM on the TFTP server's address. http: an HTTP server on 6970.
    phone_load: the load the phones run. sim_args: boot_sim flags."""

    def __init__(self, name, option_150=(TFTP_IP,), tftp=True, provisioned=True, cm_accepts=True,
                 tftp_cm=False, http=False, phone_load=CONFIG_LOAD, sim_args=()):
        self.name = name
        self.option_150 = option_150
        self.tftp = tftp
        self.provisioned = provisioned
        self.cm_accepts = cm_accepts
        self.tftp_cm = tftp_cm
        self.http = http
        self.phone_load = phone_load
        self.sim_args = list(sim_args)


SCENARIOS = {s.name: s for s in (
    Scenario("healthy"),
    Scenario("healthy_http", http=True, sim_args=["--http-first"]),
    Scenario("config_loop", sim_args=["--reject-config"]),
    Scenario("firmware_loop", phone_load=OLD_LOAD, sim_args=["--reject-load"]),
    Scenario("not_provisioned", provisioned=False, cm_accepts=False),
    Scenario("wrong_tftp", tftp_cm=True, sim_args=["--register-to", "tftp", "--register-attempts", "3"]),
    Scenario("no_option_150", option_150=None),
    # Retries spread over 18 s: longer than the agent's server_silence_s (15), as a phone's are.
    Scenario("tftp_down", tftp=False, sim_args=["--tftp-timeout", "1.5", "--tftp-retries", "3"]),
)}


# ---------------------------------------------------------------------------------------------
# The files the TFTP server serves

def cnf_xml(cm_group=(CM_IP,), load=CONFIG_LOAD, security_mode=1):
    """A config shaped like CUCM 8.x-11.x writes for an SCCP 7965 (abridged)."""
    members = "".join(
        f'<member priority="{i}"><callManager><name>CM_{ip}</name><description>{ip}</description>'
        f"<ports><ethernetPhonePort>2000</ethernetPhonePort><sipPort>5060</sipPort>"
        f"<securedSipPort>5061</securedSipPort></ports><processNodeName>{ip}</processNodeName>"
        f"</callManager></member>" for i, ip in enumerate(cm_group))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<device xsi:type="axl:XIPPhone" ctiid="1566023366">
<fullConfig>true</fullConfig>
<deviceProtocol>SCCP</deviceProtocol>
<sshUserId></sshUserId>
<sshPassword></sshPassword>
<devicePool>
<dateTimeSetting><dateTemplate>M/D/Ya</dateTemplate><timeZone>Central Standard/Daylight Time</timeZone>
<ntps><ntp><name>{TFTP_IP}</name><ntpMode>Unicast</ntpMode></ntp></ntps></dateTimeSetting>
<callManagerGroup><name>Default</name><tftpDefault>true</tftpDefault><members>{members}</members></callManagerGroup>
<srstInfo><name>Disable</name><srstOption>Disable</srstOption></srstInfo>
<connectionMonitorDuration>120</connectionMonitorDuration>
</devicePool>
<commonProfile><phonePassword></phonePassword><backgroundImageAccess>true</backgroundImageAccess>
<callLogBlfEnabled>2</callLogBlfEnabled></commonProfile>
<loadInformation>{load}</loadInformation>
<vendorConfig><disableSpeaker>false</disableSpeaker><pcPort>0</pcPort><garp>1</garp>
<voiceVlanAccess>0</voiceVlanAccess><webAccess>0</webAccess></vendorConfig>
<userLocale><name>English_United_States</name><langCode>en_US</langCode></userLocale>
<networkLocale>United_States</networkLocale>
<idleTimeout>0</idleTimeout>
<authenticationURL></authenticationURL>
<directoryURL>http://{CM_IP}:8080/ccmcip/xmldirectory.jsp</directoryURL>
<deviceSecurityMode>{security_mode}</deviceSecurityMode>
<capfAuthMode>0</capfAuthMode>
<transportLayerProtocol>1</transportLayerProtocol>
<certHash></certHash>
<encrConfig>false</encrConfig>
</device>
""".encode()


def sgn_envelope(xml, signer="CN=cucm-pub;OU=VOICE;O=Example;C=US"):
    """A stand-in for the signature header CUCM puts before a signed file's XML: the shape
    (version, header length, signer and signature TLVs, then the file) with a fake signature.
    The phones here never check it; the agent must skip it to read the XML."""
    tlvs = b""
    for tag, value in ((0x03, signer.encode()), (0x04, b"\x00" * 4),  # signer, serial
                       (0x06, b"SEP.cnf.xml"), (0x07, struct.pack("!I", 1700000000)),
                       (0x08, bytes(range(256)) * 1)):  # file name, time, "signature"
        tlvs += struct.pack("!BH", tag, len(value)) + value
    header_len = 4 + 2 + len(tlvs)
    return b"\x01\x02\x00\x00" + struct.pack("!H", header_len) + tlvs + xml


def itl_file(idx):
    """Some bytes in an ITL's place (the phones never check them)."""
    body = f"ITL for {phone_name(idx) if idx else 'the cluster'}: TFTP signer CN=cucm-pub".encode()
    return b"\x01\x01\x00\x02\x01\x00" + struct.pack("!H", len(body)) + body + bytes(600)


def load_file():
    """A .loads file: a few TFTP blocks, so the transfer has more than one."""
    head = (f"{CONFIG_LOAD}\napps45.9-4-2ES18.sbn\ncnu45.9-4-2ES18.sbn\n"
            f"cvm45sccp.9-4-2ES18.sbn\ndsp45.9-4-2ES18.sbn\njar45sccp.9-4-2ES18.sbn\n").encode()
    return head + bytes(5000 - len(head))


def write_tftp_root(root, scenario, phones):
    os.makedirs(root, exist_ok=True)
    files = {"XMLDefault.cnf.xml": cnf_xml(), "ITLFile.tlv": itl_file(0), CONFIG_LOAD + ".loads": load_file()}
    if scenario.provisioned:
        for i in phones:
            files[f"ITL{phone_name(i)}.tlv"] = itl_file(i)
            files[f"{phone_name(i)}.cnf.xml.sgn"] = sgn_envelope(cnf_xml())
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(root, name), 0o644)
    os.chmod(root, 0o755)
    return files


# ---------------------------------------------------------------------------------------------
# The namespaces and their servers

def run(*args, check=True):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result


class BootNetwork:
    """Two namespaces, a veth pair, dnsmasq, CM sims and (optionally) an HTTP server.

    phones: the phone indexes (1-based) whose reservations dnsmasq holds; workdir: where logs,
    the TFTP root and captures go (the test's temp dir)."""

    def __init__(self, scenario, phones, workdir):
        self.scenario = scenario
        self.phones = list(phones)
        self.dir = workdir
        n = next(_counter)
        self.srv = f"rwboot-srv-{os.getpid()}-{n}"
        self.ph = f"rwboot-ph-{os.getpid()}-{n}"
        self.processes = []
        self.namespaces = []
        self.capture_process = None

    # -- helpers for the test
    def in_srv(self, *argv):
        return ["ip", "netns", "exec", self.srv, *argv]

    def in_phones(self, *argv):
        return ["ip", "netns", "exec", self.ph, *argv]

    def start(self, argv, name):
        """A process (argv already wrapped with in_srv/in_phones), killed by PID on exit."""
        p = Process(argv, self.dir, name)
        self.processes.append(p)
        return p

    def listening(self, ns, proto, port):
        return run("ip", "netns", "exec", ns, "ss", f"-Hln{proto}", f"sport = :{port}").stdout.strip()

    # -- setup and teardown
    def __enter__(self):
        try:
            self._make_namespaces()
            self._start_servers()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _make_namespaces(self):
        for ns in (self.srv, self.ph):
            run("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "link", "add", SRV_IF, "netns", self.srv, "type", "veth", "peer", "name",
            PHONES_IF, "netns", self.ph)
        for ip in (TFTP_IP, CM_IP, DEAD_IP):
            run("ip", "-n", self.srv, "addr", "add", f"{ip}/24", "dev", SRV_IF)
        for i in self.phones:
            run("ip", "-n", self.ph, "addr", "add", f"{phone_ip(i)}/24", "dev", PHONES_IF)
        # The veth's own MAC must not be a phone's: ARP answers for the phones come from it.
        run("ip", "-n", self.srv, "link", "set", SRV_IF, "address", "02:77:00:00:00:01", "up")
        run("ip", "-n", self.ph, "link", "set", PHONES_IF, "address", "02:77:00:00:00:02", "up")
        # DAD would hold IPv6 link-local traffic until it settles; none is wanted on the wire.
        for ns, ifname in ((self.srv, SRV_IF), (self.ph, PHONES_IF)):
            run("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{ifname}.disable_ipv6=1")

    def _start_servers(self):
        s = self.scenario
        self.tftp_root = os.path.join(self.dir, "tftp-root")
        self.files = write_tftp_root(self.tftp_root, s, self.phones)
        conf = [
            "port=0",  # no DNS: DHCP and TFTP only
            f"interface={SRV_IF}", "bind-interfaces", "no-ping", "log-dhcp", "user=root",
            f"dhcp-range={phone_ip(self.phones[0])},{phone_ip(self.phones[-1])},255.255.255.0,1h",
            f"dhcp-leasefile={os.path.join(self.dir, 'dnsmasq.leases')}",
            f"pid-file={os.path.join(self.dir, 'dnsmasq.pid')}",
            f"log-facility={os.path.join(self.dir, 'dnsmasq.log')}",
        ]
        conf += [f"dhcp-host={phone_mac(i)},{phone_ip(i)}" for i in self.phones]
        if s.option_150:
            conf.append("dhcp-option=150," + ",".join(s.option_150))
        if s.tftp:
            conf += ["enable-tftp", f"tftp-root={self.tftp_root}"]
        conf_path = os.path.join(self.dir, "dnsmasq.conf")
        with open(conf_path, "w") as f:
            f.write("\n".join(conf) + "\n")
        dnsmasq = self.start(self.in_srv("dnsmasq", "--keep-in-foreground", f"--conf-file={conf_path}"),
                             "dnsmasq")

        def ready():
            if dnsmasq.proc.poll() is not None:
                raise AssertionError(f"dnsmasq exited {dnsmasq.proc.returncode}: {dnsmasq.stderr()}")
            return self.listening(self.srv, "u", 67) and (not s.tftp or self.listening(self.srv, "u", 69))
        wait_for(ready, 30, what="dnsmasq to listen")
        known = [] if s.cm_accepts else ["--known", "SEP000000000000"]  # nobody we run
        self._start_cm(CM_IP, known, "cm")
        if s.tftp_cm:
            self._start_cm(TFTP_IP, ["--reject-all"], "cm-tftp")
        if s.http:
            http = self.start(self.in_srv(sys.executable, "-m", "http.server", "--bind", TFTP_IP,
                                          "--directory", self.tftp_root, "6970"), "http")
            wait_for(lambda: http.proc.poll() is None and self.listening(self.srv, "t", 6970), 30,
                     what="the HTTP server on 6970")

    def _start_cm(self, ip, flags, name):
        cm = self.start(self.in_srv(sys.executable, CM_SIM, "--listen", f"{ip}:2000", *flags), name)

        def up():
            if cm.proc.poll() is not None:
                raise AssertionError(f"{name} exited {cm.proc.returncode}: {cm.stderr()}")
            return "cm_listening" in cm.stdout()
        wait_for(up, 30, what=f"{name} on {ip}:2000")

    def close(self):
        for p in reversed(self.processes):
            p.terminate(timeout=10)
        self.processes = []
        for ns in self.namespaces:
            run("ip", "netns", "delete", ns, check=False)
        self.namespaces = []

    # -- the run
    def start_capture(self, path):
        """tcpdump on veth-srv, each packet written as it comes, until stop_capture()."""
        p = self.start(self.in_srv("tcpdump", "-i", SRV_IF, "--immediate-mode", "-U", "-n", "-s", "0", "-w", path),
                       "tcpdump")
        wait_for(lambda: p.proc.poll() is not None or "listening on" in p.stderr(), 30,
                 what="tcpdump to start")
        if p.proc.poll() is not None:
            raise AssertionError(f"tcpdump exited {p.proc.returncode}: {p.stderr()}")
        self.capture_process = p
        return p

    def stop_capture(self):
        p, self.capture_process = self.capture_process, None
        if p is not None:
            # The phones have had every answer before boot_sim exits, and tcpdump in immediate
            # mode (-U) has written each packet as it came: SIGINT loses nothing. Without
            # immediate mode, packets still in the kernel's ring block would be lost.
            p.proc.send_signal(signal.SIGINT)
            p.proc.wait(30)

    def run_phones(self, *extra, timeout=120):
        """Runs boot_sim over every phone until each is done; returns its JSON lines.

        The phones that registered stay registered (keepalives) until close(): closing their
        connections would be ten phones dropping at once, an incident of its own."""
        s = self.scenario
        args = [sys.executable, BOOT_SIM, "--interface", PHONES_IF, "--first", str(self.phones[0]),
                "--phones", str(len(self.phones)), "--phone-load", s.phone_load, "--hold", "3600",
                *s.sim_args, *extra]
        sim = self.start(self.in_phones(*args), "boot_sim")

        def walked():
            # Whole lines only: the last may still be being written.
            lines = [json.loads(line) for line in sim.stdout().split("\n")[:-1]]
            if lines and lines[-1]["event"] == "summary":
                return lines
            if sim.proc.poll() is not None:
                raise AssertionError(f"boot_sim exited {sim.proc.returncode}: {sim.stderr()}")
            return None
        return wait_for(walked, timeout, interval=0.1, what="the phones to walk their boot chain")


def capture_scenarios(out_dir, names, phones):
    """Writes out_dir/<scenario>.pcap for each scenario (root: namespaces, raw frames)."""
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        work = tempfile.mkdtemp(prefix=f"regwatch-boot-{name}-")
        try:
            with BootNetwork(SCENARIOS[name], range(1, phones + 1), work) as net:
                tmp_pcap = os.path.join(work, "capture.pcap")
                net.start_capture(tmp_pcap)
                lines = net.run_phones()
                net.stop_capture()  # before the registered phones' connections close
                shutil.copyfile(tmp_pcap, os.path.join(out_dir, f"{name}.pcap"))
            # The simulator's own account of the run: the ground truth beside the capture.
            os.makedirs(os.path.join(out_dir, "scenarios"), exist_ok=True)
            with open(os.path.join(out_dir, "scenarios", f"{name}.jsonl"), "w") as f:
                f.writelines(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
            summary = lines[-1]
            print(f"{name}: {summary['results']} -> {os.path.join(out_dir, name + '.pcap')}")
        finally:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Boot-chain scenarios in network namespaces (root).")
    sub = ap.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="write tests/data/boot/<scenario>.pcap")
    cap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "boot"))
    cap.add_argument("--phones", type=int, default=3)
    cap.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("boot_support: needs root (network namespaces, raw frames)", file=sys.stderr)
        return 2
    capture_scenarios(args.out, args.scenarios, args.phones)
    return 0


if __name__ == "__main__":
    sys.exit(main())
