-- Exactly once per (agent, spool incarnation, seq), no longer per (agent, seq): a new spool
-- under an agent id in use (a wiped spool directory, a replay) numbers its events from 1
-- again, and under the old key those were taken for resends and silently not stored. The
-- incarnation is made when an agent's spool is created (agent/spool/spool_state.h); rows
-- stored before this migration, and spools older than it, have ''.
--
-- SQLite cannot change a UNIQUE constraint in place, so the table is rebuilt (SQLite's
-- documented procedure: create the new table, copy, drop the old, rename), in the
-- migration's one transaction. The row ids are copied as they are: they are the events'
-- stable ids, and incidents' evidence refers to them. No view, trigger or foreign key refers
-- to events. This copies the whole table once: it takes time and free disk in proportion
-- to the events kept.
CREATE TABLE events_007 (
  id                INTEGER PRIMARY KEY,
  agent_id          TEXT    NOT NULL,
  spool_incarnation TEXT    NOT NULL DEFAULT '',
  seq               INTEGER NOT NULL,
  event_time_us     INTEGER NOT NULL,
  receive_time_us   INTEGER NOT NULL,
  store_time_us     INTEGER NOT NULL,
  origin            TEXT    NOT NULL,
  source            TEXT    NOT NULL,
  kind              TEXT    NOT NULL,
  device            TEXT,            -- phone events only
  reason_code       INTEGER,         -- when the event has one
  payload           BLOB    NOT NULL, -- the serialised regwatch.v1.Event
  UNIQUE (agent_id, spool_incarnation, seq)
);
INSERT INTO events_007 (id, agent_id, spool_incarnation, seq, event_time_us, receive_time_us,
                        store_time_us, origin, source, kind, device, reason_code, payload)
  SELECT id, agent_id, '', seq, event_time_us, receive_time_us, store_time_us, origin, source,
         kind, device, reason_code, payload
  FROM events ORDER BY id;
DROP TABLE events;
ALTER TABLE events_007 RENAME TO events;
-- The indexes of 001, as they were (dropped with the old table).
CREATE INDEX events_device_time ON events (device, event_time_us) WHERE device IS NOT NULL;
CREATE INDEX events_time ON events (event_time_us);
