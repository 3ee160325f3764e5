#!/usr/bin/env bash
# Installs what regwatch needs to build, test and run on Debian 12 (run as root).
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  # required libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsqlite3-dev libspdlog-dev libsnmp-dev
  # chosen libraries (docs/dependencies.md says why)
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libssl-dev libcurl4-openssl-dev libpcap-dev zlib1g-dev
  libre2-dev libcpp-httplib-dev
  libsystemd-dev
  libpq-dev  # the PostgreSQL store backend (db: postgresql://...)
  libzstd-dev  # stored event payloads compressed with a dictionary
  libgoogle-perftools-dev  # tcmalloc, the agent's and collector's allocator
  # tests, fuzzing, benchmarks and the real peers tests talk to
  libgtest-dev libbenchmark-dev clang libclang-rt-14-dev
  bsdutils sqlite3 openssl python3 procps snmpd snmp snmpsim tshark python3-aiosmtpd
  prometheus-alertmanager prometheus
  # the dashboard's browser tests: Debian's chromium driven by selenium through chromedriver
  chromium chromium-driver python3-selenium
  # bench/syslog_flood_bench compares the agent with rsyslog (imudp) side by side
  rsyslog
  zsh tzdata  # tests/cli: zsh completion syntax check; --tz zones (cli/time_zone.h)
  # Debian packages (tools/package.sh), man pages, their install test, the units' checks
  debhelper dpkg-dev fakeroot lintian help2man debootstrap systemd iproute2
  # boot-chain tests (tests/integration/test_boot_*.py): DHCP+TFTP server and the capture of its
  # veth; dnsmasq-base, not dnsmasq, whose service would take ports 53/67 on the host
  dnsmasq-base tcpdump
  # SIP tests (tests/integration/test_sip_*.py): sipp as phones and registrar, Kamailio as a real
  # registrar (its packaged service is not used: tests start their own on their own ports)
  sip-tester kamailio
  # PostgreSQL store tests: each starts its own server (initdb into a temporary folder)
  postgresql
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: run as root (or install the packages above with sudo apt-get install)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian enables and starts Kamailio's packaged service on install: a SIP server on port 5060
  # of every interface, which nothing here uses (the SIP tests start their own on loopback).
  # Only when this script installed it, so a Kamailio someone runs is left alone.
  if [[ " ${missing[*]} " == *" kamailio "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now kamailio.service >/dev/null 2>&1 || true
  fi
  # Likewise PostgreSQL's packaged cluster (port 5432): the tests run their own servers.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now postgresql.service >/dev/null 2>&1 || true
  fi
fi
echo "setup: all build and test dependencies present"
