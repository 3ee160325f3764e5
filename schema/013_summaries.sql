-- Small summaries of the events for the dashboard's questions (issue 19), so that they answer
-- in milliseconds however many events are stored, instead of grouping the events table. The
-- event writer keeps them in each batch's transaction (collector/store/summary_writer.h);
-- this migration backfills them from the rows already stored. Spoofed events
-- (Provenance.spoofed) are left out: a forged line is not a sign that an input lives, nor a
-- phone's address.

-- Every input: per agent, source (syslog, snmp_poll, snmp_trap, sccp, agent) and origin (as
-- the event records it: the device a syslog line names or its sender, the SNMP target, the trap
-- sender, the CM node a capture's phones talk to), when its latest batch was stored, the latest event time it reported, and how many events it sent. Unlike sources
-- (006), which counts live events only for the silence conditions, every event counts here.
CREATE TABLE inputs (
  agent_id       TEXT    NOT NULL,
  source         TEXT    NOT NULL,
  origin         TEXT    NOT NULL,
  last_store_us  INTEGER NOT NULL,
  last_event_us  INTEGER NOT NULL,
  events         INTEGER NOT NULL,
  PRIMARY KEY (agent_id, source, origin)
);
INSERT INTO inputs (agent_id, source, origin, last_store_us, last_event_us, events)
  SELECT agent_id, source, origin, max(store_time_us), max(event_time_us), count(*)
  FROM events WHERE spoofed = 0 GROUP BY agent_id, source, origin;

-- Every device an event names (phone events, CDP/LLDP sightings), for the phone search: its
-- MAC (from the name), the latest IP and description the events gave, and the latest event
-- time naming it. Names compare without case (CUCM's do), so a prefix search uses the key.
-- The SQL fills device and last_seen_us; the migration's C++ step
-- (collector/store/phone_summary_backfill.h) the MAC, IP and description from the payloads.
-- ip_us and description_us: the event time that gave each, so that a late (replayed) event
-- replaces them only with something newer.
CREATE TABLE phones (
  device          TEXT    PRIMARY KEY COLLATE NOCASE,
  mac             TEXT    NOT NULL DEFAULT '',
  ip              TEXT    NOT NULL DEFAULT '',
  ip_us           INTEGER NOT NULL DEFAULT 0,
  description     TEXT    NOT NULL DEFAULT '',
  description_us  INTEGER NOT NULL DEFAULT 0,
  last_seen_us    INTEGER NOT NULL
);
INSERT INTO phones (device, last_seen_us)
  SELECT device, max(event_time_us) FROM events
  WHERE device IS NOT NULL AND device <> '' AND spoofed = 0 GROUP BY device
  ON CONFLICT (device) DO UPDATE SET last_seen_us = max(last_seen_us, excluded.last_seen_us);
CREATE INDEX phones_mac ON phones (mac) WHERE mac <> '';
CREATE INDEX phones_ip ON phones (ip) WHERE ip <> '';

-- Each CM node's latest CISCO-CCM-MIB counts at a time: a partial index, so only the
-- registered_phones rows (one per node and poll) are in it and ingest of the others pays
-- nothing but the test of its WHERE.
CREATE INDEX events_registered_phones ON events (origin, event_time_us)
  WHERE kind = 'registered_phones';
