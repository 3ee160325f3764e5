-- Notifications follow an alert's life, not one firing and one resolved per alert: an
-- incident that comes back after its resolve pages again, and a change that matters (its
-- severity, its scope widening, its top cause) is notified again. So each (receiver,
-- alert) has a sequence of notifications, numbered by seq, each either `firing` or
-- `resolved`, sent strictly in that order. (The table is rebuilt: SQLite cannot change a
-- UNIQUE constraint.) The unique key makes owing one idempotent: the
-- dispatcher owes the next one only after reading the last (it is the only writer).
--   reason:   first, reopened, changed, repeat, resolved, withdrawn
--   change:   for changed / reopened, what changed in words ("severity warning -> critical")
--   told:     what this notification tells (severity|scope type|scope|top cause): the next
--             change that matters is measured against it
--   flapping: set on the last page its scope may send within flap_window_s
CREATE TABLE alert_outbox_sequenced (
  id            INTEGER PRIMARY KEY,
  receiver      TEXT    NOT NULL,
  alert_key     TEXT    NOT NULL,
  seq           INTEGER NOT NULL,
  status        TEXT    NOT NULL,   -- firing, resolved
  reason        TEXT    NOT NULL,
  change        TEXT    NOT NULL DEFAULT '',
  told          TEXT    NOT NULL DEFAULT '',
  flapping      TEXT    NOT NULL DEFAULT '',
  created_us    INTEGER NOT NULL,
  due_us        INTEGER NOT NULL,   -- next attempt: group_wait first, then backoff
  attempts      INTEGER NOT NULL DEFAULT 0,
  delivered_us  INTEGER,            -- NULL until the receiver accepted it
  given_up      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  UNIQUE (receiver, alert_key, seq)
);

-- The old one-row-per-status outbox, in its order: firing, its repeats (firing#2, ...), then
-- resolved.
INSERT INTO alert_outbox_sequenced (id, receiver, alert_key, seq, status, reason, created_us, due_us,
                                 attempts, delivered_us, given_up, last_error)
SELECT id, receiver, alert_key,
       row_number() OVER (PARTITION BY receiver, alert_key
                          ORDER BY status = 'resolved', created_us, id),
       CASE WHEN status = 'resolved' THEN 'resolved' ELSE 'firing' END,
       CASE WHEN status = 'resolved' THEN 'resolved'
            WHEN status = 'firing' THEN 'first' ELSE 'repeat' END,
       created_us, due_us, attempts, delivered_us, given_up, last_error
FROM alert_outbox;
DROP TABLE alert_outbox;
ALTER TABLE alert_outbox_sequenced RENAME TO alert_outbox;

CREATE INDEX alert_outbox_due ON alert_outbox (receiver, due_us)
  WHERE delivered_us IS NULL AND given_up = 0;
-- Flap damping counts a scope's pages: first and reopened firing notifications by key prefix.
CREATE INDEX alert_outbox_pages ON alert_outbox (receiver, created_us)
  WHERE reason IN ('first', 'reopened');
