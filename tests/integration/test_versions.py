"""Versions: the three binaries' --version agree, and `regwatch version` shows the CLI's build
and the collector's (from its Status reply), or says the collector is unreachable (exit 2)."""
import json
import re
import subprocess
import unittest

from harness import AGENT, CLI, COLLECTOR, RegwatchTestCase, free_port

# "regwatch-collector 0.1.0 (git 10059e9, built 2026-12-06)"
LINE = re.compile(r"^(\S+) (\d+\.\d+\.\d+) \(git (\S+), built (\d{4}-\d{2}-\d{2})\)$")


def version_of(binary):
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    match = LINE.match(result.stdout.strip())
    assert match, result.stdout
    return match.groups()


class VersionsTest(RegwatchTestCase):
    def test_all_three_binaries_print_the_same_build(self):
        names = {}
        builds = set()
        for binary in (AGENT, COLLECTOR, CLI):
            name, *build = version_of(binary)
            names[binary] = name
            builds.add(tuple(build))
        self.assertEqual(names, {AGENT: "regwatch-agent", COLLECTOR: "regwatch-collector",
                                 CLI: "regwatch"})
        self.assertEqual(len(builds), 1, builds)
        revision = next(iter(builds))[1]
        self.assertRegex(revision, r"^([0-9a-f]{7,40}(-dirty)?|unknown)$")

    def test_regwatch_version_shows_cli_and_collector(self):
        collector = self.start_collector()
        _, *build = version_of(CLI)
        out = self.cli(collector.address, "version").stdout.splitlines()
        self.assertEqual(len(out), 2, out)
        self.assertEqual(LINE.match(out[0]).groups(), ("regwatch", *build))
        self.assertEqual(LINE.match(out[1]).groups(), ("regwatch-collector", *build))

        data = json.loads(self.cli(collector.address, "version", "--format", "json").stdout)
        expected = dict(zip(("version", "git_revision", "build_date"), build))
        self.assertEqual(data, {"cli": expected, "collector": expected})

    def test_unreachable_collector_prints_the_cli_line_and_exits_2(self):
        nobody = f"127.0.0.1:{free_port()}"
        result = self.cli(nobody, "--timeout", "2", "version", check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(LINE.match(lines[0]).group(1), "regwatch")
        self.assertIn("unreachable", result.stdout)
        self.assertIn("cannot reach the collector at " + nobody, result.stderr)

        result = self.cli(nobody, "--timeout", "2", "version", "--format", "json", check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        data = json.loads(result.stdout)
        self.assertIsNone(data["collector"])
        self.assertEqual(data["cli"]["version"], version_of(CLI)[1])
        self.assertIn("cannot reach the collector", data["collector_error"])


if __name__ == "__main__":
    unittest.main()
