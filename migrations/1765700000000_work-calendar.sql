-- Up Migration

-- SLA clocks (issue 20): what each exception's due times were computed from, so they can be
-- recomputed when the calendar changes (a holiday entered, hours changed). Rows from before keep
-- the wall clock and no recorded start (their due times are left as they are).
ALTER TABLE exceptions
  ADD COLUMN sla_clock text NOT NULL DEFAULT 'wall' CHECK (sla_clock IN ('wall', 'business')),
  ADD COLUMN sla_started_at timestamptz,
  ADD COLUMN claim_minutes numeric,
  ADD COLUMN resolve_minutes numeric;
CREATE INDEX exceptions_business_clock_idx ON exceptions (id) WHERE sla_clock = 'business' AND status <> 'resolved';

-- One handoff card per team and shift start: what the outgoing shift leaves to the incoming one.
CREATE TABLE shift_handoffs (
  id             bigserial PRIMARY KEY,
  team           text NOT NULL,
  shift_start    timestamptz NOT NULL,
  shift_end      timestamptz NOT NULL,
  -- Since when breaches and off-shift arrivals count (the previous handoff, else the previous shift's start).
  since          timestamptz NOT NULL,
  -- The card's content as of its last refresh (open/claimed exceptions, breaches, backlog, owners off shift).
  snapshot       jsonb NOT NULL,
  version        integer NOT NULL DEFAULT 1,
  offered_at     timestamptz,
  offered_by     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shift_handoffs_team_start_key UNIQUE (team, shift_start)
);

-- Down Migration
DROP TABLE IF EXISTS shift_handoffs;
DROP INDEX IF EXISTS exceptions_business_clock_idx;
ALTER TABLE exceptions DROP COLUMN IF EXISTS sla_clock, DROP COLUMN IF EXISTS sla_started_at,
  DROP COLUMN IF EXISTS claim_minutes, DROP COLUMN IF EXISTS resolve_minutes;
