-- Collectors in pairs (issue 24): a notification is claimed before it is sent, so that two
-- collectors never send it both. The claim names its holder and the lease term it was taken
-- under, and runs out at claim_until_us (the database's clock): a collector that died while
-- sending leaves its rows to the next leader. claim_until_us NULL: not claimed (delivered, failed and postponed rows
-- end their claim; claimed_by and claim_term stay, saying who tried last). A single collector on SQLite
-- claims too (same code), without a lease.
ALTER TABLE alert_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE alert_outbox ADD COLUMN claim_term INTEGER;
ALTER TABLE alert_outbox ADD COLUMN claim_until_us INTEGER;
