-- Who is sending (collector/store/event_writer.cpp keeps it as batches are
-- stored): per agent, origin (the device named in the event) and input, the
-- first and last receive time and the count of *live* events, those whose
-- event time is within ten minutes of their receipt. A replayed archive is not
-- live, so a finished replay never looks like a device that went silent.
CREATE TABLE sources (
  agent_id  TEXT    NOT NULL,
  origin    TEXT    NOT NULL,
  source    TEXT    NOT NULL,
  first_us  INTEGER NOT NULL,
  last_us   INTEGER NOT NULL,
  events    INTEGER NOT NULL,
  PRIMARY KEY (agent_id, origin, source)
);

-- Condition alerts (alerts/condition_rules.h): heartbeat low, CPU pegged, CM
-- down, phones stuck, registered count dropped, agents and sources silent.
-- One row per episode: key is the alert name, its identity (labels) and the
-- episode's first evidence, so a condition that fires again later pages again.
-- inactive_since_us: when the condition stopped being met (resolved once it
-- stays so for flap_hold_s). body: the alert as JSON, what notifications
-- render.
CREATE TABLE condition_alerts (
  key                TEXT    PRIMARY KEY,
  identity           TEXT    NOT NULL,
  state              TEXT    NOT NULL,   -- firing, resolved
  starts_us          INTEGER NOT NULL,
  updated_us         INTEGER NOT NULL,
  inactive_since_us  INTEGER,
  ends_us            INTEGER,
  body               TEXT    NOT NULL
);
CREATE INDEX condition_alerts_firing ON condition_alerts (identity) WHERE state = 'firing';
