#!/usr/bin/env python3
"""Fails when a source file includes a header across an arrow the architecture forbids.

The rules are the table under "Include rules" in docs/architecture.md (one place: the doc a
reader checks is the table this script enforces). Each row names a folder and the folders its
files may include besides their own folder and its sub-folders; a file obeys the row of the
longest folder that contains it. Generated proto headers (`regwatch/v1/...`) count as `proto/`.
Folders without a row (tests/, bench/) may include anything.

Usage: tools/check_includes.py [--list]   (--list prints every arrow the tree has, by folder)
Exit status: 0 clean, 1 a forbidden include (each printed as file:line), 2 the table is missing.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_START = "<!-- include-rules -->"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
CELL_PATH = re.compile(r"`([^`]+)`")


def read_rules():
    """Returns {folder: [allowed folders]} from the architecture doc's rule table."""
    text = open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8").read()
    if TABLE_START not in text:
        sys.exit(f"check_includes: docs/architecture.md has no '{TABLE_START}' table")
    rules = {}
    for line in text.split(TABLE_START, 1)[1].splitlines()[1:]:
        if not line.startswith("|"):
            if rules:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0].startswith("---") or cells[0] == "folder":
            continue
        folders = CELL_PATH.findall(cells[0])
        allowed = CELL_PATH.findall(cells[1])
        for folder in folders:
            rules[folder.rstrip("/") + "/"] = [a.rstrip("/") + "/" for a in allowed]
    if not rules:
        sys.exit("check_includes: the include-rules table in docs/architecture.md is empty")
    return rules


def owning_rule(path, rules):
    best = None
    for folder in rules:
        if path.startswith(folder) and (best is None or len(folder) > len(best)):
            best = folder
    return best


def included_path(include):
    # The generated proto headers are included as regwatch/v1/x.pb.h.
    return "proto/" + include if include.startswith("regwatch/") else include


def main():
    rules = read_rules()
    files = subprocess.run(["git", "ls-files", "*.cpp", "*.h", "*.cc"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    problems = []
    arrows = set()
    for path in files:
        folder = owning_rule(path, rules)
        if folder is None:
            continue
        for number, line in enumerate(open(os.path.join(ROOT, path), encoding="utf-8"), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = included_path(match.group(1))
            if "/" not in target:
                continue  # a header beside the file itself
            target_folder = owning_rule(target, rules) or os.path.dirname(target) + "/"
            arrows.add((folder, target_folder))
            if target.startswith(folder) or any(target.startswith(a) for a in rules[folder]):
                continue
            problems.append(f"{path}:{number}: {folder} may not include {match.group(1)}"
                            f" (docs/architecture.md, Include rules)")
    if "--list" in sys.argv:
        for source, target in sorted(arrows):
            if source != target:
                print(f"{source} -> {target}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_includes: {len(problems)} forbidden include(s)")
        return 1
    print(f"check_includes: {len(files)} files, {len(rules)} folders, no forbidden include")
    return 0


if __name__ == "__main__":
    sys.exit(main())
