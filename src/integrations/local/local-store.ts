import type { Card, Notice } from '../../domain/ports';
import type { Queryable } from '../../db/pool';

/** The Postgres channel every copy of the bot LISTENs on for local-channel changes. */
export const LOCAL_NOTIFY_CHANNEL = 'orderops_local';

/** What a notification carries: ids only (NOTIFY payloads are small); readers fetch the row. */
export type LocalNotification = { t: 'card'; id: number } | { t: 'msg'; id: number; staff: string };

/** A mention on a card (an SLA reminder), shown under the card's status line. */
export interface LocalCardNote {
  at: string;
  people: { id: string; name: string }[];
  notice: Notice;
}

export interface LocalCardRow {
  id: number;
  channel: string;
  cardKey: string;
  card: Card;
  notes: LocalCardNote[];
  rev: number;
  updatedAt: Date;
}

export type LocalMessageKind = 'private' | 'direct' | 'mention';

export interface LocalMessageRow {
  id: number;
  staffId: string;
  kind: LocalMessageKind;
  channel: string | null;
  notice: Notice;
  createdAt: Date;
}

const CARD_COLUMNS = `id, channel, card_key AS "cardKey", card, notes, rev, updated_at AS "updatedAt"`;
/** Notes kept per card: the newest few are what a person needs. */
const MAX_NOTES = 20;
const MESSAGE_COLUMNS = `id, staff_id AS "staffId", kind, channel, notice, created_at AS "createdAt"`;

/**
 * Store a card in a channel and announce it, in one statement (the notification goes out on commit).
 * Posting the same card key to the same channel again replaces it: a retried post never duplicates.
 */
export async function upsertCard(db: Queryable, channel: string, card: Card): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `WITH up AS (
       INSERT INTO local_cards (channel, card_key, exception_id, card) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, card_key) DO UPDATE SET card = EXCLUDED.card, rev = local_cards.rev + 1, updated_at = now()
       RETURNING id
     )
     SELECT id, pg_notify($5, json_build_object('t', 'card', 'id', id)::text) FROM up`,
    [channel, card.key, card.kind === 'exception' ? card.exceptionId : null, JSON.stringify(card), LOCAL_NOTIFY_CHANNEL],
  );
  return rows[0]!.id;
}

/**
 * Replace a posted card unless it already shows a newer version. 'gone' when no such message
 * exists (someone cleared the table), so the sync posts a fresh one.
 */
export async function replaceCard(db: Queryable, id: number, card: Card): Promise<'updated' | 'newer' | 'gone'> {
  const { rows } = await db.query<{ updated: number; notified: number; present: boolean }>(
    `WITH up AS (
       UPDATE local_cards SET card = $2, rev = rev + 1, updated_at = now()
       WHERE id = $1 AND coalesce((card->>'version')::int, 0) <= $3
       RETURNING id
     ), n AS (SELECT pg_notify($4, json_build_object('t', 'card', 'id', id)::text) FROM up)
     SELECT (SELECT count(*) FROM up)::int AS updated, (SELECT count(*) FROM n)::int AS notified,
            EXISTS (SELECT 1 FROM local_cards WHERE id = $1) AS present`,
    [id, JSON.stringify(card), card.version, LOCAL_NOTIFY_CHANNEL],
  );
  const r = rows[0]!;
  if (!r.present) return 'gone';
  return r.updated > 0 ? 'updated' : 'newer';
}

/** Add a note to a posted card and announce the change; false when the card is gone. */
export async function addCardNote(db: Queryable, id: number, note: LocalCardNote): Promise<boolean> {
  const { rows } = await db.query<{ id: number }>(
    `WITH up AS (
       UPDATE local_cards SET rev = rev + 1, updated_at = now(),
         notes = (SELECT coalesce(jsonb_agg(n ORDER BY i), '[]'::jsonb)
                  FROM jsonb_array_elements(notes || jsonb_build_array($2::jsonb)) WITH ORDINALITY AS x(n, i)
                  WHERE i > jsonb_array_length(notes) + 1 - $3)
       WHERE id = $1 RETURNING id
     )
     SELECT id, pg_notify($4, json_build_object('t', 'card', 'id', id)::text) FROM up`,
    [id, JSON.stringify(note), MAX_NOTES, LOCAL_NOTIFY_CHANNEL],
  );
  return rows.length > 0;
}

export async function findCardByKey(db: Queryable, channel: string, cardKey: string): Promise<LocalCardRow | null> {
  const { rows } = await db.query<LocalCardRow>(`SELECT ${CARD_COLUMNS} FROM local_cards WHERE channel = $1 AND card_key = $2`, [channel, cardKey]);
  return rows[0] ?? null;
}

export async function cardById(db: Queryable, id: number): Promise<LocalCardRow | null> {
  const { rows } = await db.query<LocalCardRow>(`SELECT ${CARD_COLUMNS} FROM local_cards WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The newest cards (of one channel, or all), most recently changed first. */
export async function recentCards(db: Queryable, opts: { channel?: string; limit: number }): Promise<LocalCardRow[]> {
  const { rows } = await db.query<LocalCardRow>(
    `SELECT ${CARD_COLUMNS} FROM local_cards WHERE ($1::text IS NULL OR channel = $1) ORDER BY updated_at DESC, id DESC LIMIT $2`,
    [opts.channel ?? null, opts.limit],
  );
  return rows;
}

export async function channelCounts(db: Queryable): Promise<{ channel: string; open: number; total: number }[]> {
  const { rows } = await db.query<{ channel: string; open: number; total: number }>(
    `SELECT channel, count(*) FILTER (WHERE card->>'status' IN ('open', 'claimed', 'escalated', 'pending'))::int AS open, count(*)::int AS total
     FROM local_cards GROUP BY channel ORDER BY channel`,
  );
  return rows;
}

/** Keep a message for one person and announce it. */
export async function insertMessage(db: Queryable, m: { staffId: string; kind: LocalMessageKind; channel: string | null; notice: Notice }): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `WITH ins AS (
       INSERT INTO local_messages (staff_id, kind, channel, notice) VALUES ($1, $2, $3, $4) RETURNING id, staff_id
     )
     SELECT id, pg_notify($5, json_build_object('t', 'msg', 'id', id, 'staff', staff_id)::text) FROM ins`,
    [m.staffId, m.kind, m.channel, JSON.stringify(m.notice), LOCAL_NOTIFY_CHANNEL],
  );
  return rows[0]!.id;
}

export async function messageById(db: Queryable, id: number): Promise<LocalMessageRow | null> {
  const { rows } = await db.query<LocalMessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM local_messages WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function recentMessages(db: Queryable, staffId: string, limit: number): Promise<LocalMessageRow[]> {
  const { rows } = await db.query<LocalMessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM local_messages WHERE staff_id = $1 ORDER BY id DESC LIMIT $2`,
    [staffId, limit],
  );
  return rows;
}
