-- Up Migration

-- Order history for inserts, set-based: one statement-level trigger reads the statement's
-- transition table and inserts every creation in one INSERT … SELECT, instead of one plpgsql call
-- and one INSERT per row (a bulk import of a million orders pays a few µs per row for its history
-- instead of ~20). Updates keep a row-level trigger limited to UPDATE OF status, stage: transition
-- tables allow no column list, so a statement-level one would copy every updated row (processing
-- updates tags and processed_revision of every order) just to find the few that moved. Same rows
-- as before (a creation, then each status/stage change), same actor and via (the transaction's
-- orderops.actor / orderops.via, else the source and 'webhook').
DROP TRIGGER orders_history_trg ON orders;
DROP FUNCTION orderops_record_order_history();

CREATE FUNCTION orderops_record_order_history_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source)
  SELECT n.id, n.revision, NULL, n.status, NULL, n.stage,
         coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || n.source),
         coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook')
  FROM orderops_new_orders n;
  RETURN NULL;
END
$$;

CREATE FUNCTION orderops_record_order_history_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status OR NEW.stage IS DISTINCT FROM OLD.stage THEN
    INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source)
    VALUES (NEW.id, NEW.revision, OLD.status, NEW.status, OLD.stage, NEW.stage,
            coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || NEW.source),
            coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook'));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER orders_history_insert_trg AFTER INSERT ON orders
  REFERENCING NEW TABLE AS orderops_new_orders
  FOR EACH STATEMENT EXECUTE FUNCTION orderops_record_order_history_inserted();
CREATE TRIGGER orders_history_update_trg AFTER UPDATE OF status, stage ON orders
  FOR EACH ROW EXECUTE FUNCTION orderops_record_order_history_updated();

-- History imports (`orderops import orders`).
--   imported_revision  the revision an import wrote last: processing a revision that came from an
--                      import takes no stock (its units are history), though it may release some.
--   quiet              chat stays silent about the order: not counted in backlog alerts, and its
--                      exceptions (exceptions.quiet) get no card and no SLA escalation. Set for
--                      historical orders; cleared when the bot processes a later revision of the
--                      order (a webhook update, reconciliation), which brings its open exceptions
--                      to chat with fresh SLA due times.
ALTER TABLE orders
  ADD COLUMN imported_revision integer,
  ADD COLUMN quiet boolean NOT NULL DEFAULT false;
ALTER TABLE exceptions ADD COLUMN quiet boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE exceptions DROP COLUMN IF EXISTS quiet;
ALTER TABLE orders DROP COLUMN IF EXISTS quiet, DROP COLUMN IF EXISTS imported_revision;
DROP TRIGGER IF EXISTS orders_history_update_trg ON orders;
DROP TRIGGER IF EXISTS orders_history_insert_trg ON orders;
DROP FUNCTION IF EXISTS orderops_record_order_history_updated(), orderops_record_order_history_inserted();
CREATE FUNCTION orderops_record_order_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source)
    VALUES (NEW.id, NEW.revision, NULL, NEW.status, NULL, NEW.stage,
            coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || NEW.source),
            coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook'));
  ELSIF NEW.status IS DISTINCT FROM OLD.status OR NEW.stage IS DISTINCT FROM OLD.stage THEN
    INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source)
    VALUES (NEW.id, NEW.revision, OLD.status, NEW.status, OLD.stage, NEW.stage,
            coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || NEW.source),
            coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook'));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER orders_history_trg AFTER INSERT OR UPDATE OF status, stage ON orders
  FOR EACH ROW EXECUTE FUNCTION orderops_record_order_history();
