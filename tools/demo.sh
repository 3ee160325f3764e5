#!/usr/bin/env bash
# The regwatch demo on its embedded defaults: SQLite, loopback only.
# Sets up and builds, starts a collector and an agent on 127.0.0.1, loads a bundled
# archive of CUCM and switch syslog (a CPU-spike unregistration burst) through the
# agent, sends two live lines with util-linux `logger`, then queries the history.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
BUILD_DIR=build BUILD_TARGETS="regwatch-collector regwatch-agent regwatch" ./tools/build.sh
bin=$PWD/build
run=$(mktemp -d /tmp/regwatch-demo.XXXXXX)
collector_port=${REGWATCH_DEMO_PORT:-17443}
syslog_port=${REGWATCH_DEMO_SYSLOG_PORT:-15514}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting regwatch-collector on 127.0.0.1:$collector_port (database $run/regwatch.db)"
"$bin/collector/regwatch-collector" --listen "127.0.0.1:$collector_port" --db "$run/regwatch.db" \
  >"$run/collector.out" 2>"$run/collector.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$run/collector.out" && break; sleep 0.1; done
grep "listening on" "$run/collector.out"

say "replaying the bundled archive tools/demo/sample-syslog.log through an agent"
"$bin/agent/regwatch-agent" --agent-id demo-archive --spool-dir "$run/spool-archive" \
  --collector "127.0.0.1:$collector_port" --replay-syslog tools/demo/sample-syslog.log

say "a simulated fleet of 40 SCCP phones; its CM stalls 30 s at minute 2 (tools/sccp_sim, 30x time)"
python3 tools/sccp_sim/sccp_fleet_sim.py --phones 40 --keepalive 30 --time-scale 30 --duration 240 \
  --start-time 2026-11-20T09:12:00Z --fault stall@120:30 --pcap "$run/fleet.pcap" >"$run/fleet.jsonl"
tail -1 "$run/fleet.jsonl"
cm_port=$(head -1 "$run/fleet.jsonl" | sed -E 's/.*:([0-9]+)".*/\1/')
printf 'sccp: {ports: [%s]}\n' "$cm_port" >"$run/sccp.yaml"
say "decoding its capture through an agent (--replay-pcap: packet times are event times)"
"$bin/agent/regwatch-agent" --agent-id demo-wire --spool-dir "$run/spool-wire" --config "$run/sccp.yaml" \
  --collector "127.0.0.1:$collector_port" --snmp-traps "" --replay-pcap "$run/fleet.pcap"

say "starting a live agent: syslog on udp/tcp 127.0.0.1:$syslog_port"
"$bin/agent/regwatch-agent" --agent-id demo-live --spool-dir "$run/spool-live" \
  --collector "127.0.0.1:$collector_port" \
  --syslog-udp "127.0.0.1:$syslog_port" --syslog-tcp "127.0.0.1:$syslog_port" \
  2>"$run/agent.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "receiving syslog" "$run/agent.log" && break; sleep 0.1; done

say "a switch and a CUCM node send live syslog (util-linux logger)"
now=$(date -u '+%b %e %H:%M:%S')
logger --server 127.0.0.1 --port "$syslog_port" --udp --rfc3164 --priority local7.err \
  "5601: sw-3f-access: $now.120 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet2/0/5, changed state to down"
logger --server 127.0.0.1 --port "$syslog_port" --tcp --octet-count --rfc3164 --priority local7.err \
  "41300: ucm-sub1.voice.example.net: $(date -u '+%b %d %Y %H:%M:%S').500 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0017943A98BA][IPAddress=10.20.31.99][Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD][NodeID=ucm-sub1]: An endpoint has unregistered"
cli="$bin/cli/regwatch --collector 127.0.0.1:$collector_port"
for _ in $(seq 100); do
  $cli events --device SEP0017943A98BA --format jsonl 2>/dev/null | grep -q SEP0017943A98BA && break
  sleep 0.1
done

say "regwatch status"
$cli status
say "regwatch events --kind phone_unregistered --limit 10 (the burst, newest first)"
$cli events --since 2026-11-20T00:00:00Z --kind phone_unregistered --limit 10
say "regwatch events --kind cpu_pegging --kind heartbeat_low --kind link_down"
$cli events --since 2026-11-20T00:00:00Z --kind cpu_pegging --kind heartbeat_low --kind link_down
say "regwatch events --kind cm_slow --kind cm_recovered --kind keepalive_unanswered --limit 8 (the stall, seen on the wire)"
$cli events --since 2026-11-20T00:00:00Z --kind cm_slow --kind cm_recovered --kind keepalive_unanswered --limit 8
say "regwatch incidents (the burst correlated: scope, class, top cause and what to check first)"
$cli incidents --since 2026-11-20T00:00:00Z
say "regwatch explain SEP00179484161D --at 2026-11-20T09:14:40Z (one phone of the burst: why, and what to check next)"
$cli explain SEP00179484161D --at 2026-11-20T09:14:40Z
say "regwatch top --since 2026-11-20T00:00:00Z --limit 5 (chronic offenders: phones, ports, switches)"
$cli top --since 2026-11-20T00:00:00Z --limit 5
say "regwatch timeline SEP0017943A98BA --format json (the live phone)"
$cli timeline SEP0017943A98BA --format json
say "demo done; files in $run"
