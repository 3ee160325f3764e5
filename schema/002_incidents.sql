-- Incidents found by correlation (collector/correlate), rewritten as evidence
-- arrives. The id is stable (scope and first drop time), so a recomputation
-- replaces an incident rather than adding one. body is the whole incident as
-- JSON (causes, evidence ids, phones by CM and switch).
CREATE TABLE incidents (
  id             TEXT    PRIMARY KEY,
  state          TEXT    NOT NULL,
  class          TEXT    NOT NULL,
  scope_type     TEXT    NOT NULL,
  scope_name     TEXT    NOT NULL,
  start_time_us  INTEGER NOT NULL,
  end_time_us    INTEGER NOT NULL,
  phone_count    INTEGER NOT NULL,
  top_cause      TEXT    NOT NULL,
  updated_us     INTEGER NOT NULL,
  body           TEXT    NOT NULL
);
CREATE INDEX incidents_start ON incidents (start_time_us);
