-- Up Migration

-- SLA timers live here (Postgres is the truth; BullMQ delayed jobs only trigger them).
ALTER TABLE exceptions
  ADD COLUMN next_escalation_at timestamptz,
  ADD COLUMN next_escalation_step text,
  ADD COLUMN level1_sent smallint NOT NULL DEFAULT 0,
  ADD COLUMN level2_sent smallint NOT NULL DEFAULT 0,
  ADD COLUMN last_escalated_at timestamptz;
CREATE INDEX exceptions_next_escalation_idx ON exceptions (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

-- Notifications can wait for their channel's window (SMS quiet hours) and are retried.
ALTER TABLE notifications
  ADD COLUMN not_before timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN payload jsonb;
CREATE INDEX notifications_pending_idx ON notifications (coalesce(not_before, created_at)) WHERE status = 'pending';

-- One backlog alert per stage (and shop, when configured) while the stage is backed up.
CREATE TABLE backlog_alerts (
  id          bigserial PRIMARY KEY,
  stage       text NOT NULL,
  shop        text NOT NULL DEFAULT '',
  team        text NOT NULL,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared')),
  idle_count  integer NOT NULL,
  oldest_at   timestamptz,
  oldest      jsonb NOT NULL DEFAULT '[]'::jsonb,
  threshold_minutes integer NOT NULL,
  peak_count  integer NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  opened_at   timestamptz NOT NULL DEFAULT now(),
  checked_at  timestamptz NOT NULL DEFAULT now(),
  cleared_at  timestamptz
);
CREATE UNIQUE INDEX backlog_alerts_one_open_idx ON backlog_alerts (stage, shop) WHERE status = 'open';

-- Down Migration
DROP TABLE IF EXISTS backlog_alerts;
ALTER TABLE notifications DROP COLUMN IF EXISTS not_before, DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS payload;
ALTER TABLE exceptions DROP COLUMN IF EXISTS next_escalation_at, DROP COLUMN IF EXISTS next_escalation_step,
  DROP COLUMN IF EXISTS level1_sent, DROP COLUMN IF EXISTS level2_sent, DROP COLUMN IF EXISTS last_escalated_at;
