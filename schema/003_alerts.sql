-- Notifications owed to receivers (alerts/). One row per alert key (an
-- incident's id), receiver and status (firing, then resolved). The unique key
-- makes enqueueing idempotent: a recomputed incident or a restarted collector
-- never owes the same page twice. A row is retried until delivered (or given
-- up on, which is logged and counted); the payload is rendered when sent, from
-- the incident as it is then.
CREATE TABLE alert_outbox (
  id            INTEGER PRIMARY KEY,
  receiver      TEXT    NOT NULL,
  alert_key     TEXT    NOT NULL,
  status        TEXT    NOT NULL,   -- firing, resolved
  created_us    INTEGER NOT NULL,
  due_us        INTEGER NOT NULL,   -- next attempt: group_wait first, then backoff
  attempts      INTEGER NOT NULL DEFAULT 0,
  delivered_us  INTEGER,            -- NULL until the receiver accepted it
  given_up      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  UNIQUE (receiver, alert_key, status)
);
CREATE INDEX alert_outbox_pending ON alert_outbox (due_us) WHERE delivered_us IS NULL AND given_up = 0;
