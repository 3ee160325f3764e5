#!/usr/bin/env python3
# Builds a schema-12 regwatch store with N events (default 10 M) for summary_timing_test.cpp,
# which times migration 013's backfill and the dashboard's reads on it:
#   tests/store/make_big_store.py /tmp/events.db 10000000   (about 13 min and 1.9 GB on 2 cores)
# 5 agents, 100,000 phones (a third of the events name one), 10 CM nodes polled, 50 switches.
# Payloads are real regwatch.v1.Event protobufs, encoded by hand (no generated Python).
import glob
import os
import sqlite3
import sys
import time
path = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
if os.path.exists(path): os.remove(path)
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f; v >>= 7
        if v: out.append(b | 0x80)
        else: out.append(b); return bytes(out)
def f_varint(num, v): return varint(num << 3) + varint(v)
def f_bytes(num, b):
    if isinstance(b, str): b = b.encode()
    return varint((num << 3) | 2) + varint(len(b)) + b
T0 = 1_795_132_800_000_000
def event(agent, seq, t, origin, source, kind, payload_field=None, payload=b""):
    e = f_bytes(1, agent) + f_varint(2, seq) + f_varint(3, t) + f_bytes(5, origin) + f_varint(6, source) + f_varint(7, kind)
    if payload_field: e += f_bytes(payload_field, payload)
    return e
db = sqlite3.connect(path)
for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'schema', '0*.sql')))[:12]:
    db.executescript(open(f).read())
db.execute('PRAGMA user_version = 12')
# A fixture, not a store to keep: no journal, no syncs, a big cache (index inserts stay hot).
for pragma in ('journal_mode = OFF', 'synchronous = OFF', 'cache_size = -1500000'):
    db.execute('PRAGMA ' + pragma)
db.execute('CREATE TEMP TABLE pl (k INTEGER PRIMARY KEY, b BLOB)')
for k in range(1000):
    phone = f_bytes(1, 'SEP%012X' % k) + f_bytes(3, '10.%d.%d.%d' % (k // 65536, (k // 256) % 256, k % 256)) + f_bytes(7, 'Desk %d floor %d' % (k, k % 7)) + f_varint(10, 13)
    db.execute('INSERT INTO pl VALUES (?, ?)', (k, event('edge-1', 1, T0, 'ucm-sub1', 1, 2, 20, phone)))
for k in range(10):
    counts = f_varint(1, 1000 + k) + f_varint(2, k) + f_varint(3, 0)
    db.execute('INSERT INTO pl VALUES (?, ?)', (1000 + k, event('edge-1', 1, T0, 'ucm-%d' % k, 2, 22, 30, counts)))
db.execute('INSERT INTO pl VALUES (2000, ?)', (event('edge-1', 1, T0, 'sw-1', 1, 16),))
db.commit()
start = time.time()
db.execute(f'''
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n})
INSERT INTO events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us, store_time_us,
                    origin, source, kind, device, reason_code, payload, spoofed)
SELECT 'edge-' || (i % 5), '', i, {T0} + i * 10000, {T0} + i * 10000, {T0} + i * 10000 + 1000,
  CASE WHEN i % 1000 = 0 THEN 'ucm-' || ((i / 1000) % 10) WHEN i % 3 = 0 THEN 'ucm-sub' || (i % 4) ELSE 'sw-' || (i % 50) END,
  CASE WHEN i % 1000 = 0 THEN 'snmp_poll' ELSE 'syslog' END,
  CASE WHEN i % 1000 = 0 THEN 'registered_phones' WHEN i % 3 = 0 THEN 'phone_unregistered' ELSE 'syslog_other' END,
  CASE WHEN i % 1000 <> 0 AND i % 3 = 0 THEN printf('SEP%012X', i % 100000) END,
  CASE WHEN i % 1000 <> 0 AND i % 3 = 0 THEN 13 END,
  (SELECT b FROM pl WHERE k = CASE WHEN i % 1000 = 0 THEN 1000 + (i / 1000) % 10 WHEN i % 3 = 0 THEN (i % 100000) % 1000 ELSE 2000 END),
  0
FROM g''')
db.commit()
print(f'{n} events in {time.time() - start:.0f} s; {os.path.getsize(path) / 1e9:.2f} GB')
