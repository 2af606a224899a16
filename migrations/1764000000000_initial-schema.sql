-- Up Migration

-- Status and stage ranks decide whether a later post is newer (paid → cancelled) or stale.
CREATE FUNCTION orderops_status_rank(s text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE s
    WHEN 'created' THEN 0 WHEN 'pending_payment' THEN 0
    WHEN 'payment_failed' THEN 1 WHEN 'partially_paid' THEN 2
    WHEN 'paid' THEN 3 WHEN 'completed' THEN 4
    WHEN 'cancelled' THEN 5 WHEN 'refunded' THEN 5 WHEN 'closed' THEN 5
    ELSE 0 END::smallint
$$;

CREATE FUNCTION orderops_stage_rank(s text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE s
    WHEN 'pending' THEN 0 WHEN 'reviewed' THEN 1 WHEN 'printed' THEN 2
    WHEN 'packed' THEN 3 WHEN 'shipped' THEN 4 WHEN 'delivered' THEN 5
    ELSE -1 END::smallint
$$;

CREATE TABLE orders (
  id                  bigserial PRIMARY KEY,
  source              text NOT NULL,
  external_id         text NOT NULL,
  channel             text NOT NULL,
  shop                text,
  status              text NOT NULL,
  stage               text NOT NULL DEFAULT 'pending',
  platform_created_at timestamptz NOT NULL,
  platform_updated_at timestamptz,
  total               numeric(14, 2) NOT NULL,
  paid                numeric(14, 2),
  currency            text NOT NULL DEFAULT 'CNY',
  buyer_phone         text,
  data                jsonb NOT NULL,
  raw                 jsonb NOT NULL,
  content_hash        text NOT NULL,
  revision            integer NOT NULL DEFAULT 1,
  processed_revision  integer NOT NULL DEFAULT 0,
  tags                text[] NOT NULL DEFAULT ARRAY[]::text[],
  priority            smallint NOT NULL DEFAULT 0,
  review_status       text NOT NULL DEFAULT 'pending'
                      CHECK (review_status IN ('pending', 'auto_approved', 'held', 'approved')),
  received_at         timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  stage_changed_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_source_external_id_key UNIQUE (source, external_id)
);
CREATE INDEX orders_unprocessed_idx ON orders (id) WHERE processed_revision < revision;
CREATE INDEX orders_stage_idx ON orders (stage, stage_changed_at);
CREATE INDEX orders_phone_last4_idx ON orders (right(buyer_phone, 4)) WHERE buyer_phone IS NOT NULL;
CREATE INDEX orders_external_id_idx ON orders (external_id);

-- Every status or stage transition, with who made it. Written by a trigger so that no write path
-- (batched intake, a chat action, a migration script) can forget it.
CREATE TABLE order_history (
  id          bigserial PRIMARY KEY,
  order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  revision    integer NOT NULL,
  from_status text,
  to_status   text NOT NULL,
  from_stage  text,
  to_stage    text NOT NULL,
  actor       text NOT NULL,
  source      text NOT NULL
);
CREATE INDEX order_history_order_idx ON order_history (order_id, id);

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

CREATE TABLE staff (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('agent', 'supervisor', 'manager', 'admin')),
  team           text,
  slack_user_id  text,
  feishu_open_id text,
  email          text,
  phone          text,
  active         boolean NOT NULL DEFAULT true,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_slack_idx ON staff (slack_user_id) WHERE slack_user_id IS NOT NULL AND active;
CREATE UNIQUE INDEX staff_feishu_idx ON staff (feishu_open_id) WHERE feishu_open_id IS NOT NULL AND active;

CREATE TABLE exceptions (
  id               bigserial PRIMARY KEY,
  order_id         bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  type             text NOT NULL,
  rule             text NOT NULL,
  reason           text NOT NULL,
  team             text NOT NULL,
  severity         text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved', 'escalated')),
  assignee         text,
  claimed_at       timestamptz,
  resolved_at      timestamptz,
  resolution       text,
  claim_due_at     timestamptz NOT NULL,
  resolve_due_at   timestamptz NOT NULL,
  escalation_level smallint NOT NULL DEFAULT 0,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT exceptions_order_type_key UNIQUE (order_id, type)
);
CREATE INDEX exceptions_status_idx ON exceptions (status, created_at DESC);
CREATE INDEX exceptions_open_claim_due_idx ON exceptions (claim_due_at) WHERE status = 'open';
CREATE INDEX exceptions_unresolved_due_idx ON exceptions (resolve_due_at) WHERE status <> 'resolved';

-- The audit trail: every state change of an exception or order made by a person or the system.
CREATE TABLE audit_log (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,
  source    text NOT NULL,
  entity    text NOT NULL,
  entity_id bigint NOT NULL,
  action    text NOT NULL,
  before    jsonb,
  after     jsonb,
  details   jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);

-- Requests that were signed (so worth keeping) but could not be taken: kept with the reason.
CREATE TABLE rejected_payloads (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  source      text NOT NULL,
  http_status smallint NOT NULL,
  reason      text NOT NULL,
  errors      jsonb,
  body        text NOT NULL,
  headers     jsonb,
  remote_addr text
);
CREATE INDEX rejected_payloads_received_idx ON rejected_payloads (received_at DESC);

-- The master record per SKU (inventory issues extend it). Stock known here enables stock-out checks.
CREATE TABLE skus (
  sku                 text PRIMARY KEY,
  name                text,
  stock               integer NOT NULL CHECK (stock >= 0),
  price               numeric(14, 2),
  owner               text,
  low_stock_threshold integer NOT NULL DEFAULT 10,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS skus, rejected_payloads, audit_log, exceptions, staff, order_history, orders CASCADE;
DROP FUNCTION IF EXISTS orderops_record_order_history(), orderops_status_rank(text), orderops_stage_rank(text);
