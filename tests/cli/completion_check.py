"""The shell completions in deploy/completion/ against the binaries' own --help, so they cannot
drift: every subcommand and long option --help names (and every event kind, --source value,
--state value and --format value) must be in the bash and the zsh file. Then bash completion is
run for real (source the file, set COMP_WORDS, call the function), and the zsh files get `zsh -n`.
Binaries come from $REGWATCH_BUILD_DIR (set by ctest)."""
import os
import re
import shutil
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..")
BUILD = os.environ.get("REGWATCH_BUILD_DIR", os.path.join(SOURCE, "build"))
COMPLETION = os.path.join(SOURCE, "deploy", "completion")
BINARIES = {
    "regwatch": os.path.join(BUILD, "cli", "regwatch"),
    "regwatch-agent": os.path.join(BUILD, "agent", "regwatch-agent"),
    "regwatch-collector": os.path.join(BUILD, "collector", "regwatch-collector"),
}
# An option line of CLI11's help: "  --kind TEXT ..." or "  -f,--follow".
OPTION_LINE = re.compile(r"^  (?:-\w,)?(--[a-z][a-z0-9-]*)", re.M)


def help_text(binary, *words):
    out = subprocess.run([BINARIES[binary], *words, "--help"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, f"{binary} {' '.join(words)} --help: {out.stderr}"
    return out.stdout


def subcommands(text):
    """The names CLI11 lists under "Subcommands:" (one per line, two spaces in)."""
    if "Subcommands:" not in text:
        return []
    section = text.split("Subcommands:", 1)[1]
    return re.findall(r"^  ([a-z][a-z-]*)  ", section, re.M)


def read(name):
    with open(os.path.join(COMPLETION, name)) as f:
        return f.read()


def words_missing(words, text):
    return sorted(w for w in set(words) if not re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", text))


class CompletionMatchesHelp(unittest.TestCase):
    def expected(self, binary):
        """Every (subcommand path, long option, value) word --help teaches."""
        words = []
        pending = [()]
        while pending:
            path = pending.pop()
            text = help_text(binary, *path)
            words += OPTION_LINE.findall(text)
            for name in subcommands(text):
                words.append(name)
                pending.append((*path, name))
        if binary == "regwatch":
            kinds = re.search(r"event kind \(repeatable\): ([a-z_, ]+)", help_text(binary, "events"))
            words += kinds.group(1).replace(",", " ").split()
            sources = re.search(r"the input that produced it \(repeatable\): ([a-z_, ]+)",
                                help_text(binary, "events"))
            words += sources.group(1).replace(",", " ").split()
            state = re.search(r"--state TEXT:\{([a-z,]+)\}", help_text(binary, "incidents"))
            words += state.group(1).split(",")
            words += ["table", "json", "jsonl", "csv"]
        return words

    def test_every_word_of_help_is_in_both_files(self):
        for binary in BINARIES:
            words = self.expected(binary)
            self.assertIn("--help", words)
            for name in (f"{binary}.bash", f"_{binary}"):
                with self.subTest(file=name):
                    self.assertEqual(words_missing(words, read(name)), [],
                                     f"{name} lacks what `{binary} --help` names: add it")


class BashCompletesForReal(unittest.TestCase):
    def complete(self, binary, *words):
        function = "_" + binary.replace("-", "_")
        script = (f"source {os.path.join(COMPLETION, binary + '.bash')}; "
                  f"COMP_WORDS=({' '.join(repr(w) for w in (binary, *words))}); "
                  f"COMP_CWORD={len(words)}; {function}; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return [line for line in out.stdout.splitlines() if line]

    def test_regwatch(self):
        self.assertEqual(self.complete("regwatch", "inc"), ["incidents", "incident"])
        self.assertEqual(self.complete("regwatch", "--coll"), ["--collector"])
        # A global option's value is not taken for the subcommand.
        self.assertEqual(self.complete("regwatch", "--collector", "c:7443", "events", "--fo"),
                         ["--follow", "--format"])
        self.assertEqual(self.complete("regwatch", "events", "--kind", "phone_un"),
                         ["phone_unregistered"])
        self.assertEqual(self.complete("regwatch", "--format", "j"), ["json", "jsonl"])
        self.assertEqual(self.complete("regwatch", "incidents", "--state", ""),
                         ["open", "resolved", "withdrawn"])
        self.assertEqual(self.complete("regwatch", "silence", "e"), ["expire"])
        self.assertIn("--match", self.complete("regwatch", "silence", "add", "--"))
        self.assertIn("yesterday", self.complete("regwatch", "events", "--since", ""))
        if os.path.exists("/usr/share/zoneinfo/Europe/Berlin"):
            self.assertIn("Europe/Berlin", self.complete("regwatch", "--tz", "Europe/Ber"))

    def test_daemons(self):
        self.assertEqual(self.complete("regwatch-agent", "--syslog-"), ["--syslog-udp", "--syslog-tcp"])
        self.assertEqual(self.complete("regwatch-agent", "--drop-policy", ""),
                         ["drop_oldest", "drop_newest"])
        self.assertEqual(self.complete("regwatch-collector", "--log-level", "w"), ["warn"])
        self.assertEqual(self.complete("regwatch-collector", "--retention"), ["--retention-days"])


@unittest.skipUnless(shutil.which("zsh"), "zsh not installed (tools/setup.sh installs it)")
class ZshFilesParse(unittest.TestCase):
    def test_syntax(self):
        for binary in BINARIES:
            path = os.path.join(COMPLETION, "_" + binary)
            out = subprocess.run(["zsh", "-n", path], capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, f"{path}: {out.stderr}")
            with open(path) as f:
                self.assertEqual(f.readline().strip(), f"#compdef {binary}")


if __name__ == "__main__":
    unittest.main()
