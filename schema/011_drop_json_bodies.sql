-- Every row has its record (010): the JSON bodies go. JSON is rendered from the records at the
-- edges only (the CLI's output, notification payloads).
ALTER TABLE incidents DROP COLUMN body;
ALTER TABLE condition_alerts DROP COLUMN body;
