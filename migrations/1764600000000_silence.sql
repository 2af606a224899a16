-- Up Migration

-- A shop that went quiet during its active hours: one open alert per shop, cleared when orders resume.
CREATE TABLE silence_alerts (
  id            bigserial PRIMARY KEY,
  shop_id       text NOT NULL,
  source        text NOT NULL,
  team          text NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared')),
  minutes       double precision NOT NULL,
  last_order_at timestamptz,
  version       integer NOT NULL DEFAULT 1,
  opened_at     timestamptz NOT NULL DEFAULT now(),
  cleared_at    timestamptz
);
CREATE UNIQUE INDEX silence_alerts_one_open_idx ON silence_alerts (shop_id) WHERE status = 'open';
CREATE INDEX orders_source_shop_received_idx ON orders (source, shop, received_at DESC);

-- Down Migration
DROP INDEX IF EXISTS orders_source_shop_received_idx;
DROP TABLE IF EXISTS silence_alerts;
