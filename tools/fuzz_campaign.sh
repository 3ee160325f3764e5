#!/usr/bin/env bash
# A long fuzzing campaign, run by hand (CI runs only bounded runs): each libFuzzer target
# for SECONDS of wall time (default 3600), JOBS targets at a time (default 1), at low
# priority so the machine stays usable. New inputs go to a scratch corpus
# (fuzz-campaign/<name>/new, kept between campaigns: a second campaign continues from it);
# at the end of each target they are merged into the checked-in corpus
# tests/fuzz/corpus/<name> with -merge=1, which adds only inputs that reach new coverage.
# A crash stops that target and is kept in fuzz-campaign/<name>/ (crash-*, with log.txt).
#
#   tools/fuzz_campaign.sh [SECONDS] [TARGET...]          e.g. tools/fuzz_campaign.sh 600 syslog_parser_fuzz
#   JOBS=9 tools/fuzz_campaign.sh 3600                    every target at once (they share the CPUs)
#
# Prints one summary line per target (executions, coverage, corpus growth) and appends it to
# fuzz-campaign/summary.tsv, the figures docs/fuzzing.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
shift || true
jobs=${JOBS:-1}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREGWATCH_BUILD_FUZZ=ON -DREGWATCH_BUILD_TESTS=ON -DREGWATCH_BUILD_BENCH=OFF >/dev/null
all_targets=$(ninja -C build-fuzz -t targets all | grep -oE '^[a-z_]+_fuzz:' | tr -d ':' | grep -v '^cmake_' | sort -u)
targets=${*:-$all_targets}
# shellcheck disable=SC2086
nice -n 19 ninja -C build-fuzz $targets | tail -5
mkdir -p fuzz-campaign

run_target() {
  local target=$1 seconds=$2
  local name=${target%_fuzz}
  local corpus=tests/fuzz/corpus/$name work=fuzz-campaign/$name
  mkdir -p "$work/new" "$corpus"
  local before binary status=0 execs cov after verdict=clean
  before=$(find "$corpus" -type f | wc -l)
  binary=$(find build-fuzz -type f -name "$target" -perm -u+x | head -1)
  echo "== $target: $seconds s from $before checked-in inputs"
  (cd "$work" && nice -n 19 "../../$binary" -max_total_time="$seconds" -max_len=70000 -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 new "../../$corpus" >log.txt 2>&1) || status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log.txt" | grep -oE '[0-9]+$' || echo 0)
  cov=$(grep -oE 'cov: [0-9]+' "$work/log.txt" | tail -1 | grep -oE '[0-9]+' || echo 0)
  # Keep only what adds coverage to the checked-in corpus.
  nice -n 19 "$binary" -merge=1 "$corpus" "$work/new" >"$work/merge.txt" 2>&1 || true
  after=$(find "$corpus" -type f | wc -l)
  [ "$status" -ne 0 ] && verdict="FAILED (exit $status; see $work/log.txt)"
  printf '%s\t%s s\t%s execs\tcov %s\tcorpus %s -> %s\t%s\n' "$target" "$seconds" "$execs" "$cov" \
    "$before" "$after" "$verdict" | tee -a fuzz-campaign/summary.tsv
}
export -f run_target

# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_target "$1" "$2"' _ {} "$seconds"
