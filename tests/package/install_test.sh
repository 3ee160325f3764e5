#!/usr/bin/env bash
# The package install test (issue 20): installs dist/'s packages into a clean Debian 12 root
# made with debootstrap, checks the files, conffiles, user and state directories, starts the
# collector and the agent as their units do (the units' ExecStart, user regwatch, umask 0027),
# sends a syslog line to the agent, reads its event back with the installed CLI, stops both
# with SIGTERM, purges the packages and checks nothing is left but what policy keeps.
#
# Usage: tests/package/install_test.sh [DIST_DIR]   (default dist/, from tools/package.sh)
# Needs root (debootstrap, chroot, mounts, a network namespace). Not part of ctest's default
# run: tools/test.sh runs it after the suite.
#
# The daemons run in a network namespace of their own (only loopback, up), so the installed
# default ports (7443, 7480, 5514, ...) cannot meet anything else on the machine.
# The fresh root is cached as a tarball ($REGWATCH_PACKAGE_TEST_CACHE, default
# /var/cache/regwatch-package-test/bookworm-minbase.tar): debootstrap from deb.debian.org takes
# minutes, unpacking seconds. Delete it to start from the archive again.
# shellcheck disable=SC2016  # dpkg-query formats: ${Package} is for dpkg-query, not the shell
set -euo pipefail
export LC_ALL=C  # one sort order for comm
cd "$(dirname "$0")/../.."

