-- Up Migration

-- Issue 15: what orderops decides reaches the shops. Postgres holds every push (the outbox); a
-- BullMQ job with a deterministic id is only the trigger, and a sweep re-triggers whatever a lost
-- job left behind.

-- A listing carries the platform's own ids to push with (product id, sku id, Taobao properties,
-- Shopify variant / inventory item / location ids, PDD's single-buy price) and the seller's
-- merchant code it was matched by. Pulled listings fill them; the listings webhook may leave them out.
ALTER TABLE platform_listings
  ADD COLUMN ref jsonb,
  ADD COLUMN merchant_code text;

-- price_pushes becomes the price outbox: one row per approved change and platform/shop, written in
-- the approval's transaction. `round` grows with each manual retry (it is part of the job id).
ALTER TABLE price_pushes
  ADD COLUMN price        numeric(14, 2) CHECK (price >= 0),
  ADD COLUMN attempts     integer NOT NULL DEFAULT 0,
  ADD COLUMN round        integer NOT NULL DEFAULT 0,
  ADD COLUMN error_kind   text CHECK (error_kind IN ('throttled', 'transient', 'permanent')),
  ADD COLUMN error_code   text,
  ADD COLUMN lease_until  timestamptz,
  ADD COLUMN pushed_at    timestamptz;
ALTER TABLE price_pushes DROP CONSTRAINT IF EXISTS price_pushes_status_check;
-- held: waits for the night-guard confirmation; sending: a worker holds its lease.
ALTER TABLE price_pushes ADD CONSTRAINT price_pushes_status_check
  CHECK (status IN ('pending', 'sending', 'pushed', 'manual', 'failed', 'held'));
-- Rows queued before pushes existed were never going to be sent: say so rather than "pending".
UPDATE price_pushes SET status = 'manual', detail = 'approved before orderops pushed prices: check the shop back office'
  WHERE status = 'pending';
CREATE INDEX price_pushes_open_idx ON price_pushes (updated_at) WHERE status IN ('pending', 'sending');

-- The night guard: a push that would go out in the guarded hours waits for an explicit confirmation.
ALTER TABLE price_changes
  ADD COLUMN night_confirmed_by text,
  ADD COLUMN night_confirmed_at timestamptz;

-- A change that moves a SKU's sellable figures (a reservation, a release, a restock, an import, a
-- pool edit) marks the SKU here in its own transaction: one small row per SKU, so the order path
-- pays one upsert. The dispatcher turns marks into rows of stock_pushes, one per listing.
CREATE TABLE stock_dirty (
  sku      text PRIMARY KEY,
  dirty_at timestamptz NOT NULL
);

-- The stock outbox: one row per listing whose sellable figure must be (re)sent. The dispatcher
-- queues one job per dirty row per tick (so a storm of orders costs one call per SKU and platform
-- per tick), and the job sends the figure as it is then — a full set, never a delta.
CREATE TABLE stock_pushes (
  sku         text NOT NULL,
  platform    text NOT NULL,
  shop        text NOT NULL DEFAULT '',
  dirty_at    timestamptz,
  queued_at   timestamptz,
  wanted      integer,
  pushed      integer,
  pushed_at   timestamptz,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'pushed', 'failed', 'manual')),
  attempts    integer NOT NULL DEFAULT 0,
  error_kind  text CHECK (error_kind IN ('throttled', 'transient', 'permanent')),
  error_code  text,
  detail      text,
  lease_until timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, platform, shop)
);
CREATE INDEX stock_pushes_dirty_idx ON stock_pushes (dirty_at) WHERE dirty_at IS NOT NULL;

-- A channel pool set from chat or the CLI (/orderops pool LAMP-01 douyin 30): it replaces the
-- configured reserve of the pool serving that channel for that SKU (or adds one) until cleared.
CREATE TABLE sku_pool_overrides (
  sku      text NOT NULL REFERENCES skus (sku) ON DELETE CASCADE,
  channel  text NOT NULL,
  reserve  integer NOT NULL CHECK (reserve >= 0),
  set_by   text NOT NULL,
  set_via  text NOT NULL,
  set_at   timestamptz NOT NULL,
  PRIMARY KEY (sku, channel)
);

-- Every listing pull of a shop: when, how many listings, how many matched a master SKU, the calls.
CREATE TABLE listing_pulls (
  id          bigserial PRIMARY KEY,
  shop        text NOT NULL,
  platform    text NOT NULL,
  trigger     text NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'failed')),
  listings    integer NOT NULL DEFAULT 0,
  matched     integer NOT NULL DEFAULT 0,
  unmatched   integer NOT NULL DEFAULT 0,
  calls       integer NOT NULL DEFAULT 0,
  error       text
);
CREATE INDEX listing_pulls_shop_idx ON listing_pulls (shop, started_at DESC);

-- Down Migration
DROP TABLE IF EXISTS listing_pulls, sku_pool_overrides, stock_pushes, stock_dirty;
ALTER TABLE price_changes DROP COLUMN IF EXISTS night_confirmed_by, DROP COLUMN IF EXISTS night_confirmed_at;
DROP INDEX IF EXISTS price_pushes_open_idx;
UPDATE price_pushes SET status = 'failed' WHERE status IN ('sending', 'held');
ALTER TABLE price_pushes DROP CONSTRAINT IF EXISTS price_pushes_status_check;
ALTER TABLE price_pushes ADD CONSTRAINT price_pushes_status_check CHECK (status IN ('pending', 'pushed', 'manual', 'failed'));
ALTER TABLE price_pushes DROP COLUMN IF EXISTS price, DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS round,
  DROP COLUMN IF EXISTS error_kind, DROP COLUMN IF EXISTS error_code, DROP COLUMN IF EXISTS lease_until, DROP COLUMN IF EXISTS pushed_at;
ALTER TABLE platform_listings DROP COLUMN IF EXISTS ref, DROP COLUMN IF EXISTS merchant_code;
