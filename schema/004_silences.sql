-- Silences (alerts/): while one is active (starts_us <= now < ends_us), alerts whose labels
-- carry every one of its matchers are not sent. Created, listed and expired with
-- `regwatch silence` (Query service); expiring one sets its end to the time of expiry.
CREATE TABLE silences (
  id          TEXT    PRIMARY KEY,
  matchers    TEXT    NOT NULL,   -- JSON object: label -> value, all must match
  starts_us   INTEGER NOT NULL,
  ends_us     INTEGER NOT NULL,
  author      TEXT    NOT NULL,
  comment     TEXT    NOT NULL,
  created_us  INTEGER NOT NULL
);
CREATE INDEX silences_ends ON silences (ends_us);
