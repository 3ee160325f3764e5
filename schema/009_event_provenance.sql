-- Forged syslog is kept but never drives a page (issue 17): the agent flags an event whose
-- origin's sender list does not allow the address it came from (Provenance.spoofed in the
-- payload). The flag is a column too, so the drop scans behind `top`, and the per-agent
-- counts in `status`, leave such events out without decoding every payload. Older rows
-- were never checked: 0.
ALTER TABLE events ADD COLUMN spoofed INTEGER NOT NULL DEFAULT 0;
