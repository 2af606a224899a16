-- Up Migration

-- Issue 15: the corrected order goes out. Every change of an order that an ERP or warehouse cares
-- about is one row here, written by a trigger in the transaction that made it (whatever the write
-- path: intake, processing, a chat action, a stage update, an import). The row is both the cursor of
-- GET /api/orders?updated_since=…&cursor=… and the outbox of the signed order webhook.
--
-- `xid` is the writing transaction's id. A reader returns only rows whose transaction finished
-- before every transaction still running (xid < the snapshot's xmin), ordered by (xid, id): a
-- transaction that commits later always sorts after the cursor, so a poller never skips a change.
CREATE TABLE order_changes (
  id             bigserial PRIMARY KEY,
  xid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
  order_id       bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  events         text[] NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  -- The webhook delivery of this change: none (nothing shipping-relevant), pending, sending, sent,
  -- failed (retried from the outbox), skipped (no webhook configured for orders).
  webhook_status text NOT NULL DEFAULT 'none' CHECK (webhook_status IN ('none', 'pending', 'sending', 'sent', 'failed', 'skipped')),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  lease_until    timestamptz,
  sent_at        timestamptz
);
CREATE INDEX order_changes_xid_idx ON order_changes (xid, id);
CREATE INDEX order_changes_at_idx ON order_changes (at);
CREATE INDEX order_changes_webhook_idx ON order_changes (id) WHERE webhook_status IN ('pending', 'sending');

CREATE FUNCTION orderops_order_change_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ev text[] := ARRAY[]::text[];
BEGIN
  IF NEW.address_override IS DISTINCT FROM OLD.address_override THEN ev := ev || 'address_fixed'::text; END IF;
  IF NEW.review_status IS DISTINCT FROM OLD.review_status THEN
    ev := ev || (CASE WHEN NEW.review_status = 'held' THEN 'held'
                      WHEN OLD.review_status = 'held' THEN 'released'
                      ELSE 'approved' END)::text;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    ev := ev || (CASE WHEN NEW.status IN ('cancelled', 'refunded', 'closed') THEN 'cancelled' ELSE 'status' END)::text;
  END IF;
  IF NEW.stage IS DISTINCT FROM OLD.stage THEN ev := ev || 'stage'::text; END IF;
  IF NEW.priority IS DISTINCT FROM OLD.priority THEN ev := ev || 'priority'::text; END IF;
  IF cardinality(ev) > 0 THEN
    INSERT INTO order_changes (order_id, events, webhook_status)
    VALUES (NEW.id, ev, CASE WHEN ev && ARRAY['address_fixed', 'held', 'released', 'approved', 'cancelled'] THEN 'pending' ELSE 'none' END);
  END IF;
  RETURN NULL;
END $$;

-- New orders in one statement per batch (intake writes hundreds per statement).
CREATE FUNCTION orderops_order_change_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_changes (order_id, events) SELECT id, ARRAY['created'] FROM inserted;
  RETURN NULL;
END $$;

CREATE TRIGGER orders_changes_update_trg AFTER UPDATE OF status, stage, review_status, address_override, priority ON orders
  FOR EACH ROW EXECUTE FUNCTION orderops_order_change_row();
CREATE TRIGGER orders_changes_insert_trg AFTER INSERT ON orders
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION orderops_order_change_insert();

-- Down Migration
DROP TRIGGER IF EXISTS orders_changes_insert_trg ON orders;
DROP TRIGGER IF EXISTS orders_changes_update_trg ON orders;
DROP FUNCTION IF EXISTS orderops_order_change_insert();
DROP FUNCTION IF EXISTS orderops_order_change_row();
DROP TABLE IF EXISTS order_changes;
