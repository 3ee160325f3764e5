#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy, warnings as errors) on the C++ sources a change touched.
# "Changed" is what differs from $TIDY_BASE (default: the merge base with origin/main when there
# is one, else HEAD~1: the last commit, which is what CI's clean clone can see), plus uncommitted
# edits. Headers are checked through the sources that include them (HeaderFilterRegex).
# Usage: tools/check_tidy.sh [BUILD_DIR]   (BUILD_DIR has compile_commands.json; default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
if [ -z "${TIDY_BASE:-}" ]; then
  TIDY_BASE=$(git merge-base HEAD origin/main 2>/dev/null || true)
  # In a clean clone of main (CI) origin/main is HEAD itself: compare with the last commit.
  if [ -z "$TIDY_BASE" ] || [ "$TIDY_BASE" = "$(git rev-parse HEAD)" ]; then
    TIDY_BASE=$(git rev-parse -q --verify HEAD~1 || true)
  fi
fi
if [ -z "$TIDY_BASE" ]; then
  echo "check_tidy: no base commit to compare with; nothing checked"
  exit 0
fi
mapfile -t changed < <({ git diff --name-only --diff-filter=AMR "$TIDY_BASE" -- '*.cpp' '*.cc';
                         git diff --name-only --diff-filter=AMR -- '*.cpp' '*.cc'; } | sort -u |
                       while read -r f; do [ -f "$f" ] && grep -q "\"file\": \".*/$f\"" \
                         "$build_dir/compile_commands.json" && echo "$f"; done)
if [ ${#changed[@]} -eq 0 ]; then
  echo "check_tidy: no compiled C++ source changed since ${TIDY_BASE:0:12}"
  exit 0
fi
echo "check_tidy: ${#changed[@]} changed source(s) since ${TIDY_BASE:0:12}"
printf '%s\n' "${changed[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy -p "$build_dir" --quiet --warnings-as-errors='*' \
  >/tmp/regwatch-tidy.$$ 2>&1 || {
  grep -E 'warning:|error:' /tmp/regwatch-tidy.$$ | sort -u
  rm -f /tmp/regwatch-tidy.$$
  echo "check_tidy: clang-tidy found problems in the changed sources"
  exit 1
}
rm -f /tmp/regwatch-tidy.$$
echo "check_tidy: clean"
