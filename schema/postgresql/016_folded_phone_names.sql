-- The phones summary (013) keys on the device name with its ASCII letters in upper case
-- (common/device_name.h folded_device_name), folded by the collector, and compares it byte for
-- byte (COLLATE "C"). Until now the key was citext, which lowers both sides of every
-- comparison in the database's locale. Now both backends hold the same keys in the same order.
-- upper() under "C" folds ASCII only; citext made two spellings one row, so it cannot make two
-- rows one. The citext extension stays installed (013_baseline creates it), unused by regwatch.
ALTER TABLE phones ALTER COLUMN device TYPE TEXT COLLATE "C" USING upper(device::text COLLATE "C");
-- The MAC and the IP are looked up by equality only, which needs no locale: their indexes
-- (every new phone adds to both, in its batch's transaction) now compare bytes instead of
-- collating in the database's locale, as SQLite's do. One row per phone: a quick rebuild.
ALTER TABLE phones ALTER COLUMN mac TYPE TEXT COLLATE "C";
ALTER TABLE phones ALTER COLUMN ip TYPE TEXT COLLATE "C";
