-- Incidents keep one identity while evidence arrives. Correlation names an
-- incident by its scope and first drop, and a late event (an agent's spool
-- draining, a topology report arriving after the drops) can move either; the
-- recomputed incident then continues the stored one it shares most phones
-- with (collector/store/incident_lineage.h). first_id is the id it was first
-- stored under: alerts are keyed by it, so a moved incident is not paged twice
-- and its page is resolved. An incident a recomputation no longer finds is
-- kept as state 'withdrawn' (hidden from listings) so that its page can be
-- resolved.
ALTER TABLE incidents ADD COLUMN first_id TEXT NOT NULL DEFAULT '';
UPDATE incidents SET first_id = id;
CREATE INDEX incidents_first_id ON incidents (first_id);

-- Every id an incident has been stored under, so `regwatch incident OLD_ID`
-- (an id from a page or a ticket) still finds it.
CREATE TABLE incident_ids (
  id        TEXT PRIMARY KEY,
  first_id  TEXT NOT NULL
);
INSERT INTO incident_ids (id, first_id) SELECT id, id FROM incidents;

-- How an incident evolved, as the collector saw it (collector clock): opened,
-- grew, its scope or top cause changed, resolved, withdrawn. Live history,
-- not part of the incident record (which is a function of the events alone).
CREATE TABLE incident_updates (
  seq          INTEGER PRIMARY KEY,
  first_id     TEXT    NOT NULL,
  at_us        INTEGER NOT NULL,
  id           TEXT    NOT NULL,
  state        TEXT    NOT NULL,
  class        TEXT    NOT NULL,
  scope_type   TEXT    NOT NULL,
  scope_name   TEXT    NOT NULL,
  phone_count  INTEGER NOT NULL,
  top_cause    TEXT    NOT NULL,
  change       TEXT    NOT NULL
);
CREATE INDEX incident_updates_first_id ON incident_updates (first_id, seq);
