"""Log formats as a log shipper reads them: --log-format json and logfmt on both daemons, and
text lines under the journal (JOURNAL_STREAM naming stderr) with "<N>" priorities and no
timestamps of ours."""
import json
import os
import re
import subprocess
import unittest

from harness import AGENT, COLLECTOR, Process, RegwatchTestCase, store_location, wait_for


class LogsTest(RegwatchTestCase):
    def start(self, *extra, env=None, name="collector"):
        args = [COLLECTOR, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--db",
                store_location(self.path(f"{name}.db")), *extra]
        p = Process(args, self.dir, name, env=env)
        self.processes.append(p)
        wait_for(lambda: "listening on" in p.stderr(), 30, what=f"{name} to log that it listens")
        return p

    def test_json_lines_parse_and_carry_the_four_fields(self):
        p = self.start("--log-format", "json")
        lines = [line for line in p.stderr().splitlines() if line]
        self.assertTrue(lines)
        for line in lines:
            record = json.loads(line)
            self.assertEqual(set(record), {"ts", "level", "logger", "msg"}, line)
            self.assertRegex(record["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(any("listening on" in json.loads(line)["msg"] for line in lines))
        self.assert_store_backend("\n".join(json.loads(line)["msg"] for line in lines))

    def test_logfmt_lines(self):
        p = self.start("--log-format", "logfmt")
        lines = [line for line in p.stderr().splitlines() if line]
        pattern = re.compile(r'^ts=\S+Z level=[a-z]+ logger=\S+ msg="(?:[^"\\]|\\.)*"$')
        for line in lines:
            self.assertRegex(line, pattern)
        self.assert_store_backend(p.stderr())

    def test_under_the_journal_text_has_priorities_and_no_timestamp(self):
        # Stand in for journald: stderr is a file, and JOURNAL_STREAM names it.
        err_path = self.path("journal.err")
        with open(err_path, "wb") as err:
            st = os.fstat(err.fileno())
            env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
            proc = subprocess.Popen(
                [COLLECTOR, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--db",
                 store_location(self.path("j.db"))], stdout=subprocess.DEVNULL, stderr=err, env=env,
                start_new_session=True)
        try:
            def read():
                with open(err_path) as f:
                    return f.read()
            wait_for(lambda: "listening on" in read(), 30, what="collector to log that it listens")
            lines = [line for line in read().splitlines() if line]
            for line in lines:
                self.assertRegex(line, r"^<[2-7]>[a-z]+ +\[\S+\] ", line)
            self.assertTrue(any(line.startswith("<6>info") for line in lines), lines)
            self.assert_store_backend(read())
        finally:
            proc.kill()
            proc.wait()

    def test_unknown_log_format_is_refused_naming_the_allowed(self):
        result = subprocess.run([COLLECTOR, "--log-format", "xml", "--check-config"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn("unknown log format 'xml' (text, json, logfmt)", result.stderr)

    def test_log_format_key_in_both_configs(self):
        path = self.path("bad.yaml")
        with open(path, "w") as f:
            f.write("log_format: syslog\n")
        for binary in (COLLECTOR, AGENT):
            result = subprocess.run([binary, "--config", path, "--check-config"],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 1, result.stdout)
            self.assertIn("bad.yaml:1: log_format: unknown log format 'syslog' (text, json, logfmt)",
                          result.stderr)
            printed = subprocess.run([binary, "--print-default-config"], capture_output=True,
                                     text=True, timeout=60)
            self.assertIn("log_format: text", printed.stdout)


if __name__ == "__main__":
    unittest.main()
