-- Incidents and condition alerts are typed records (issue 18): regwatch.v1.Incident and
-- regwatch.v1.Alert (proto/regwatch/v1/incident.proto), each row's record as a deterministic
-- proto serialisation. The JSON bodies of older rows are converted in C++ in this migration's
-- transaction (collector/store/legacy_records.h), and 011 drops the body columns.
ALTER TABLE incidents ADD COLUMN record BLOB;
ALTER TABLE condition_alerts ADD COLUMN record BLOB;
