-- The phones summary (013) keys on the device name with its ASCII letters in upper case
-- (common/device_name.h folded_device_name), folded by the collector, and compares it byte for
-- byte. Until now each backend folded case in every comparison, each its own way (SQLite's
-- NOCASE, PostgreSQL's slower citext), which also ordered '_' differently; now both hold the
-- same keys in the same order. NOCASE made two spellings one row, so upper() (ASCII only in
-- SQLite, as NOCASE was) cannot make two rows one.
CREATE TABLE phones_folded (
  device          TEXT    PRIMARY KEY,
  mac             TEXT    NOT NULL DEFAULT '',
  ip              TEXT    NOT NULL DEFAULT '',
  ip_us           INTEGER NOT NULL DEFAULT 0,
  description     TEXT    NOT NULL DEFAULT '',
  description_us  INTEGER NOT NULL DEFAULT 0,
  last_seen_us    INTEGER NOT NULL
);
INSERT INTO phones_folded (device, mac, ip, ip_us, description, description_us, last_seen_us)
  SELECT upper(device), mac, ip, ip_us, description, description_us, last_seen_us FROM phones;
DROP TABLE phones;
ALTER TABLE phones_folded RENAME TO phones;
CREATE INDEX phones_mac ON phones (mac) WHERE mac <> '';
CREATE INDEX phones_ip ON phones (ip) WHERE ip <> '';
