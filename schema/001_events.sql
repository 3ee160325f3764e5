-- Every event an agent sent, once. The row id is the event's stable id (evidence ids refer to it).
CREATE TABLE events (
  id              INTEGER PRIMARY KEY,
  agent_id        TEXT    NOT NULL,
  seq             INTEGER NOT NULL,
  event_time_us   INTEGER NOT NULL,
  receive_time_us INTEGER NOT NULL,
  store_time_us   INTEGER NOT NULL,
  origin          TEXT    NOT NULL,
  source          TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  device          TEXT,            -- phone events only
  reason_code     INTEGER,         -- when the event has one
  payload         BLOB    NOT NULL, -- the serialised regwatch.v1.Event
  UNIQUE (agent_id, seq)
);
-- A phone's timeline.
CREATE INDEX events_device_time ON events (device, event_time_us) WHERE device IS NOT NULL;
-- Time ranges (kind and origin filters are applied on top of it).
CREATE INDEX events_time ON events (event_time_us);
-- No store-time index: rows are stored in id order, so retention walks the
-- oldest ids (collector/store/event_writer.cpp). Each index costs ingest.
