-- Up Migration

-- The master record per SKU gains what channel pools need. `stock` stays the units on hand (what
-- the warehouse/ERP counts); `reserved` is the sum of held reservations, so available = stock -
-- reserved. Stock may be lowered by an outside sync below what is reserved (an oversell to look
-- at), so there is deliberately no CHECK (reserved <= stock): available is clamped at 0 instead.
ALTER TABLE skus
  ADD COLUMN reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  ADD COLUMN price_updated_at timestamptz,
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
-- NULL = the configured default (inventory.low_stock_threshold), so changing the default applies
-- to every SKU that has no threshold of its own.
ALTER TABLE skus ALTER COLUMN low_stock_threshold DROP NOT NULL, ALTER COLUMN low_stock_threshold DROP DEFAULT;
CREATE INDEX skus_owner_idx ON skus (owner) WHERE owner IS NOT NULL;

-- Units each SKU's channel pool has handed out from its fixed reservation (the rest of an order's
-- quantity comes from the shared remainder). Changed only under the SKU row's lock.
CREATE TABLE sku_pool_usage (
  sku  text NOT NULL REFERENCES skus (sku) ON DELETE CASCADE,
  pool text NOT NULL,
  held integer NOT NULL DEFAULT 0 CHECK (held >= 0),
  PRIMARY KEY (sku, pool)
);

-- What an order holds of a SKU: taken at processing, released on cancellation/refund. One held
-- reservation per (order, SKU), so re-processing a revision can never reserve twice.
CREATE TABLE stock_reservations (
  id             bigserial PRIMARY KEY,
  order_id       bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  sku            text NOT NULL,
  channel        text NOT NULL,
  pool           text,
  qty            integer NOT NULL CHECK (qty > 0),
  from_pool      integer NOT NULL DEFAULT 0 CHECK (from_pool >= 0),
  from_shared    integer NOT NULL DEFAULT 0 CHECK (from_shared >= 0),
  status         text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released')),
  revision       integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  released_at    timestamptz,
  release_reason text,
  CHECK (from_pool + from_shared = qty)
);
CREATE UNIQUE INDEX stock_reservations_one_held_idx ON stock_reservations (order_id, sku) WHERE status = 'held';
CREATE INDEX stock_reservations_sku_idx ON stock_reservations (sku) WHERE status = 'held';

-- What each platform/shop shows for a SKU, as last seen (listing webhooks or adapter pulls).
CREATE TABLE platform_listings (
  sku        text NOT NULL,
  platform   text NOT NULL,
  shop       text NOT NULL DEFAULT '',
  stock      integer CHECK (stock >= 0),
  price      numeric(14, 2) CHECK (price >= 0),
  seen_at    timestamptz NOT NULL,
  source     text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, platform, shop)
);
CREATE INDEX platform_listings_platform_idx ON platform_listings (platform, shop);

-- One low-stock alert per SKU while its available stock is under the threshold: its card is
-- posted once, updated as the stock moves, and closed when restocked.
CREATE TABLE low_stock_alerts (
  id         bigserial PRIMARY KEY,
  sku        text NOT NULL,
  team       text NOT NULL,
  status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared')),
  available  integer NOT NULL,
  lowest     integer NOT NULL,
  threshold  integer NOT NULL,
  version    integer NOT NULL DEFAULT 1,
  opened_at  timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz
);
CREATE UNIQUE INDEX low_stock_alerts_one_open_idx ON low_stock_alerts (sku) WHERE status = 'open';

-- The daily multi-platform consistency report, kept so that one day can be compared with the next.
CREATE TABLE consistency_reports (
  id            bigserial PRIMARY KEY,
  report_date   date NOT NULL,
  timezone      text NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'cli', 'api')),
  scheduled_for timestamptz,
  generated_at  timestamptz NOT NULL,
  team          text NOT NULL,
  checked       integer NOT NULL,
  consistent    integer NOT NULL,
  stock_deviations integer NOT NULL,
  price_deviations integer NOT NULL,
  unknown_skus  integer NOT NULL,
  goal          numeric(5, 2) NOT NULL,
  tolerance     jsonb NOT NULL,
  by_platform   jsonb NOT NULL,
  worst         jsonb NOT NULL,
  -- The card's "list more" link (signed, so it opens in a browser without the API token header).
  csv_url       text,
  version       integer NOT NULL DEFAULT 1
);
-- The schedule makes one report a day however many copies run or however often the job retries.
CREATE UNIQUE INDEX consistency_reports_scheduled_idx ON consistency_reports (report_date) WHERE trigger = 'schedule';
CREATE INDEX consistency_reports_date_idx ON consistency_reports (report_date DESC, id DESC);

-- Every deviating (SKU, platform, shop) of a report: the CSV behind the card's "list more".
CREATE TABLE consistency_report_rows (
  report_id     bigint NOT NULL REFERENCES consistency_reports (id) ON DELETE CASCADE,
  sku           text NOT NULL,
  platform      text NOT NULL,
  shop          text NOT NULL,
  owner         text,
  known         boolean NOT NULL,
  master_stock  integer,
  listing_stock integer,
  stock_diff    integer,
  master_price  numeric(14, 2),
  listing_price numeric(14, 2),
  price_diff    numeric(14, 2),
  stock_ok      boolean NOT NULL,
  price_ok      boolean NOT NULL,
  score         double precision NOT NULL,
  seen_at       timestamptz NOT NULL,
  PRIMARY KEY (report_id, sku, platform, shop)
);
CREATE INDEX consistency_report_rows_score_idx ON consistency_report_rows (report_id, score DESC);

-- Price changes wait for an approver; one pending request per SKU.
CREATE TABLE price_changes (
  id            bigserial PRIMARY KEY,
  sku           text NOT NULL REFERENCES skus (sku) ON DELETE CASCADE,
  old_price     numeric(14, 2),
  new_price     numeric(14, 2) NOT NULL CHECK (new_price >= 0),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'scheduled', 'approved', 'rejected')),
  team          text NOT NULL,
  reason        text,
  publish_at    timestamptz,
  requested_by  text NOT NULL,
  requested_via text NOT NULL,
  decided_by    text,
  decided_via   text,
  decided_at    timestamptz,
  published_at  timestamptz,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX price_changes_one_pending_idx ON price_changes (sku) WHERE status = 'pending';
CREATE INDEX price_changes_due_idx ON price_changes (publish_at) WHERE status = 'scheduled';

-- The push of an approved price to each platform/shop listing the SKU: queued once per platform.
CREATE TABLE price_pushes (
  id         bigserial PRIMARY KEY,
  change_id  bigint NOT NULL REFERENCES price_changes (id) ON DELETE CASCADE,
  platform   text NOT NULL,
  shop       text NOT NULL DEFAULT '',
  status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'pushed', 'manual', 'failed')),
  detail     text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT price_pushes_once_key UNIQUE (change_id, platform, shop)
);

-- Down Migration
DROP TABLE IF EXISTS price_pushes, price_changes, consistency_report_rows, consistency_reports,
  low_stock_alerts, platform_listings, stock_reservations, sku_pool_usage;
DROP INDEX IF EXISTS skus_owner_idx;
UPDATE skus SET low_stock_threshold = 10 WHERE low_stock_threshold IS NULL;
ALTER TABLE skus ALTER COLUMN low_stock_threshold SET DEFAULT 10, ALTER COLUMN low_stock_threshold SET NOT NULL;
ALTER TABLE skus DROP COLUMN IF EXISTS reserved, DROP COLUMN IF EXISTS price_updated_at, DROP COLUMN IF EXISTS created_at;
