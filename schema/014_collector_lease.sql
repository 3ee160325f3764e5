-- Collectors in pairs (issue 24): which collector runs correlation and alert dispatch. One row
-- per lease (name 'leader'); a collector holds it while it renews it before expires_us, and
-- another takes it (term + 1) once it has expired. Times are the database's clock, so that the
-- collectors' clocks need not agree. Used on PostgreSQL; a single collector on SQLite leads
-- without it, and the table stays empty.
CREATE TABLE collector_lease (
  name        TEXT    PRIMARY KEY,
  holder      TEXT    NOT NULL,   -- host/pid/random of the collector process
  address     TEXT    NOT NULL,   -- where it listens, for `regwatch status`
  term        INTEGER NOT NULL,   -- goes up by one at each change of holder
  since_us    INTEGER NOT NULL,   -- when this holder took it
  renewed_us  INTEGER NOT NULL,
  expires_us  INTEGER NOT NULL
);
