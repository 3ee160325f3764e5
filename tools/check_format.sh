#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (.clang-format) would write.
# Usage: tools/check_format.sh [--fix]   (--fix rewrites the files in place instead)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.cc')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/regwatch-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/regwatch-format.$$ | cut -d: -f1 | sort -u |
    sed 's/^/  not formatted: /'
  rm -f /tmp/regwatch-format.$$
  echo "check_format: run tools/check_format.sh --fix (clang-format $(clang-format --version | grep -oE '[0-9]+\.[0-9.]+' | head -1))"
  exit 1
fi
rm -f /tmp/regwatch-format.$$
echo "check_format: ${#files[@]} files formatted"
