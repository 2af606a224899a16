import type pg from 'pg';
import {
  decideCardMode,
  DIGEST_REASON_CHARS,
  digestCardKey,
  digestIsQuiet,
  releaseBudget,
  type CardMode,
  type DigestCard,
  type DigestLine,
  type StormPolicy,
} from '../domain/cards/digest-card';
import { truncate } from '../domain/privacy/mask';
import { clipMessage, type MessageRef } from '../domain/message';
import { reasonsSql } from './reasons-sql';
import { insertAudit } from './audit';
import { withTransaction, type Queryable } from './pool';

/**
 * The version a digest's card must show (for `d`, a row of exception_digests): its own version plus
 * every change of its members, so any member's claim or resolve re-renders it.
 */
const DIGEST_CARD_VERSION = `(d.version + coalesce((SELECT sum(e.version - 1) FROM exceptions e WHERE e.digest_id = d.id), 0))`;

export interface CardModeDecision {
  mode: CardMode;
  /** The digest the exception is shown in (while mode is digest). */
  digestId: number | null;
  team: string;
}

/** Single cards decided for a team since `since` (its share of the channel in the current window). */
async function cardsSince(db: Queryable, team: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM exceptions WHERE team = $1 AND card_mode = 'card' AND card_decided_at > $2`,
    [team, since],
  );
  return rows[0]?.n ?? 0;
}

const lockTeam = (db: Queryable, team: string) => db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [`storm:${team}`]);

/**
 * Decide once how an exception is shown: a card of its own, or a line in its team's open digest of
 * its type (opened here when there is none). Serialised per team, so two workers never both take
 * the last single-card slot of a window.
 */
export async function decideExceptionCardMode(pool: pg.Pool, exceptionId: number, policy: StormPolicy, now: Date): Promise<CardModeDecision | null> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ team: string; type: string; status: string; card_mode: CardMode | null; digest_id: number | null }>(
      'SELECT team, type, status, card_mode, digest_id FROM exceptions WHERE id = $1',
      [exceptionId],
    );
    const e = rows[0];
    if (!e) return null;
    if (e.card_mode) return { mode: e.card_mode, digestId: e.card_mode === 'digest' ? e.digest_id : null, team: e.team };
    if (e.status === 'resolved') {
      // Over before anyone saw it: it is never announced, so it takes no slot.
      await tx.query(`UPDATE exceptions SET card_mode = 'card' WHERE id = $1 AND card_mode IS NULL`, [exceptionId]);
      return { mode: 'card' as const, digestId: null, team: e.team };
    }
    await lockTeam(tx, e.team);
    // Another worker may have decided while this one waited for the lock.
    const again = await tx.query<{ card_mode: CardMode | null; digest_id: number | null }>('SELECT card_mode, digest_id FROM exceptions WHERE id = $1', [exceptionId]);
    const decided = again.rows[0]?.card_mode;
    if (decided) return { mode: decided, digestId: decided === 'digest' ? again.rows[0]!.digest_id : null, team: e.team };

    const used = await cardsSince(tx, e.team, new Date(now.getTime() - policy.windowSeconds * 1000));
    const mode = decideCardMode(policy, used);
    if (mode === 'card') {
      await tx.query(`UPDATE exceptions SET card_mode = 'card', card_decided_at = $2 WHERE id = $1`, [exceptionId, now]);
      return { mode, digestId: null, team: e.team };
    }
    const digest = await tx.query<{ id: number; members: number }>(
      `INSERT INTO exception_digests AS d (team, type, members, opened_at, last_joined_at) VALUES ($1, $2, 1, $3, $3)
       ON CONFLICT (team, type) WHERE status = 'open'
       DO UPDATE SET members = d.members + 1, version = d.version + 1, last_joined_at = greatest(d.last_joined_at, EXCLUDED.last_joined_at)
       RETURNING id, members`,
      [e.team, e.type, now],
    );
    const d = digest.rows[0]!;
    await tx.query(`UPDATE exceptions SET card_mode = 'digest', card_decided_at = $2, digest_id = $3, digest_seq = $4 WHERE id = $1`, [
      exceptionId, now, d.id, d.members,
    ]);
    await insertAudit(tx, {
      actor: 'system', source: 'cards', entity: 'exception', entityId: exceptionId, action: 'exception.digested',
      details: { digest: d.id, seq: d.members, cardsInWindow: used, maxCards: policy.maxCards, windowSeconds: policy.windowSeconds },
    });
    return { mode, digestId: d.id, team: e.team };
  }, { actor: 'system', via: 'cards' });
}

interface DigestRow {
  id: number; team: string; type: string; status: 'open' | 'cleared'; members: number; version: number;
  opened_at: Date; last_joined_at: Date; cleared_at: Date | null;
  card_version: number; unresolved: number; unclaimed: number; released: number;
}

/** The digest as its card shows it, with the team whose channels show it. */
export async function loadDigestCard(db: Queryable, digestId: number, policy: Pick<StormPolicy, 'list' | 'releaseAfter'>): Promise<{ card: DigestCard; team: string } | null> {
  const { rows } = await db.query<DigestRow>(
    `SELECT d.*,
       ${DIGEST_CARD_VERSION}::int AS card_version,
       count(*) FILTER (WHERE e.status <> 'resolved')::int AS unresolved,
       count(*) FILTER (WHERE e.status = 'open')::int AS unclaimed,
       count(*) FILTER (WHERE e.card_mode = 'card')::int AS released
     FROM exception_digests d LEFT JOIN exceptions e ON e.digest_id = d.id
     WHERE d.id = $1 GROUP BY d.id`,
    [digestId],
  );
  const d = rows[0];
  if (!d) return null;
  const lines = await db.query<{ id: number; source: string; external_id: string; shop: string | null; severity: DigestLine['severity']; status: DigestLine['status']; reasons: MessageRef[]; created_at: Date }>(
    `SELECT e.id, o.source, o.external_id, o.shop, e.severity, e.status, ${reasonsSql('e')} AS reasons, e.created_at
     FROM exceptions e JOIN orders o ON o.id = e.order_id
     WHERE e.digest_id = $1 ORDER BY e.digest_seq DESC LIMIT $2`,
    [digestId, policy.list],
  );
  return {
    team: d.team,
    card: {
      kind: 'digest', key: digestCardKey(d.id), alertId: d.id, version: d.card_version, team: d.team, type: d.type,
      status: d.status, members: d.members, unresolved: d.unresolved, unclaimed: d.unclaimed, released: d.released,
      newest: lines.rows.map((l) => ({
        exceptionId: l.id, source: l.source, externalId: truncate(l.external_id, 64), shop: truncate(l.shop ?? '', 40),
        severity: l.severity, status: l.status, reasons: l.reasons.slice(0, 5).map((r) => clipMessage(r, DIGEST_REASON_CHARS)), at: l.created_at.toISOString(),
      })),
      openedAt: d.opened_at.toISOString(), lastJoinedAt: d.last_joined_at.toISOString(), clearedAt: d.cleared_at?.toISOString() ?? null,
      releaseAfter: policy.releaseAfter,
    },
  };
}

/** The digest an exception is shown in, while it has no card of its own. */
export async function digestOf(db: Queryable, exceptionId: number): Promise<number | null> {
  const { rows } = await db.query<{ digest_id: number | null }>(`SELECT digest_id FROM exceptions WHERE id = $1 AND card_mode = 'digest'`, [exceptionId]);
  return rows[0]?.digest_id ?? null;
}

/** The digest's card version now (what a render must reach). */
export async function digestVersion(db: Queryable, digestId: number): Promise<number | null> {
  const { rows } = await db.query<{ v: number }>(
    `SELECT ${DIGEST_CARD_VERSION}::int AS v FROM exception_digests d WHERE d.id = $1`,
    [digestId],
  );
  return rows[0]?.v ?? null;
}

/** Clear the digests nothing joined for `quietSeconds`: the storm is over. Returns the cleared ids. */
export async function clearQuietDigests(pool: pg.Pool, policy: StormPolicy, now: Date): Promise<number[]> {
  const { rows } = await pool.query<{ id: number; last_joined_at: Date }>(`SELECT id, last_joined_at FROM exception_digests WHERE status = 'open'`);
  const quiet = rows.filter((r) => digestIsQuiet(policy, r.last_joined_at, now)).map((r) => r.id);
  if (quiet.length === 0) return [];
  const cleared = await pool.query<{ id: number }>(
    `UPDATE exception_digests SET status = 'cleared', cleared_at = $2, version = version + 1
     WHERE id = ANY($1) AND status = 'open' AND last_joined_at <= $3 RETURNING id`,
    [quiet, now, new Date(now.getTime() - policy.quietSeconds * 1000)],
  );
  return cleared.rows.map((r) => r.id);
}

/**
 * After a storm, give members of cleared digests that are still open a card of their own, oldest
 * first, never more per team than the window's unused single-card slots. Returns the released
 * exceptions (their cards are due) and the digests whose counts changed.
 */
export async function releaseDigestMembers(pool: pg.Pool, policy: StormPolicy, now: Date): Promise<{ exceptions: { id: number; version: number }[]; digests: number[] }> {
  if (!policy.enabled || !policy.releaseAfter) return { exceptions: [], digests: [] };
  const { rows: teams } = await pool.query<{ team: string }>(
    `SELECT DISTINCT e.team FROM exceptions e JOIN exception_digests d ON d.id = e.digest_id
     WHERE e.card_mode = 'digest' AND d.status = 'cleared' AND e.status <> 'resolved'`,
  );
  const out = { exceptions: [] as { id: number; version: number }[], digests: new Set<number>() };
  for (const { team } of teams) {
    await withTransaction(pool, async (tx) => {
      await lockTeam(tx, team);
      const budget = releaseBudget(policy, await cardsSince(tx, team, new Date(now.getTime() - policy.windowSeconds * 1000)));
      if (budget === 0) return;
      const { rows } = await tx.query<{ id: number; version: number; digest_id: number }>(
        `UPDATE exceptions SET card_mode = 'card', card_decided_at = $3
         WHERE id IN (
           SELECT e.id FROM exceptions e JOIN exception_digests d ON d.id = e.digest_id
           WHERE e.team = $1 AND e.card_mode = 'digest' AND d.status = 'cleared' AND e.status <> 'resolved'
           ORDER BY CASE e.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, e.created_at, e.id
           LIMIT $2 FOR UPDATE OF e SKIP LOCKED)
         RETURNING id, version, digest_id`,
        [team, budget, now],
      );
      for (const r of rows) {
        out.exceptions.push({ id: r.id, version: r.version });
        out.digests.add(r.digest_id);
      }
    }, { actor: 'system', via: 'cards' });
  }
  // The digests' "released" counts changed: bump them so their cards re-render.
  if (out.digests.size > 0) await pool.query('UPDATE exception_digests SET version = version + 1 WHERE id = ANY($1)', [[...out.digests]]);
  return { exceptions: out.exceptions, digests: [...out.digests] };
}

/** Digests whose card on `platform` is missing, uncertain or behind. */
export async function staleDigestCards(db: Queryable, platform: string, graceSeconds: number, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT d.id FROM exception_digests d
     LEFT JOIN chat_messages m ON m.card_key = 'digest:' || d.id AND m.platform = $1
     WHERE d.last_joined_at < now() - make_interval(secs => $2) AND d.opened_at > now() - interval '7 days'
       AND (m.id IS NULL OR m.state = 'posting'
            OR (m.state = 'posted' AND m.rendered_version < ${DIGEST_CARD_VERSION}))
     ORDER BY d.id LIMIT $3`,
    [platform, graceSeconds, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Someone looked an order up by its id: its exceptions that are lines of a digest get cards of their
 * own now (a person asked for them, so the storm's budget does not apply). Returns the exceptions
 * whose cards are due.
 */
export async function releaseOrderLines(pool: pg.Pool, orderId: number, now: Date): Promise<{ id: number; version: number }[]> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: number; version: number; digest_id: number }>(
      `UPDATE exceptions SET card_mode = 'card', card_decided_at = $2
       WHERE order_id = $1 AND card_mode = 'digest' AND status <> 'resolved' AND NOT quiet
       RETURNING id, version, digest_id`,
      [orderId, now],
    );
    if (rows.length === 0) return [];
    await tx.query('UPDATE exception_digests SET version = version + 1 WHERE id = ANY($1)', [[...new Set(rows.map((r) => r.digest_id))]]);
    for (const r of rows) {
      await insertAudit(tx, { actor: 'system', source: 'lookup', entity: 'exception', entityId: r.id, action: 'exception.released', details: { digest: r.digest_id } });
    }
    return rows.map((r) => ({ id: r.id, version: r.version }));
  }, { actor: 'system', via: 'lookup' });
}
