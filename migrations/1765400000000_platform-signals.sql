-- Up Migration

-- Platform signals (issue 17): deadlines and event times as columns, the weighed stage, the
-- exception step, timers for ship-by and tracking, and what the carrier says about the parcel.

-- Event times of the order, as the platform (or the warehouse, through the stage API) says them.
--   paid_at      when the buyer paid
--   ship_by_at   when the order must have shipped (the platform's promise: Douyin exp_ship_time,
--                Pinduoduo last_ship_time, Taobao delivery_time …; else the per-channel default of
--                orderops.yml counted from paid_at)
--   shipped_at   when it shipped (the platform's consign time, or the stage API's `at`)
-- Null when unknown. A value that is not the platform's own is named in times_estimated:
--   'paid_at' / 'shipped_at'  the bot's clock when it learned of the payment / shipment
--   'ship_by_at'              computed from the config default (ship_by.<channel>.default_hours)
-- A later post that carries the platform's own time replaces the estimate and drops the mark.
ALTER TABLE orders
  ADD COLUMN paid_at timestamptz,
  ADD COLUMN ship_by_at timestamptz,
  ADD COLUMN shipped_at timestamptz,
  ADD COLUMN times_estimated text[] NOT NULL DEFAULT ARRAY[]::text[],
  -- The platform's refund / after-sales state: null (none), requested, refunded, rejected, withdrawn.
  ADD COLUMN refund_status text CHECK (refund_status IN ('requested', 'refunded', 'rejected', 'withdrawn')),
  ADD COLUMN refund_at timestamptz,
  -- Why the platform says the order must not ship yet (risk_review, group_pending, presale_unpaid,
  -- address_change, refund_pending, intercept, platform_hold), as the adapter mapped it.
  ADD COLUMN hold_reason text;
CREATE INDEX orders_ship_by_idx ON orders (ship_by_at) WHERE shipped_at IS NULL AND ship_by_at IS NOT NULL;
CREATE INDEX orders_priority_idx ON orders (priority DESC, ship_by_at);

-- The platform's times, written by every intake path (webhook upsert, history import) from the
-- order document, so no path can forget them. Only the platform's own values come from here; the
-- bot's estimates are written by the signals step and dropped here once the platform gives a time.
CREATE FUNCTION orderops_iso_time(v text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- Intake validates these as ISO 8601 with an offset, so the cast does not depend on TimeZone.
  SELECT CASE WHEN v ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$' THEN v::timestamptz END
$$;

CREATE FUNCTION orderops_order_times() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  p timestamptz := orderops_iso_time(NEW.data->>'paidAt');
  b timestamptz := orderops_iso_time(NEW.data->>'shipBy');
  s timestamptz := orderops_iso_time(NEW.data->>'shippedAt');
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.data IS NOT DISTINCT FROM OLD.data THEN
    RETURN NEW;
  END IF;
  IF p IS NOT NULL THEN
    NEW.paid_at := p;
    NEW.times_estimated := array_remove(NEW.times_estimated, 'paid_at');
  END IF;
  IF b IS NOT NULL THEN
    NEW.ship_by_at := b;
    NEW.times_estimated := array_remove(NEW.times_estimated, 'ship_by_at');
  END IF;
  IF s IS NOT NULL THEN
    NEW.shipped_at := s;
    NEW.times_estimated := array_remove(NEW.times_estimated, 'shipped_at');
  END IF;
  -- The platform's refund state as the adapter mapped it; a whole order without one has none (a
  -- thin push without one changes nothing).
  IF NEW.data ? 'refund' THEN
    NEW.refund_status := nullif(NEW.data->'refund'->>'status', 'none');
    NEW.refund_at := coalesce(orderops_iso_time(NEW.data->'refund'->>'at'), NEW.refund_at);
  ELSIF NOT coalesce((NEW.data->>'partial')::boolean, false) THEN
    NEW.refund_status := NULL;
  END IF;
  NEW.hold_reason := NEW.data->>'holdReason';
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_times_trg BEFORE INSERT OR UPDATE OF data ON orders
  FOR EACH ROW EXECUTE FUNCTION orderops_order_times();

-- 称重 (weighed) between packed and shipped: ranks move up by one from shipped on.
CREATE OR REPLACE FUNCTION orderops_stage_rank(s text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE s
    WHEN 'pending' THEN 0 WHEN 'reviewed' THEN 1 WHEN 'printed' THEN 2
    WHEN 'packed' THEN 3 WHEN 'weighed' THEN 4 WHEN 'shipped' THEN 5 WHEN 'delivered' THEN 6
    ELSE -1 END::smallint
$$;

-- When the change happened per the platform or the warehouse (`at` stays when it was recorded).
-- Null when only the bot's record time is known: read coalesce(event_at, at).
-- Filled from the transaction's orderops.event_at (the stage API) or, for platform posts, from the
-- order's own times: shipped_at for a move to shipped, paid_at for a move to paid, the platform's
-- updated_at (or creation time) otherwise.
ALTER TABLE order_history ADD COLUMN event_at timestamptz;

CREATE FUNCTION orderops_history_event_at(o orders, old_status text, old_stage text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('orderops.event_at', true), '')::timestamptz,
    CASE
      WHEN o.stage IS DISTINCT FROM old_stage AND o.stage = 'shipped' AND NOT ('shipped_at' = ANY (o.times_estimated)) THEN o.shipped_at
      WHEN o.stage IS DISTINCT FROM old_stage AND o.stage = 'delivered' THEN orderops_iso_time(o.data->>'finishedAt')
      WHEN o.status IS DISTINCT FROM old_status AND o.status = 'paid' AND NOT ('paid_at' = ANY (o.times_estimated)) THEN o.paid_at
      WHEN old_status IS NULL AND old_stage IS NULL THEN coalesce(o.platform_updated_at, o.platform_created_at)
      ELSE o.platform_updated_at
    END)
