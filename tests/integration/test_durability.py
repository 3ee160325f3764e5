"""Durability of the agent with the real binaries (issue 17, section Tests): a flipped bit in
a spool segment loses that one record and reports it; kill -9 of the agent while lines flow
leaves the stored seqs contiguous; memory stays bounded under a UDP flood and a 100 MiB TCP
"line", and does not grow from one flood to the next (the audit's numbers, kept as
regression tests)."""
import glob
import os
import socket
import struct
import subprocess
import threading
import time
import unittest

from harness import BUILD, RegwatchTestCase, free_port, wait_for

LINE = ("Nov 20 09:00:00 ucm-sub1 local7 3 : {n}: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName={device}][IPAddress=10.1.1.1]"
        "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
        "[NodeID=ucm-sub1]: An endpoint has unregistered")
FLOOD_SENDER = os.path.join(BUILD, "bench", "syslog_flood_sender")
RECORD_HEADER = 16  # agent/spool/spool_record.h: [u32 length][u32 crc32c][u64 seq][payload]


def device(n):
    return f"SEP{0xD0000000000 + n:012X}"


def line(n):
    return LINE.format(n=n, device=device(n))


def segments(spool):
    """The spool's segment files, oldest first (not the .damaged-* copies)."""
    return sorted(glob.glob(os.path.join(spool, "segment-*.log")))


def spool_seqs(spool):
    """Every seq of a complete record in the spool's segments (agent/spool/spool_record.h)."""
    seqs = []
    for path in segments(spool):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:  # deleted once acknowledged
            continue
        offset = 0
        while offset + RECORD_HEADER <= len(data):
            length, _crc, seq = struct.unpack_from("<IIQ", data, offset)
            if offset + RECORD_HEADER + length > len(data):
                break  # a record being written
            seqs.append(seq)
            offset += RECORD_HEADER + length
    return seqs