dist=$(cd "${1:-dist}" && pwd)
cache=${REGWATCH_PACKAGE_TEST_CACHE:-/var/cache/regwatch-package-test/bookworm-minbase.tar}
mirror=${REGWATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
syslog_port=5514         # the installed agent.yaml's syslog.udp
deadline_s=60            # for each wait: a daemon to listen, the event to arrive, a stop

started=$SECONDS
step() { echo "== package test [$((SECONDS - started)) s]: $*"; }
fail() { echo "package test: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  fail "needs root (debootstrap, chroot, mounts, a network namespace)"
fi
for tool in debootstrap chroot ip ss logger; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run tools/setup.sh"
done
shopt -s nullglob
debs=()
for deb in "$dist"/*.deb; do
  case "$deb" in *-dbgsym_*) ;; *) debs+=("$deb") ;; esac
done
((${#debs[@]} == 3)) || fail "expected 3 packages in $dist (run tools/package.sh), found ${#debs[@]}"

root=$(mktemp -d /var/tmp/regwatch-package-test.XXXXXX)
# mktemp makes the directory 0700; as the root of a system it must be 0755, or the services,
# which run as their own users, cannot reach any path inside it.
chmod 0755 "$root"
# The script's own stderr, for cleanup: a signal can run it inside a command whose output goes
# to a log.
exec 3>&2
netns=regwatch-package-test-$$
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  for mount in "$root/var/cache/apt/archives" "$root/dev" "$root/proc"; do
    if mountpoint -q "$mount"; then umount -l "$mount" || true; fi
  done
  ip netns delete "$netns" 2>/dev/null || true
  # Only once nothing is mounted inside: rm must not reach the host's /dev.
  if ! grep -q " $root/" /proc/mounts; then rm -rf "$root"; fi
  if ((rc != 0)); then
    echo "package test: failed after $((SECONDS - started)) s; logs: $root.*.log" >&3
  fi
}
trap cleanup EXIT
trap "exit 130" INT TERM  # so that cleanup runs on ^C or a CI timeout too

# --- a clean Debian 12 root
if [ -f "$cache" ]; then
  step "unpacking the cached Debian 12 root ($cache)"
  tar -xf "$cache" -C "$root"
  # A cache written by an older version of this script recorded "." as 0700.
  chmod 0755 "$root"
else
  step "debootstrap --variant=minbase bookworm (once; cached as $cache)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
  rm -f "$root.debootstrap.log"
  chroot "$root" apt-get clean
  mkdir -p "$(dirname "$cache")"
  tar -cf "$cache.tmp" -C "$root" . && mv "$cache.tmp" "$cache"
fi
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# The dependencies' .debs are kept between runs next to the cached root.
mkdir -p "$(dirname "$cache")/archives/partial"
mount --bind "$(dirname "$cache")/archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# What a purge must bring back: every path in the root before installing (state that apt and
# dpkg keep about themselves aside).
snapshot() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache \
    -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/log -o -path ./run \) -prune \
    -o -print | sort)
}
snapshot >"$root.before"

# --- install
step "apt-get install ${debs[*]##*/}"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
in_root apt-get update -qq >/dev/null
# shellcheck disable=SC2046  # the names are ours, without spaces
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  $(cd "$root" && printf '/tmp/debs/%s ' $(ls tmp/debs)) >"$root.install.log" 2>&1 ||
  { tail -30 "$root.install.log" >&2; fail "apt-get install failed (log above)"; }

step "checking files, conffiles, user and state directories"
for path in /usr/bin/regwatch /usr/bin/regwatch-agent /usr/bin/regwatch-collector \
    /etc/regwatch/agent.yaml /etc/regwatch/collector.yaml /etc/regwatch/cli.yaml \
    /lib/systemd/system/regwatch-agent.service /lib/systemd/system/regwatch-collector.service \
    /usr/share/man/man1/regwatch.1.gz /usr/share/man/man8/regwatch-agent.8.gz \
    /usr/share/man/man8/regwatch-collector.8.gz \
    /usr/share/doc/regwatch-agent/examples/capture.conf \
    /usr/share/doc/regwatch-agent/deployment.md /usr/share/doc/regwatch-collector/copyright; do
  # dh_compress gzips documents over 4 KiB
  [ -e "$root$path" ] || [ -e "$root$path.gz" ] || fail "$path is not installed"
done
for command in regwatch regwatch-agent regwatch-collector; do  # completion, when the tree has it
  if [ -f "deploy/completion/$command.bash" ]; then
    [ -e "$root/usr/share/bash-completion/completions/$command" ] ||
      fail "bash completion for $command is not installed"
  fi
  if [ -f "deploy/completion/_$command" ]; then
    [ -e "$root/usr/share/zsh/vendor-completions/_$command" ] ||
      fail "zsh completion for $command is not installed"
  fi
done
for pair in regwatch-agent:/etc/regwatch/agent.yaml regwatch-collector:/etc/regwatch/collector.yaml \
    regwatch:/etc/regwatch/cli.yaml; do
  in_root dpkg-query -W -f='${Conffiles}\n' "${pair%%:*}" | grep -q " ${pair#*:} " ||
    fail "${pair#*:} is not a conffile of ${pair%%:*}"
done
passwd=$(in_root getent passwd regwatch) || fail "no regwatch user"
[[ $passwd == *:/var/lib/regwatch:/usr/sbin/nologin ]] || fail "regwatch user: $passwd"
owner_mode() { in_root stat -c %U:%G:%a "$1"; }  # names as the root's own passwd has them
for dir in /var/lib/regwatch /var/lib/regwatch/agent /var/lib/regwatch/collector; do
  [ "$(owner_mode "$dir")" = regwatch:regwatch:750 ] ||
    fail "$dir: $(owner_mode "$dir"), expected regwatch:regwatch:750"
done
for config in /etc/regwatch/agent.yaml /etc/regwatch/collector.yaml; do
  [ "$(owner_mode "$config")" = root:regwatch:640 ] ||
    fail "$config: $(owner_mode "$config"), expected root:regwatch:640"
done

# --- run as the units do
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
exec_start() { sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/$1.service"; }
start_daemon() {  # NAME: the unit's ExecStart as user regwatch, in the namespace; log NAME.log
  local command
  read -r -a command <<<"$(exec_start "$1")"
  step "starting $1 as its unit does: ${command[*]}"
  (umask 0027 && exec ip netns exec "$netns" chroot --userspec=regwatch:regwatch "$root" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${command[@]}") \
    >"$root.$1.log" 2>&1 &
  pids+=($!)
}
alive() {  # PID: running (a process that exited but is not yet waited for is a zombie: no)
  [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}
wait_listening() {  # PID PROTO PORT NAME
  local until=$((SECONDS + deadline_s))
  until ip netns exec "$netns" ss -Hln"$2" "sport = :$3" | grep -q .; do
    alive "$1" || { cat "$root.$4.log" >&2; fail "$4 exited before listening"; }
    ((SECONDS < until)) || { cat "$root.$4.log" >&2; fail "$4 not listening on $3 after $deadline_s s"; }
    sleep 0.2
  done
}
start_daemon regwatch-collector
collector_pid=${pids[-1]}
wait_listening "$collector_pid" t 7443 regwatch-collector
start_daemon regwatch-agent
agent_pid=${pids[-1]}
wait_listening "$agent_pid" u "$syslog_port" regwatch-agent

device=SEP$(printf '%012X' $((RANDOM * RANDOM)))
stamp=$(date -u '+%b %d %Y %H:%M:%S.000 UTC')
line="41001: ucm-sub1.voice.example.net: $stamp: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=$device][IPAddress=10.40.0.11][Protocol=SCCP][DeviceType=115][Description=Desk 1][Reason=13][IPAddrAttributes=0][LastSignalReceived=StationKeepAlive][AppID=Cisco CallManager][ClusterID=PROD][NodeID=ucm-sub1]: An endpoint has unregistered"
step "sending a CUCM EndPointUnregistered for $device to the agent (udp 127.0.0.1:$syslog_port)"
ip netns exec "$netns" logger --udp --server 127.0.0.1 --port "$syslog_port" -- "$line"

step "waiting for regwatch events to show it (installed CLI, /etc/regwatch/cli.yaml)"
until=$((SECONDS + deadline_s))
until ip netns exec "$netns" chroot --userspec=nobody:nogroup "$root" \
    env -i PATH=/usr/bin:/bin regwatch events --since 1h --format json 2>"$root.cli.log" |
    grep -q "\"$device\""; do
  ((SECONDS < until)) || { cat "$root.cli.log" "$root.regwatch-agent.log" >&2;
                           fail "the event for $device did not arrive in $deadline_s s"; }
  sleep 0.5
done

stop_daemon() {  # PID NAME: SIGTERM, then its exit status must be 0 within the deadline
  local until=$((SECONDS + deadline_s)) status=0
  kill -TERM "$1"
  while alive "$1"; do
    ((SECONDS < until)) || fail "$2 still running $deadline_s s after SIGTERM"
    sleep 0.2
  done
  wait "$1" || status=$?
  ((status == 0)) || { cat "$root.$2.log" >&2; fail "$2 exited $status after SIGTERM"; }
}
step "stopping the agent and the collector (SIGTERM)"
stop_daemon "$agent_pid" regwatch-agent
stop_daemon "$collector_pid" regwatch-collector
pids=()
[ -s "$root/var/lib/regwatch/collector/regwatch.db" ] || fail "no database in /var/lib/regwatch/collector"

# --- purge
for pkg in regwatch regwatch-agent regwatch-collector; do in_root dpkg -L "$pkg"; done |
  grep -v -x '/\.' | sort -u |
  comm -23 - <(sed 's/^\.//' "$root.before") >"$root.files"
step "apt-get purge --autoremove regwatch regwatch-agent regwatch-collector"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --autoremove \
  regwatch regwatch-agent regwatch-collector >"$root.purge.log" 2>&1 ||
  { tail -30 "$root.purge.log" >&2; fail "apt-get purge failed (log above)"; }
for pkg in regwatch regwatch-agent regwatch-collector; do
  if in_root dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
    fail "$pkg is still known to dpkg: $(in_root dpkg-query -W -f='${Status}' "$pkg")"
  fi
done
# Nothing of ours may stay: no path the packages installed or their scripts made (the user and
# group stay: Debian's habit, a system user's ids are never handed out again). Dependencies keep
# what they keep (--autoremove purges the ones nothing else needs); paths new since before the
# install that no installed package owns are listed, and fail if they are ours.
new_paths=$(comm -13 "$root.before" <(snapshot) | sed 's/^\.//')
ours=$(grep -i regwatch <<<"$new_paths" || true)
[ -z "$ours" ] || fail "left after purge: $ours"
while IFS= read -r path; do
  # a directory another installed package also owns (/lib/systemd, ...) rightly stays
  if [ -n "$path" ] && [ -e "$root$path" ] && ! in_root dpkg -S "$path" >/dev/null 2>&1; then
    fail "left after purge: $path (installed by the packages)"
  fi
done <"$root.files"
# shellcheck disable=SC2046  # package names have no spaces
in_root dpkg-query -L $(in_root dpkg-query -W -f='${Package}\n') 2>/dev/null | sort -u >"$root.owned"
orphans=$(comm -23 <(grep . <<<"$new_paths" || true) "$root.owned" | grep -v '^/etc/ssl/certs/' || true)
if [ -n "$orphans" ]; then  # e.g. /etc/hosts, the shadow backups (adduser), ca-certificates.conf
  echo "package test: left by the dependencies' scripts (not ours): $(tr '\n' ' ' <<<"$orphans")"
fi
in_root getent passwd regwatch >/dev/null || fail "the purge removed the regwatch user (it should stay)"
step "passed: installed, ran, queried, purged"
rm -f "$root".*
