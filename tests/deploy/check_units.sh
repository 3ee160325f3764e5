#!/usr/bin/env bash
# The systemd units in deploy/systemd/ (issue 20): `systemd-analyze security --offline=true`
# must rate each at MAX_EXPOSURE or lower, also the agent with its capture drop-in, and
# `systemd-analyze verify` must find nothing to say about them. verify checks that ExecStart is
# executable, so it runs on copies that name the binaries just built instead of /usr/bin.
# Usage: check_units.sh UNIT_DIR AGENT_BINARY COLLECTOR_BINARY MAX_EXPOSURE
set -euo pipefail
unit_dir=$1 agent=$2 collector=$3 max_exposure=$4

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is missing: install systemd (tools/setup.sh)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

exposure() {  # UNIT_FILE: prints its overall exposure level
  systemd-analyze security --offline=true --no-pager "$1" 2>&1 |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
check_exposure() {  # UNIT_FILE LABEL
  local level
  level=$(exposure "$1")
  if [ -z "$level" ]; then
    echo "FAIL $2: no 'Overall exposure level' from systemd-analyze security:" >&2
    systemd-analyze security --offline=true --no-pager "$1" >&2 || true
    status=1
  elif awk -v level="$level" -v max="$max_exposure" 'BEGIN { exit !(level > max) }'; then
    echo "FAIL $2: exposure $level, above $max_exposure; what it lacks:" >&2
    systemd-analyze security --offline=true --no-pager "$1" | grep '✗' >&2 || true
    status=1
  else
    echo "ok   $2: exposure $level (at most $max_exposure)"
  fi
}

for unit in regwatch-agent regwatch-collector; do
  check_exposure "$unit_dir/$unit.service" "$unit.service"
done
# The agent with the capture drop-in, as systemd would merge it: the drop-in's lines appended
# to the unit's [Service] (it is the last section but [Install]).
awk -v dropin="$unit_dir/regwatch-agent-capture.conf" '
  /^\[Install\]/ { while ((getline line < dropin) > 0) if (line !~ /^\[Service\]/) print line }
  { print }' "$unit_dir/regwatch-agent.service" >"$work/regwatch-agent-capture.service"
grep -q '^AmbientCapabilities=CAP_NET_RAW' "$work/regwatch-agent-capture.service" || {
  echo "FAIL the capture drop-in was not merged" >&2; exit 1; }
check_exposure "$work/regwatch-agent-capture.service" "regwatch-agent.service + capture.conf"

mkdir "$work/verify"
sed "s#^ExecStart=/usr/bin/regwatch-agent #ExecStart=$agent #" \
  "$unit_dir/regwatch-agent.service" >"$work/verify/regwatch-agent.service"
sed "s#^ExecStart=/usr/bin/regwatch-collector #ExecStart=$collector #" \
  "$unit_dir/regwatch-collector.service" >"$work/verify/regwatch-collector.service"
for unit in regwatch-agent regwatch-collector; do
  if ! grep -q "^ExecStart=/usr/bin/$unit --config /etc/regwatch/${unit#regwatch-}.yaml$" \
      "$unit_dir/$unit.service"; then
    echo "FAIL $unit.service: ExecStart is not /usr/bin/$unit --config /etc/regwatch/${unit#regwatch-}.yaml" >&2
    status=1
  fi
  # --man=no: the man pages are not installed where this runs.
  if out=$(systemd-analyze verify --man=no "$work/verify/$unit.service" 2>&1) && [ -z "$out" ]; then
    echo "ok   $unit.service: systemd-analyze verify is silent"
  else
    echo "FAIL $unit.service: systemd-analyze verify: $out" >&2
    status=1
  fi
done
exit $status
