import type { Queryable } from './pool';

export interface ChatMessageRow {
  id: number;
  platform: string;
  channel: string;
  messageId: string | null;
  state: 'posting' | 'posted' | 'failed';
  attempts: number;
  renderedVersion: number;
}

const COLUMNS = `id, platform, channel, message_id AS "messageId", state, attempts, rendered_version AS "renderedVersion"`;

export async function findCardMessage(db: Queryable, cardKey: string, platform: string): Promise<ChatMessageRow | null> {
  const { rows } = await db.query<ChatMessageRow>(`SELECT ${COLUMNS} FROM chat_messages WHERE card_key = $1 AND platform = $2`, [cardKey, platform]);
  return rows[0] ?? null;
}

export async function cardMessages(db: Queryable, cardKey: string): Promise<ChatMessageRow[]> {
  const { rows } = await db.query<ChatMessageRow>(`SELECT ${COLUMNS} FROM chat_messages WHERE card_key = $1 ORDER BY id`, [cardKey]);
  return rows;
}

/** Record that a post is about to be attempted (committed before the call, so a crash is visible). */
export async function markPosting(db: Queryable, m: { cardKey: string; exceptionId: number | null; platform: string; channel: string }): Promise<void> {
  await db.query(
    `INSERT INTO chat_messages (card_key, exception_id, platform, channel, state, attempts)
     VALUES ($1, $2, $3, $4, 'posting', 1)
     ON CONFLICT (card_key, platform) DO UPDATE SET state = 'posting', channel = EXCLUDED.channel,
       attempts = chat_messages.attempts + 1, updated_at = now()`,
    [m.cardKey, m.exceptionId, m.platform, m.channel],
  );
}

export async function markPosted(db: Queryable, cardKey: string, platform: string, channel: string, messageId: string, version: number): Promise<void> {
  await db.query(
    `UPDATE chat_messages SET state = 'posted', channel = $3, message_id = $4, rendered_version = $5, last_error = NULL, updated_at = now()
     WHERE card_key = $1 AND platform = $2`,
    [cardKey, platform, channel, messageId, version],
  );
}

export async function markRendered(db: Queryable, id: number, version: number): Promise<void> {
  await db.query(
    `UPDATE chat_messages SET rendered_version = greatest(rendered_version, $2), last_error = NULL, updated_at = now() WHERE id = $1`,
    [id, version],
  );
}

export async function markFailed(db: Queryable, id: number, error: string, state: 'failed' | 'keep' = 'keep'): Promise<void> {
  await db.query(
    `UPDATE chat_messages SET last_error = $2, state = CASE WHEN $3 = 'failed' THEN 'failed' ELSE state END, updated_at = now() WHERE id = $1`,
    [id, error.slice(0, 500), state],
  );
}

export async function forgetMessage(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM chat_messages WHERE id = $1', [id]);
}

/**
 * Exceptions whose card on `platform` is missing, uncertain or behind the exception's version
 * (and old enough that the normal path should have handled them). `teams` null = every team.
 */
export async function staleCards(db: Queryable, platform: string, teams: string[] | null, graceSeconds: number, limit: number): Promise<{ id: number; version: number }[]> {
  const { rows } = await db.query<{ id: number; version: number }>(
    `SELECT e.id, e.version FROM exceptions e
     LEFT JOIN chat_messages m ON m.card_key = 'exception:' || e.id AND m.platform = $1
     WHERE e.updated_at < now() - make_interval(secs => $3) AND e.created_at > now() - interval '7 days'
       AND NOT e.quiet -- recorded by a history import: no card until its order is processed again
       AND ($2::text[] IS NULL OR e.team = ANY($2))
       AND e.card_mode IS DISTINCT FROM 'digest'
       AND ((m.id IS NULL AND e.status <> 'resolved') OR m.state = 'posting'
            OR (m.state = 'posted' AND m.rendered_version < e.version))
     ORDER BY e.id LIMIT $4`,
    [platform, teams, graceSeconds, limit],
  );
  return rows;
}

/** Backlog alerts whose card on `platform` is missing (while open), uncertain or behind. */
export async function staleBacklogCards(db: Queryable, platform: string, graceSeconds: number, limit: number): Promise<{ id: number; version: number }[]> {
  const { rows } = await db.query<{ id: number; version: number }>(
    `SELECT a.id, a.version FROM backlog_alerts a
     LEFT JOIN chat_messages m ON m.card_key = 'backlog:' || a.id AND m.platform = $1
     WHERE a.checked_at < now() - make_interval(secs => $2) AND a.opened_at > now() - interval '7 days'
       AND ((m.id IS NULL AND a.status = 'open') OR m.state = 'posting' OR (m.state = 'posted' AND m.rendered_version < a.version))
     ORDER BY a.id LIMIT $3`,
    [platform, graceSeconds, limit],
  );
  return rows;
}
