-- Up Migration

-- A price change may be scoped to one listing: "push the master price to JD" from the consistency
-- report's 推送主数据 button still goes through approval, and its approval pushes to that listing only.
ALTER TABLE price_changes
  ADD COLUMN scope_platform text,
  ADD COLUMN scope_shop text,
  ADD CONSTRAINT price_changes_scope_check CHECK ((scope_platform IS NULL) = (scope_shop IS NULL));

-- Down Migration
ALTER TABLE price_changes DROP CONSTRAINT IF EXISTS price_changes_scope_check, DROP COLUMN IF EXISTS scope_platform, DROP COLUMN IF EXISTS scope_shop;
