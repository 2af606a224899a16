-- Up Migration

-- Storm digests: when a team's exceptions arrive faster than a channel can show them as single
-- cards, the rest join one digest card per team and type (counted, newest listed, updated in
-- place). One open digest per team and type; it closes after a quiet spell.
CREATE TABLE exception_digests (
  id             bigserial PRIMARY KEY,
  team           text NOT NULL,
  type           text NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared')),
  members        integer NOT NULL DEFAULT 0,
  version        integer NOT NULL DEFAULT 1,
  opened_at      timestamptz NOT NULL DEFAULT now(),
  last_joined_at timestamptz NOT NULL DEFAULT now(),
  cleared_at     timestamptz
);
CREATE UNIQUE INDEX exception_digests_one_open_idx ON exception_digests (team, type) WHERE status = 'open';

-- How an exception is shown: its own card, or a line in a digest (until released to a card of its own).
-- Decided once, at its first card sync, under a per-team lock.
ALTER TABLE exceptions
  ADD COLUMN card_mode text CHECK (card_mode IN ('card', 'digest')),
  ADD COLUMN card_decided_at timestamptz,
  ADD COLUMN digest_id bigint REFERENCES exception_digests (id),
  ADD COLUMN digest_seq integer;
UPDATE exceptions SET card_mode = 'card', card_decided_at = created_at;
CREATE INDEX exceptions_team_cards_idx ON exceptions (team, card_decided_at) WHERE card_mode = 'card';
CREATE INDEX exceptions_digest_idx ON exceptions (digest_id, digest_seq) WHERE digest_id IS NOT NULL;

-- Down Migration
DROP INDEX IF EXISTS exceptions_digest_idx;
DROP INDEX IF EXISTS exceptions_team_cards_idx;
ALTER TABLE exceptions DROP COLUMN IF EXISTS digest_seq, DROP COLUMN IF EXISTS digest_id,
  DROP COLUMN IF EXISTS card_decided_at, DROP COLUMN IF EXISTS card_mode;
DROP TABLE IF EXISTS exception_digests;
