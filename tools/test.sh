#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds regwatch with -Werror, and runs every test:
# the source checks (include rules, clang-format, clang-tidy on the changed sources), unit,
# integration (real processes on loopback), the fuzz targets (corpus replay under the normal
# build, then real libFuzzer runs under a clang build), and the unit tests again under that
# clang build, where every library is compiled with ASan and UBSan. With no arguments it then
# builds the Debian packages from that build and installs them into a clean Debian 12 root
# (tests/package/install_test.sh).
# Usage: tools/test.sh [ctest args...], e.g. tools/test.sh -L syslog
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
jobs=$(nproc)
# setup.sh installed PostgreSQL: its tests must run, not skip for want of it.
export REGWATCH_REQUIRE_POSTGRES=1

echo "== build (gcc, -Werror)"
BUILD_DIR=build ./tools/build.sh -DREGWATCH_WERROR=ON -DREGWATCH_BUILD_TESTS=ON -DREGWATCH_BUILD_BENCH=ON

status=0
echo "== source checks"
./tools/check_includes.py || status=1
./tools/check_format.sh || status=1
./tools/check_tidy.sh build || status=1

# The sanitizer build and its runs only for the whole suite (not for `tools/test.sh -L x`).
if [ $# -eq 0 ]; then
  echo "== build with sanitizers (clang, ASan + UBSan: libFuzzer targets and unit tests)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DREGWATCH_BUILD_FUZZ=ON -DREGWATCH_BUILD_TESTS=ON -DREGWATCH_BUILD_BENCH=OFF >/dev/null
  ninja -C build-fuzz
  echo "== fuzzing (libFuzzer, bounded runs)"
  # Side by side: each run is bounded by its count of inputs, so CI's wall time halves on two
  # cores for the same inputs.
  ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L fuzz -R '\.fuzz$' || status=$?
  echo "== unit tests under ASan + UBSan"
  ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L unit || status=$?
fi
echo "== tests"
ctest --test-dir build --output-on-failure -j "$jobs" "$@" || status=$?
# The packages from the build above (no second compile), installed, run, queried and purged in
# a debootstrapped Debian 12 root: only for the whole suite.
if [ $# -eq 0 ]; then
  echo "== Debian packages (tools/package.sh --build-dir build) and their install test"
  if ./tools/package.sh --build-dir build; then
    ./tests/package/install_test.sh dist || status=1
  else
    status=1
  fi
fi
exit $status
