-- Up Migration

-- Text Postgres cannot hold (NUL, a lone surrogate) is made storable at intake; the request bytes
-- are then kept beside the order, and which fields were repaired. Both stay NULL for a clean order.
ALTER TABLE orders ADD COLUMN raw_body bytea;
ALTER TABLE orders ADD COLUMN text_repaired text[];

-- The rejected store keeps the exact bytes (the old `body` text column had NUL escaped), what the
-- payload was (a webhook request, or orders from a pull or a message feed), and each replay.
ALTER TABLE rejected_payloads ADD COLUMN body_bytes bytea;
ALTER TABLE rejected_payloads ADD COLUMN via text NOT NULL DEFAULT 'webhook';
ALTER TABLE rejected_payloads ADD COLUMN replayed_at timestamptz;
ALTER TABLE rejected_payloads ADD COLUMN replay_status smallint;
ALTER TABLE rejected_payloads ADD COLUMN replay_result jsonb;
ALTER TABLE rejected_payloads ADD COLUMN replays integer NOT NULL DEFAULT 0;
CREATE INDEX rejected_payloads_unreplayed_idx ON rejected_payloads (received_at DESC) WHERE replay_status IS NULL OR replay_status >= 400;

-- Down Migration
DROP INDEX IF EXISTS rejected_payloads_unreplayed_idx;
ALTER TABLE rejected_payloads DROP COLUMN IF EXISTS replays, DROP COLUMN IF EXISTS replay_result,
  DROP COLUMN IF EXISTS replay_status, DROP COLUMN IF EXISTS replayed_at, DROP COLUMN IF EXISTS via,
  DROP COLUMN IF EXISTS body_bytes;
ALTER TABLE orders DROP COLUMN IF EXISTS text_repaired, DROP COLUMN IF EXISTS raw_body;
