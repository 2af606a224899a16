-- Up Migration

-- backlog.stages.*.threshold_minutes accepts fractions (0.1 = 6 s, for drills and tests), like every
-- other minutes key; the integer column made each backlog check fail in SQL for such a value.
ALTER TABLE backlog_alerts ALTER COLUMN threshold_minutes TYPE double precision;

-- Down Migration
ALTER TABLE backlog_alerts ALTER COLUMN threshold_minutes TYPE integer USING ceil(threshold_minutes)::integer;
