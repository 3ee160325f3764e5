#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds regwatch with -Werror, and runs every test:
# unit, integration (real processes on loopback), and the fuzz targets (corpus replay
# under the normal build, then real libFuzzer runs under a clang build).
# Usage: tools/test.sh [ctest args...], e.g. tools/test.sh -L syslog
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
jobs=$(nproc)

echo "== build (gcc, -Werror)"
BUILD_DIR=build ./tools/build.sh -DREGWATCH_WERROR=ON -DREGWATCH_BUILD_TESTS=ON -DREGWATCH_BUILD_BENCH=ON

echo "== build fuzz targets (clang, libFuzzer)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREGWATCH_BUILD_FUZZ=ON -DREGWATCH_BUILD_TESTS=ON -DREGWATCH_BUILD_BENCH=OFF >/dev/null
fuzz_targets=$(ninja -C build-fuzz -t targets all | grep -oE '^[a-z_]+_fuzz:' | tr -d ':' | sort -u || true)
if [ -n "$fuzz_targets" ]; then
  ninja -C build-fuzz $fuzz_targets
fi

status=0
if [ -n "$fuzz_targets" ] && [ $# -eq 0 ]; then
  echo "== fuzzing (libFuzzer, bounded runs)"
  ctest --test-dir build-fuzz --output-on-failure -L fuzz -R '\.fuzz$' || status=$?
fi
echo "== tests"
ctest --test-dir build --output-on-failure -j "$jobs" "$@" || status=$?
exit $status
