#!/usr/bin/env bash
# The regwatch demo on its embedded defaults: SQLite, loopback only.
# Sets up and builds, starts a collector and an agent on 127.0.0.1, loads a bundled
# archive of CUCM and switch syslog (a CPU-spike unregistration burst) through the
# agent, sends two live lines with util-linux `logger`, then queries the history; the
# collector serves the dashboard and the JSON API over HTTP, and a headless chromium saves a
# screenshot of the dashboard showing the demo's incident.
#   ./tools/demo.sh          the demo, then everything stops
#   ./tools/demo.sh --serve  the demo, then the collector and the dashboard stay up until Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."
serve=false
for arg in "$@"; do
  case $arg in
    --serve) serve=true ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $arg (--serve keeps the dashboard running)" >&2; exit 2 ;;
  esac
done
./tools/setup.sh
BUILD_DIR=build BUILD_TARGETS="regwatch-collector regwatch-agent regwatch" ./tools/build.sh
bin=$PWD/build
run=$(mktemp -d /tmp/regwatch-demo.XXXXXX)
collector_port=${REGWATCH_DEMO_PORT:-17443}
syslog_port=${REGWATCH_DEMO_SYSLOG_PORT:-15514}
http_port=${REGWATCH_DEMO_HTTP_PORT:-17480}
dashboard="http://127.0.0.1:$http_port/"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A screenshot of a dashboard page with Debian's headless chromium (URL, output PNG). Only
# loopback traffic: the flags stop chromium's own calls home; a fresh profile in $run.
# --virtual-time-budget lets the modules load and the API calls answer before the shot (the
# live stream stays open, so "loaded" alone would never come).
screenshot() {
  local chromium
  chromium=$(command -v chromium || true)
  if [[ -z $chromium ]]; then
    echo "no screenshot: chromium is not installed (apt-get install chromium)"
    return 0
  fi
  if timeout 60 "$chromium" --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
      --user-data-dir="$run/chromium-profile" --window-size=1920,1080 --virtual-time-budget=8000 \
      --screenshot="$2" "$1" >"$run/chromium.log" 2>&1 && [[ -s $2 ]]; then
    echo "screenshot of the dashboard: $2"
  else
    echo "no screenshot: chromium failed ($run/chromium.log)"
  fi
}

say "starting regwatch-collector on 127.0.0.1:$collector_port, HTTP on 127.0.0.1:$http_port (database $run/regwatch.db)"
"$bin/collector/regwatch-collector" --listen "127.0.0.1:$collector_port" --http "127.0.0.1:$http_port" \
  --db "$run/regwatch.db" >"$run/collector.out" 2>"$run/collector.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$run/collector.out" && break; sleep 0.1; done
grep "listening on" "$run/collector.out"
echo "dashboard: $dashboard"

say "replaying the bundled archive tools/demo/sample-syslog.log through an agent"
"$bin/agent/regwatch-agent" --agent-id demo-archive --spool-dir "$run/spool-archive" \
  --collector "127.0.0.1:$collector_port" --replay-syslog tools/demo/sample-syslog.log

say "a simulated fleet of 30 SCCP and 10 SIP phones; its CM stalls 30 s at minute 2 (tools/sccp_sim, 30x time)"
python3 tools/sccp_sim/sccp_fleet_sim.py --phones 30 --sip-phones 10 --sip-transport mixed --keepalive 30 \
  --time-scale 30 --duration 240 --start-time 2026-11-20T09:12:00Z --fault stall@120:30 \
  --pcap "$run/fleet.pcap" >"$run/fleet.jsonl"
tail -1 "$run/fleet.jsonl"
port_of() { grep "\"$1\"" "$run/fleet.jsonl" | head -1 | sed -E 's/.*"address": *"[^"]*:([0-9]+)".*/\1/'; }
printf 'sccp: {ports: [%s]}\nsip: {ports: [%s]}\n' "$(port_of cm_listening)" "$(port_of sip_listening)" \
  >"$run/wire.yaml"
say "decoding its capture through an agent (--replay-pcap: packet times are event times)"
"$bin/agent/regwatch-agent" --agent-id demo-wire --spool-dir "$run/spool-wire" --config "$run/wire.yaml" \
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
say "regwatch explain SEP00AA00000020 --at 2026-11-20T09:14:40Z (a SIP phone of the fleet: its REGISTERs on the wire)"
$cli explain SEP00AA00000020 --at 2026-11-20T09:14:40Z
say "regwatch top --since 2026-11-20T00:00:00Z --limit 5 (chronic offenders: phones, ports, switches)"
$cli top --since 2026-11-20T00:00:00Z --limit 5
say "regwatch timeline SEP0017943A98BA --format json (the live phone)"
$cli timeline SEP0017943A98BA --format json
# The burst of the archive happened on 2026-11-20: the dashboard's history view over that window
# shows it (the Now view shows what is open now).
burst_window="${dashboard}#/?since=2026-11-20T09:00:00Z&until=2026-11-20T09:30:00Z"
say "the dashboard: $dashboard (the demo's burst: $burst_window)"
screenshot "$burst_window" "$run/dashboard.png"
incident_id=$($cli incidents --since 2026-11-20T09:00:00Z --until 2026-11-20T09:30:00Z --format json |
  python3 -c 'import json, sys; print(next((i["id"] for i in json.load(sys.stdin)), ""))')
if [[ -n $incident_id ]]; then
  incident_page="${dashboard}#/incident/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$incident_id")"
  echo "its postmortem: $incident_page"
  screenshot "$incident_page" "$run/dashboard-incident.png"
fi
if $serve; then
  say "serving until Ctrl-C: the dashboard at $dashboard, gRPC on 127.0.0.1:$collector_port, syslog on 127.0.0.1:$syslog_port"
  echo "files in $run"
  wait "${pids[0]}" || true
  exit 0
fi
say "demo done; files in $run"
