-- Up Migration

-- One row per reconcile run of a shop: the window pulled, what the platform listed, what we had,
-- what the run stored, and how far it got. A run that could not finish keeps resume_from (the first
-- instant it did not cover); the next scheduled run reaches back to it, and the first complete run
-- covering it sets covered_by. A run that found something carries a card (card_status); a later
-- failing run that recovered nothing is folded into the shop's open card (attempts, last_error).
CREATE TABLE reconcile_runs (
  id             bigserial PRIMARY KEY,
  shop_id        text NOT NULL,
  shop_name      text NOT NULL,
  source         text NOT NULL,
  trigger        text NOT NULL CHECK (trigger IN ('schedule', 'cli')),
  dry_run        boolean NOT NULL DEFAULT false,
  window_since   timestamptz NOT NULL,
  window_until   timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'incomplete')),
  -- Orders the platform has in the window (distinct; unreadable ones included).
  platform_count integer NOT NULL DEFAULT 0,
  had_before     integer NOT NULL DEFAULT 0,
  -- Missing before the run (a dry run stores nothing: what it would ingest).
  missing        integer NOT NULL DEFAULT 0,
  ingested       integer NOT NULL DEFAULT 0,
  updated        integer NOT NULL DEFAULT 0,
  pages          integer NOT NULL DEFAULT 0,
  failed_pages   integer NOT NULL DEFAULT 0,
  item_errors    integer NOT NULL DEFAULT 0,
  retries        integer NOT NULL DEFAULT 0,
  -- The first few problems: [{at, page, code, message, retryable}] and unreadable orders.
  errors         jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- The first few recovered order ids.
  recovered      jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- Progress: every sub-window before this instant is done (advanced as the run goes).
  checkpoint     timestamptz,
  resume_from    timestamptz,
  stop_reason    text CHECK (stop_reason IN ('page_failed', 'budget', 'abandoned')),
  covered_by     bigint REFERENCES reconcile_runs (id),
  covered_at     timestamptz,
  -- The card: team, status (open | recovered | cleared), version; NULL = no card.
  team           text,
  card_status    text CHECK (card_status IN ('open', 'recovered', 'cleared')),
  version        integer NOT NULL DEFAULT 1,
  attempts       integer NOT NULL DEFAULT 1,
  last_error     text,
  folded_into    bigint REFERENCES reconcile_runs (id),
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz
);
CREATE INDEX reconcile_runs_shop_idx ON reconcile_runs (shop_id, id DESC);
CREATE INDEX reconcile_runs_unfinished_idx ON reconcile_runs (shop_id) WHERE status = 'incomplete' AND covered_by IS NULL;
CREATE INDEX reconcile_runs_card_idx ON reconcile_runs (finished_at) WHERE card_status IS NOT NULL;

-- Down Migration
DROP TABLE IF EXISTS reconcile_runs;