$$;

CREATE OR REPLACE FUNCTION orderops_record_order_history_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source, event_at)
  SELECT n.id, n.revision, NULL, n.status, NULL, n.stage,
         coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || n.source),
         coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook'),
         orderops_history_event_at(n, NULL, NULL)
  FROM orderops_new_orders n;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION orderops_record_order_history_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status OR NEW.stage IS DISTINCT FROM OLD.stage THEN
    INSERT INTO order_history (order_id, revision, from_status, to_status, from_stage, to_stage, actor, source, event_at)
    VALUES (NEW.id, NEW.revision, OLD.status, NEW.status, OLD.stage, NEW.stage,
            coalesce(nullif(current_setting('orderops.actor', true), ''), 'source:' || NEW.source),
            coalesce(nullif(current_setting('orderops.via', true), ''), 'webhook'),
            orderops_history_event_at(NEW, OLD.status, OLD.stage));
  END IF;
  RETURN NULL;
END
$$;

-- The exception's step where its type has steps: ship_overdue goes warning → breach.
ALTER TABLE exceptions ADD COLUMN step text;
-- Reasons as message keys with parameters ([{key, params}], `reason` keeps a text snapshot). The
-- column belongs to the reasons-as-keys work (issue 14, migration 1765100000000, which runs first
-- when both are merged); signal exceptions write it too, so it is created here if it is missing.
ALTER TABLE exceptions ADD COLUMN IF NOT EXISTS reason_refs jsonb;

-- Timers of the platform signals (Postgres is the truth; a BullMQ delayed job
-- `signal:<order>:<kind>` only triggers them, and the maintenance sweep fires any it lost).
--   kind  ship_warning, ship_breach, pickup, tracking_stalled
-- A timer fires once (fired_at); one whose condition went away (shipped, cancelled, refunded,
-- delivered) is deleted.
CREATE TABLE order_timers (
  order_id  bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  kind      text NOT NULL CHECK (kind IN ('ship_warning', 'ship_breach', 'pickup', 'tracking_stalled')),
  due_at    timestamptz NOT NULL,
  fired_at  timestamptz,
  armed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, kind)
);
CREATE INDEX order_timers_due_idx ON order_timers (due_at) WHERE fired_at IS NULL;

-- What the carrier says about the order's parcel (快递100 pushes or the generic tracking webhook).
--   subscription  none (not tracked), pending (to subscribe), subscribed, failed, closed (delivered)
--   state         the carrier's last state in our words: in_transit, picked_up, problem, delivered,
--                 refused, returned, delivering, …; last_state_code keeps the carrier's own code
CREATE TABLE shipments (
  order_id          bigint PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  carrier           text,
  tracking_no       text NOT NULL,
  provider          text NOT NULL DEFAULT 'none',
  subscription      text NOT NULL DEFAULT 'none'
                    CHECK (subscription IN ('none', 'pending', 'subscribed', 'failed', 'closed')),
  subscription_error text,
  subscribed_at     timestamptz,
  shipped_at        timestamptz,
  picked_up_at      timestamptz,
  last_event_at     timestamptz,
  state             text,
  last_state_code   text,
  last_context      text,
  delivered_at      timestamptz,
  refused_at        timestamptz,
  aborted_at        timestamptz,
  abort_message     text,
  events            jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shipments_tracking_idx ON shipments (tracking_no);

-- Down Migration
DROP TABLE IF EXISTS shipments, order_timers;
ALTER TABLE exceptions DROP COLUMN IF EXISTS step;
CREATE OR REPLACE FUNCTION orderops_record_order_history_updated() RETURNS trigger
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
CREATE OR REPLACE FUNCTION orderops_record_order_history_inserted() RETURNS trigger
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
DROP FUNCTION IF EXISTS orderops_history_event_at(orders, text, text);
ALTER TABLE order_history DROP COLUMN IF EXISTS event_at;
CREATE OR REPLACE FUNCTION orderops_stage_rank(s text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE s
    WHEN 'pending' THEN 0 WHEN 'reviewed' THEN 1 WHEN 'printed' THEN 2
    WHEN 'packed' THEN 3 WHEN 'shipped' THEN 4 WHEN 'delivered' THEN 5
    ELSE -1 END::smallint
$$;
DROP TRIGGER IF EXISTS orders_times_trg ON orders;
DROP FUNCTION IF EXISTS orderops_order_times(), orderops_iso_time(text);
DROP INDEX IF EXISTS orders_priority_idx;
DROP INDEX IF EXISTS orders_ship_by_idx;
ALTER TABLE orders DROP COLUMN IF EXISTS hold_reason, DROP COLUMN IF EXISTS refund_at, DROP COLUMN IF EXISTS refund_status,
  DROP COLUMN IF EXISTS times_estimated, DROP COLUMN IF EXISTS shipped_at, DROP COLUMN IF EXISTS ship_by_at,
  DROP COLUMN IF EXISTS paid_at;
