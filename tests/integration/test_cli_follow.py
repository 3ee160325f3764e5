"""`regwatch events --follow --format jsonl` against a live collector and agent: the events
stored before it started, then each batch sent with util-linux `logger` as it is stored, each
once and in order; Ctrl-C ends it with exit 0; a collector that goes away ends it with exit 2.
`regwatch incidents --follow` shows an incident an archive replay makes, each state once."""
import json
import os
import signal
import subprocess
import unittest

from harness import CLI, Process, RegwatchTestCase, free_port, wait_for

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")

# A CUCM unregistration alarm; DEVICE and TIME are filled in per line.
CUCM_LINE = ("41679: uc-ucm-01.pcce.local: {time} UTC: "
             "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName={device}]"
             "[IPAddress=10.60.98.210][Protocol=SIP][DeviceType=592][Description=Phone][Reason=13]"
             "[IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout]"
             "[AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: "
             "An endpoint has unregistered")


def device(n):
    return f"SEP0000000{n:05d}"


class CliFollowTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.collector = self.start_collector()
        self.port = free_port()
        self.agent = self.start_agent(self.collector.address, extra=[
            "--syslog-tcp", f"127.0.0.1:{self.port}"])
        # 60 s: with the PostgreSQL pass the suite runs twice as many processes on 2 cores.
        wait_for(lambda: "receiving syslog" in self.agent.stderr(), 60, what="agent to listen")

    def send(self, numbers):
        """Sends one line per number over TCP; event times one second apart, in number order."""
        lines = [CUCM_LINE.format(device=device(n), time=f"Nov 20 2026 09:{n // 60:02d}:{n % 60:02d}.000")
                 for n in numbers]
        batch = self.path(f"batch-{numbers[0]}.txt")
        with open(batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(self.port), "--tcp",
                        "--octet-count", "--rfc3164", "--priority", "local7.err", "-f", batch],
                       check=True, timeout=30)

    def follow(self, *args):
        p = Process([CLI, "--collector", self.collector.address, "events", "--follow",
                     "--format", "jsonl", "--kind", "phone_unregistered", *args], self.dir, "follow")
        self.processes.append(p)
        return p

    @staticmethod
    def devices(p):
        # Only whole lines: the last one may still be being written.
        text = p.stdout()
        return [json.loads(line)["device"] for line in text[:text.rfind("\n") + 1].splitlines()]

    def wait_devices(self, p, count):
        def enough():
            if p.proc.poll() is not None:
                raise AssertionError(f"follow exited {p.proc.returncode}: {p.stderr()}")
            return len(self.devices(p)) >= count
        wait_for(enough, 30, what=f"{count} followed events")

    def test_existing_then_new_batches_once_each_in_order_then_ctrl_c_exits_0(self):
        self.send(range(0, 5))
        wait_for(lambda: self.total_events(self.collector.address) >= 5, 30, what="5 stored")
        p = self.follow()
        self.wait_devices(p, 5)
        for start in (5, 30, 200):
            self.send(range(start, start + (100 if start == 200 else 10)))
        expected = [device(n) for n in [*range(0, 5), *range(5, 15), *range(30, 40), *range(200, 300)]]
        self.wait_devices(p, len(expected))
        # Nothing more may come: the stored count is what was sent, and the stream shows it once.
        self.assertEqual(self.total_events(self.collector.address), len(expected))
        os.kill(p.proc.pid, signal.SIGINT)
        self.assertEqual(p.wait(15), 0, p.stderr())
        self.assertEqual(self.devices(p), expected)

    def test_a_collector_that_goes_away_ends_the_stream_with_exit_2(self):
        p = self.follow("--since", "2026-11-20")
        # Following: the first poll answered (nothing stored yet) and it keeps polling.
        self.send([0])
        self.wait_devices(p, 1)
        self.collector.terminate()
        self.assertEqual(p.wait(60), 2, p.stderr())
        self.assertIn("stopped following", p.stderr())
        # Cut mid-poll or refused at the next one: either way it says the collector is gone.
        self.assertRegex(p.stderr(), "cannot reach the collector|ended the call")

    def test_json_is_not_a_stream(self):
        r = self.cli(self.collector.address, "events", "--follow", "--format", "json", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("jsonl", r.stderr)


class CliFollowIncidentsTest(RegwatchTestCase):
    def test_a_new_incident_and_its_states_appear_once_each(self):
        collector = self.start_collector()
        p = Process([CLI, "--collector", collector.address, "incidents", "--follow", "--since",
                     "2020-01-01", "--format", "jsonl"], self.dir, "follow")
        self.processes.append(p)
        # Whether its first poll comes before or after the replay, the incident must show, each
        # state once; it must still be following (not exited on an error) when the replay starts.
        wait_for(lambda: self.cli(collector.address, "status").returncode == 0, 30, what="collector")
        self.assertIsNone(p.proc.poll(), p.stderr())
        agent = self.start_agent(collector.address, extra=["--replay-syslog", ARCHIVE], agent_id="archive")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

        def lines():
            text = p.stdout()
            return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines()]
        wait_for(lambda: any(i["state"] == "resolved" for i in lines()), 60, what="the resolved incident")
        os.kill(p.proc.pid, signal.SIGINT)
        self.assertEqual(p.wait(15), 0, p.stderr())
        seen = [(i["id"], i["state"]) for i in lines()]
        self.assertEqual(len(seen), len(set(seen)), seen)  # each state of each incident once
        self.assertEqual({i["scope"]["name"] for i in lines()}, {"ucm-sub1"})


if __name__ == "__main__":
    unittest.main()
