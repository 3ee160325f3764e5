"""A peer holding an agent's token that sends bytes which are not an EventBatch on Ingest (a
broken or hostile client: our agents check every event before sending) has its stream ended
INVALID_ARGUMENT, saying what failed and the message's size; the message is counted in
regwatch_ingest_batches_rejected_total{reason="unparsable"} and logged with the peer and the
agent id; and that agent's well-formed streams are stored as ever. (gRPC's typed reading used to
report such bytes as the end of the stream: the collector ended it OK and counted nothing.)"""
import json
import os
import subprocess

from harness import BUILD, RegwatchTestCase, wait_for

PROBE = os.path.join(BUILD, "tests", "integration", "ingest_probe")
TOKEN = "edge-1-token-5678"
VIEWER = "noc-viewer-token-5678"
UNPARSABLE = 'regwatch_ingest_batches_rejected_total{reason="unparsable"}'


class IngestRejectsTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        with open(self.path("collector.yaml"), "w") as f:
            f.write(f"tokens:\n  edge-1: {TOKEN}\n"
                    f"access_tokens:\n  - {{name: noc, role: viewer, token: {VIEWER}}}\n")
        self.collector = self.start_collector(extra=["--config", self.path("collector.yaml")])

    def probe(self, *args):
        out = subprocess.run([PROBE, "--collector", self.collector.address, "--agent-id", "edge-1",
                              "--token", TOKEN, *args], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return [json.loads(line) for line in out.stdout.splitlines()]

    def stored(self):
        status = self.cli(self.collector.address, "--token", VIEWER, "status", "--format", "json")
        return json.loads(status.stdout)["total_events"]

    def test_garbage_ends_its_stream_counted_and_logged_and_good_streams_go_on(self):
        self.assertEqual(self.collector_metrics(self.collector)[UNPARSABLE], 0)
        garbage = b"\x12\xff\x01truncated"  # events said to be 255 bytes long, 9 sent
        [stream] = self.probe("--raw", garbage.hex())
        self.assertEqual(stream["code"], 3, stream)  # INVALID_ARGUMENT
        self.assertEqual(stream["message"], "message 1 on this stream is not a regwatch.v1.EventBatch "
                                            "(12 bytes that do not parse as one)")
        self.assertEqual(stream["acked"], 0)
        metrics = self.collector_metrics(self.collector)
        self.assertEqual(metrics[UNPARSABLE], 1)
        self.assertEqual(metrics['regwatch_ingest_batches_rejected_total{reason="too_large"}'], 0)
        self.assertEqual(metrics['regwatch_ingest_batches_rejected_total{reason="invalid"}'], 0)
        line = wait_for(lambda: next((l for l in self.collector.stderr().splitlines()
                                      if "rejected a message of agent 'edge-1'" in l), None),
                        10, what="the rejection in the collector's log")
        self.assertIn("from ipv4:127.0.0.1:", line)
        self.assertIn("(unparsable): message 1 on this stream is not a regwatch.v1.EventBatch", line)
        self.assertEqual(self.stored(), 0)
        # A well-formed stream of the same agent, after: stored and acked as ever.
        [stream] = self.probe("--batches", "2", "--events-per-batch", "5")
        self.assertEqual((stream["code"], stream["acked"]), (0, 2), stream)
        self.assertEqual(self.stored(), 5)  # the same seqs twice
        self.assertEqual(self.collector_metrics(self.collector)[UNPARSABLE], 1)

    def test_without_the_agents_token_garbage_is_not_even_read(self):
        out = subprocess.run([PROBE, "--collector", self.collector.address, "--agent-id", "edge-1",
                              "--token", "wrong-token-0000", "--raw", "ffff"],
                             capture_output=True, text=True, timeout=120)
        [stream] = [json.loads(line) for line in out.stdout.splitlines()]
        self.assertEqual(stream["code"], 16, stream)  # UNAUTHENTICATED
        self.assertEqual(self.collector_metrics(self.collector)[UNPARSABLE], 0)
