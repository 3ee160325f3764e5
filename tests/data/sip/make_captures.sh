#!/usr/bin/env bash
# Makes the SIP captures in this directory again (README.md): sipp as a Cisco phone registering
# (sipp/decode_register_uac.xml) against sipp as the registrar (sipp/decode_register_uas.xml),
# over UDP and TCP, on IPv4 loopback addresses of their own (127.0.0.23 registrar, 127.0.0.24
# phone, so the capture filter keeps only this run's packets) and on ::1 (phone port 25060),
# recorded by tcpdump on lo. Needs root (tcpdump), sipp, tcpdump. Only loopback is used.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-.}

wait_for() {  # wait_for SECONDS COMMAND...: poll until COMMAND succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

packets() { tcpdump -r "$1" 2>/dev/null | wc -l; }

capture() {  # capture NAME SIPP_TRANSPORT UAS_IP UAC_IP FILTER PACKETS
  local name=$1 transport=$2 uas_ip=$3 uac_ip=$4 filter=$5 expected=$6
  local pcap="$out/$name.pcap" work
  work=$(mktemp -d)
  tcpdump -i lo --immediate-mode -U -s 0 -w "$pcap" "$filter" 2>"$work/tcpdump.log" &
  local tcpdump_pid=$!
  wait_for 10 grep -qs "listening on" "$work/tcpdump.log"
  local calls=1
  [ "$name" = register_tcp_segments ] && calls=2  # tcp_segments_phone.py registers two lines
  sipp -sf sipp/decode_register_uas.xml -t "$transport" -i "$uas_ip" -p 5060 -m "$calls" \
    -max_socket 100 \
    -nostdin -trace_err -error_file "$work/uas_err.log" >"$work/uas.out" 2>&1 &
  local uas_pid=$!
  local target=$uas_ip
  [[ $uas_ip == *:* ]] && target="[$uas_ip]"
  wait_for 10 bash -c "ss -ln${transport:0:1} | grep -q '$target:5060'" 2>/dev/null || true
  if [ "$name" = register_tcp_segments ]; then
    # The phone is tcp_segments_phone.py: several messages per segment, one across two.
    timeout 30 ./tcp_segments_phone.py "$uac_ip" "$uas_ip" >"$work/uac.out" 2>&1 ||
      { cat "$work"/*; kill "$uas_pid" "$tcpdump_pid"; return 1; }
  else
    sipp -sf sipp/decode_register_uac.xml -t "$transport" -i "$uac_ip" -p 25060 -m 1 \
      -max_socket 100 -nostdin -timeout 20s -timeout_error -trace_err \
      -error_file "$work/uac_err.log" "$target:5060" >"$work/uac.out" 2>&1 ||
      { cat "$work"/*; kill "$uas_pid" "$tcpdump_pid"; return 1; }
  fi
  wait "$uas_pid" || { cat "$work"/*; kill "$tcpdump_pid"; return 1; }
  # tcpdump writes each packet as it comes (--immediate-mode -U): once all are in, SIGINT
  # closes the file.
  wait_for 10 bash -c "[ \$(tcpdump -r '$pcap' 2>/dev/null | wc -l) -ge $expected ]" ||
    echo "$pcap: only $(packets "$pcap") packets of $expected" >&2
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  rm -rf "$work"
  echo "$pcap: $(packets "$pcap") packets, $(stat -c %s "$pcap") bytes"
}

# UDP: three REGISTERs and their answers; TCP: those, the handshakes and the closes.
capture register_udp u1 127.0.0.23 127.0.0.24 'host 127.0.0.23 and host 127.0.0.24' 6
capture register_tcp t1 127.0.0.23 127.0.0.24 'host 127.0.0.23 and host 127.0.0.24' 14
capture register_udp_ipv6 u1 ::1 ::1 'ip6 and port 25060' 6
capture register_tcp_ipv6 t1 ::1 ::1 'ip6 and port 25060' 14
# TCP with a phone of our own that cuts the stream (tcp_segments_phone.py): 127.0.0.25.
capture register_tcp_segments t1 127.0.0.23 127.0.0.25 'host 127.0.0.23 and host 127.0.0.25' 17