def spool_state(spool):
    try:
        with open(os.path.join(spool, "state")) as f:
            return dict(line.split(" ", 1) for line in f.read().splitlines() if " " in line)
    except FileNotFoundError:
        return {}


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            if row.startswith(field + ":"):
                return int(row.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class DurabilityTest(RegwatchTestCase):
    def write_config(self, text):
        path = self.path("agent.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_a_flipped_bit_loses_one_record_and_reports_it(self):
        count = 300
        victim = 150
        spool = self.path("spool")
        # Nothing listens on the collector's port: every line stays in the spool.
        port = free_port()
        syslog_port = free_port()
        agent = self.start_agent(f"127.0.0.1:{port}", spool=spool, extra=[
            "--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{syslog_port}"])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        with socket.create_connection(("127.0.0.1", syslog_port), timeout=10) as s:
            s.sendall("".join(line(n) + "\n" for n in range(count)).encode())

        def all_spooled():
            data = b""
            for path in segments(spool):
                with open(path, "rb") as f:
                    data += f.read()
            return all(device(n).encode() in data for n in range(count))

        wait_for(all_spooled, 30, what=f"{count} lines in the spool")
        self.assertEqual(agent.terminate(), 0, agent.stderr())
        self.assertEqual(len(spool_seqs(spool)), count)

        # One bit of the victim's device name, in the middle of the (only) segment.
        files = segments(spool)
        self.assertEqual(len(files), 1, files)
        with open(files[0], "rb") as f:
            data = bytearray(f.read())
        name = device(victim).encode()
        at = data.find(name)
        self.assertGreater(at, len(data) // 4)
        self.assertLess(at, 3 * len(data) // 4)
        data[at + len(name) - 1] ^= 0x04
        with open(files[0], "wb") as f:
            f.write(data)

        collector = self.start_collector(port=port)
        again = self.start_agent(collector.address, spool=spool, name="again", extra=[
            "--syslog-udp", "", "--syslog-tcp", ""])

        # The drop report is appended after every kept record, so once it is stored, so are they.
        def reported():
            return [r for r in self.events(collector.address, "--kind", "agent_drops")
                    if r["reason"] == "spool_corrupt_record"]

        reports = wait_for(reported, 60, interval=0.3, what="the spool_corrupt_record drop report")
        self.assertEqual(len(reports), 1, reports)
        self.assertEqual(int(reports[0]["dropped"]), 1)
        self.assertEqual(int(reports[0]["dropped_total"]), 1)
        stored = self.events(collector.address, "--kind", "phone_unregistered")
        devices = [e["device"] for e in stored]
        self.assertEqual(len(devices), count - 1)
        self.assertEqual(set(devices), {device(n) for n in range(count) if n != victim})
        self.assertEqual(len(glob.glob(os.path.join(spool, "segment-*.log.damaged-*"))), 1,
                         os.listdir(spool))
        self.assertIn("corrupt record", again.stderr())

    def test_kill9_of_the_agent_while_lines_flow_leaves_seqs_contiguous(self):
        collector = self.start_collector()
        spool = self.path("spool")
        syslog_port = free_port(socket.SOCK_DGRAM)
        extra = ["--syslog-udp", f"127.0.0.1:{syslog_port}", "--syslog-tcp", ""]
        stop = threading.Event()
        sent = [0]

        def sender():
            # ~1,000 lines/s, paced; what arrives while the agent is dead is lost in the kernel.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                while not stop.is_set():
                    for _ in range(10):
                        try:
                            s.sendto(line(sent[0]).encode(), ("127.0.0.1", syslog_port))
                        except OSError:
                            pass
                        sent[0] += 1
                    time.sleep(0.01)

        thread = threading.Thread(target=sender, daemon=True)
        thread.start()
        try:
            agent = self.start_agent(collector.address, spool=spool, extra=extra)
            # Kill at different moments: as soon as it listens, and after 40 to 2,500 more records.
            for round_, more in enumerate([300, 0, 2500, 40, 900]):
                wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
                base = max(spool_seqs(spool), default=0)
                if more:
                    wait_for(lambda: max(spool_seqs(spool), default=0) >= base + more, 60,
                             what=f"{more} more records spooled (round {round_})")
                agent.kill9()
                agent = self.start_agent(collector.address, spool=spool, extra=extra,
                                         name=f"agent{round_}")
            wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
            base = max(spool_seqs(spool), default=0)
            wait_for(lambda: max(spool_seqs(spool), default=0) >= base + 500, 60,
                     what="records spooled after the last restart")
        finally:
            stop.set()
            thread.join()

        def drained():
            on_disk = max([*spool_seqs(spool), int(spool_state(spool).get("last_seq", 0))])
            acked = int(spool_state(spool).get("acked_seq", 0))
            rows = [a for a in self.status(collector.address)["agents"] if a["agent_id"] == "test-agent"]
            return on_disk if rows and acked == on_disk == int(rows[0]["last_seq"]) else None

        last = wait_for(drained, 120, interval=0.5, what="the spool drained to the collector")
        events = sorted((e for e in self.events(collector.address) if e["agent_id"] == "test-agent"),
                        key=lambda e: int(e["seq"]))
        seqs = [int(e["seq"]) for e in events]
        self.assertEqual(len(seqs), len(set(seqs)), "a seq stored twice")
        self.assertEqual(max(seqs), last)
        missing = sorted(set(range(1, last + 1)) - set(seqs))
        # A gap is allowed only where the agent reported it lost (a torn record at a kill).
        lost = sum(int(e["dropped"]) for e in events
                   if e["kind"] == "agent_drops" and e["reason"].startswith("spool_"))
        self.assertEqual(len(missing), lost, f"unreported gaps: {missing[:20]}")
        self.assertGreater(last, 3000)
        # Nothing resent under a new seq, nothing out of order: in seq order the lines are
        # the sender's, in the order sent (one sender, loopback).
        numbers = [int(e["syslog_sequence"]) for e in events if e["kind"] == "phone_unregistered"]
        self.assertEqual(len(numbers), len(set(numbers)), "a line stored twice")
        self.assertEqual(numbers, sorted(numbers), "lines stored out of order")
        print(f"\nkill -9 x5: {sent[0]} lines sent, seqs 1..{last}, {len(missing)} reported lost",
              flush=True)

    def test_memory_stays_bounded_under_floods(self):
        # A small UDP queue (defaults: 200,000 datagrams / 128 MiB), so that the bound is tight.
        config = self.write_config("syslog:\n  udp_queue_max_datagrams: 20000\n"
                                   "  udp_queue_max_bytes: 8388608\n")
        udp_port = free_port(socket.SOCK_DGRAM)
        tcp_port = free_port()
        # Nothing listens on the collector's port: the spool (64 MiB, drop_oldest) takes it all.
        agent = self.start_agent(f"127.0.0.1:{free_port()}", extra=[
            "--config", config, "--syslog-udp", f"127.0.0.1:{udp_port}",
            "--syslog-tcp", f"127.0.0.1:{tcp_port}", "--spool-max-size", "64MiB"])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="agent to listen")
        pid = agent.proc.pid
        flood = 200_000

        def flood_file(round_):
            # 200,000 distinct CUCM lines from a fleet of 2,000 phones. Each flood's event times
            # are an hour after the last one's, as in successive incidents: the agent's
            # duplicate-drop marker forgets a report two windows (4 min) behind the newest event
            # time, so it holds one flood's reports at a time. (Its own bound is 200,000
            # reports; with 200,000 distinct phones it alone grew by ~20 MiB a flood up to
            # ~145 MiB, a designed bound that would hide a leak here.)
            path = self.path(f"flood{round_}.txt")
            with open(path, "w") as f:
                f.write("".join(LINE.format(n=n, device=device(n % 2000))
                                .replace("09:00:00", f"{9 + round_:02d}:00:00") + "\n"
                                for n in range(flood)))
            return path

        def udp_flood(path):
            if os.path.exists(FLOOD_SENDER):  # sendmmsg at full speed (~150,000/s here)
                subprocess.run([FLOOD_SENDER, str(udp_port), path, "0"], check=True,
                               capture_output=True, timeout=120)
            else:
                with open(path, "rb") as f, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    for row in f:
                        s.sendto(row.rstrip(b"\n"), ("127.0.0.1", udp_port))

        def tcp_line(size=100 << 20):
            # One 100 MiB "line" without a newline: the agent cuts it into 64 KiB frames.
            chunk = b"x" * (1 << 20)
            with socket.create_connection(("127.0.0.1", tcp_port), timeout=60) as s:
                for _ in range(size // len(chunk)):
                    s.sendall(chunk)
                s.shutdown(socket.SHUT_WR)
                while s.recv(4096):  # the agent closes once it has read everything
                    pass

        def idle():
            before = cpu_ticks(pid)
            time.sleep(0.5)
            return cpu_ticks(pid) - before <= 2

        sampled = [0]
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                try:
                    sampled[0] = max(sampled[0], rss_kib(pid))
                except (FileNotFoundError, ProcessLookupError):
                    return
                time.sleep(0.01)

        def start_phase():
            # The peak of one phase: VmRSS sampled every 10 ms, and VmHWM reset where allowed.
            sampled[0] = rss_kib(pid)
            try:
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
                return True
            except OSError:
                return False

        def phase_peak(hwm_reset):
            return max(sampled[0], rss_kib(pid, "VmHWM") if hwm_reset else 0, rss_kib(pid))

        wait_for(idle, 30, interval=0, what="agent idle at start")
        baseline = rss_kib(pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        udp_peaks, tcp_growth, timings = [], [], []
        try:
            for round_ in range(4):
                path = flood_file(round_)
                reset = start_phase()
                started = time.monotonic()
                udp_flood(path)
                wait_for(idle, 120, interval=0, what="agent idle after the UDP flood")
                udp_peaks.append(phase_peak(reset))
                before_line = rss_kib(pid)
                reset = start_phase()
                tcp_line()
                wait_for(idle, 120, interval=0, what="agent idle after the 100 MiB line")
                tcp_growth.append(phase_peak(reset) - before_line)
                timings.append(round(time.monotonic() - started, 1))
                self.assertIsNone(agent.proc.poll(), agent.stderr()[-2000:])
        finally:
            sampling.set()
            sampler.join()
        settled = rss_kib(pid)
        print(f"\nagent RSS (KiB): baseline {baseline}, UDP flood peaks {udp_peaks}, growth during "
              f"the 100 MiB line {tcp_growth}, settled {settled}; flood+line {timings} s", flush=True)
        # Observed (2 cores, busy with a fuzzing campaign; queue 20,000 / 8 MiB), in KiB:
        # baseline ~23,500; UDP flood peaks [44,716, 45,736, 45,744, 45,812] and
        # [46,104, 46,844, 46,848, 46,920]; the 100 MiB line adds 0-1 MiB; flood and line
        # ~3.5-5 s. With the default queue (200,000 / 128 MiB) a flood peaked at 210-290 MiB.
        self.assertLess(max(udp_peaks), 112 << 10, "peak RSS over 112 MiB under the UDP flood")
        self.assertLess(max(tcp_growth), 32 << 10, "the 100 MiB line was buffered")
        # No growth across floods: the same flood again raises the first one's peak by 25 % at
        # most (a leak of a few bytes a datagram, or of what the queue drops, adds more).
        self.assertLess(max(udp_peaks[1:]), udp_peaks[0] * 1.25, "a later flood raised the peak")
        # Every datagram is accounted for: read by the agent, or counted as a drop.
        agent.terminate()
        self.assertRegex(agent.stderr(), r"syslog udp: \d+ datagrams read")

if __name__ == "__main__":
    unittest.main()
