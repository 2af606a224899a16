-- Up Migration

-- The built-in local chat channel (a web page served by the bot): every card it shows, as the
-- platform-neutral card model, so the page renders it with the same texts as Slack and Feishu.
-- The row id is the channel's message id; rev grows on every change so pages keep the newest.
CREATE TABLE local_cards (
  id           bigserial PRIMARY KEY,
  channel      text NOT NULL,
  card_key     text NOT NULL,
  exception_id bigint,
  card         jsonb NOT NULL,
  -- Mentions on the card (SLA reminders): [{at, people: [{id, name}], notice: {key, vars}}], newest last.
  notes        jsonb NOT NULL DEFAULT '[]',
  rev          integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT local_cards_channel_key UNIQUE (channel, card_key)
);
CREATE INDEX local_cards_updated_idx ON local_cards (updated_at DESC, id DESC);

-- What the local channel shows one person only: private replies (Slack's ephemeral messages),
-- direct messages (escalations) and mentions on a card, as an i18n key and its untrusted variables.
CREATE TABLE local_messages (
  id         bigserial PRIMARY KEY,
  staff_id   text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('private', 'direct', 'mention')),
  channel    text,
  notice     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_messages_staff_idx ON local_messages (staff_id, id DESC);

-- Down Migration
DROP TABLE IF EXISTS local_messages, local_cards;
