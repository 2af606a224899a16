-- Up Migration

-- An address fixed by a person wins over what the platform sent (a later push must not undo it).
ALTER TABLE orders ADD COLUMN address_override jsonb;

-- Every card posted to a chat platform, so a card is never posted twice and every copy can be
-- updated in place. card_key names what the card shows: exception:<id>, backlog:<stage>, …
CREATE TABLE chat_messages (
  id               bigserial PRIMARY KEY,
  card_key         text NOT NULL,
  exception_id     bigint REFERENCES exceptions (id) ON DELETE CASCADE,
  platform         text NOT NULL,
  channel          text NOT NULL,
  message_id       text,
  -- posting: a post was attempted and its outcome is not known yet (look before posting again)
  state            text NOT NULL DEFAULT 'posting' CHECK (state IN ('posting', 'posted', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  rendered_version integer NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_messages_card_platform_key UNIQUE (card_key, platform)
);
CREATE INDEX chat_messages_exception_idx ON chat_messages (exception_id);
CREATE INDEX chat_messages_message_idx ON chat_messages (platform, message_id);

-- Inbound deliveries already handled (Slack event_id / retries, Feishu event_id, click ids):
-- a redelivery causes no second side effect.
CREATE TABLE chat_deliveries (
  platform    text NOT NULL,
  delivery_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, delivery_id)
);
CREATE INDEX chat_deliveries_received_idx ON chat_deliveries (received_at);

-- Every notification sent or attempted (DMs, mentions, email, SMS): the idempotency key makes each
-- one happen once; 'unrouted' records one that had nowhere to go (no manager, no phone).
CREATE TABLE notifications (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  exception_id    bigint REFERENCES exceptions (id) ON DELETE CASCADE,
  kind            text NOT NULL,
  channel         text NOT NULL,
  recipient       text,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'unrouted', 'skipped')),
  detail          text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notifications_exception_idx ON notifications (exception_id);

-- Down Migration
DROP TABLE IF EXISTS notifications, chat_deliveries, chat_messages;
ALTER TABLE orders DROP COLUMN IF EXISTS address_override;
