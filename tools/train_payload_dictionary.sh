#!/usr/bin/env bash
# How collector/store/payload_dictionary/1.zdict was made (the zstd dictionary stored event
# payloads are compressed with: collector/store/stored_payload.h). Kept to show its making, not
# to be run again over it: rows stored with dictionary 1 need exactly those bytes for ever. A
# better dictionary is a new file (2.zdict) under a new codec number.
#
# The samples: every syslog line of the repository's real and scenario data, replayed through a
# real agent into a collector on a scratch SQLite store, and each stored payload one sample.
# Usage: tools/train_payload_dictionary.sh OUT.zdict   (needs the build in build/, and zstd)
set -euo pipefail
out=${1:?usage: tools/train_payload_dictionary.sh OUT.zdict}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "${collector:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
{
  cat "$repo"/tests/data/scenarios/*.log "$repo"/tests/data/syslog/real_lines.txt
  python3 - "$repo" <<'PY'
import json, sys, pathlib
repo = pathlib.Path(sys.argv[1])
for f in [repo / "../shared/realworld/syslog/corpus.jsonl",
          *sorted((repo / "tests/data/realworld/syslog").glob("*.jsonl"))]:
    if f.exists():
        for line in f.read_text().splitlines():
            if line.strip():
                print(json.loads(line)["line"])
PY
} >"$work/all.log"
"$repo/build/collector/regwatch-collector" --listen 127.0.0.1:0 --db "$work/db.sqlite" \
  --log-level warn >"$work/collector.out" 2>&1 &
collector=$!
for _ in $(seq 100); do
  address=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/collector.out" | head -1 || true)
  [ -n "$address" ] && break
  sleep 0.1
done
"$repo/build/agent/regwatch-agent" --agent-id dictionary --collector "$address" \
  --spool-dir "$work/spool" --replay-syslog "$work/all.log" --replay-agent-id dictionary \
  --log-level warn
mkdir "$work/samples"
python3 - "$work" <<'PY'
import sqlite3, sys
work = sys.argv[1]
rows = sqlite3.connect(f"{work}/db.sqlite").execute("SELECT id, payload FROM events")
for row_id, payload in rows:
    open(f"{work}/samples/{row_id:06d}", "wb").write(payload)
PY
zstd --train "$work"/samples/* --maxdict=16384 -o "$out"
