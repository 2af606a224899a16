-- Up Migration

-- An exception's reasons as message keys with parameters (one per sub-rule that fired), e.g.
-- [{"key": "reason.vague_address.landmark", "params": {"landmark": "小区门口"}}], rendered per locale
-- by src/present. `reason` keeps a text snapshot (rendered in the configured locale when written);
-- rows written before this migration have only that text and are shown as it is.
ALTER TABLE exceptions ADD COLUMN IF NOT EXISTS reason_refs jsonb;

-- Down Migration
ALTER TABLE exceptions DROP COLUMN IF EXISTS reason_refs;
