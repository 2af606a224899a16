import { handoffCardKey, type HandoffCard, type HandoffRow, type HandoffSnapshot } from '../domain/cards/handoff-card';
import type { Queryable } from './pool';

/** The team's exceptions a handoff looks at: unresolved ones, and those resolved since `since` (breaches). */
export async function handoffRows(db: Queryable, team: string, since: Date): Promise<HandoffRow[]> {
  const { rows } = await db.query<HandoffRow>(
    `SELECT e.id AS "exceptionId", o.external_id AS "externalId", e.type, e.severity, e.status, e.assignee, s.name AS "assigneeName",
            e.created_at AS "openedAt", e.claim_due_at AS "claimDueAt", e.resolve_due_at AS "resolveDueAt",
            e.claimed_at AS "claimedAt", e.resolved_at AS "resolvedAt"
     FROM exceptions e JOIN orders o ON o.id = e.order_id LEFT JOIN staff s ON s.id = e.assignee
     WHERE e.team = $1 AND NOT e.quiet AND (e.status <> 'resolved' OR e.resolved_at >= $2)
     ORDER BY e.created_at LIMIT 2000`,
    [team, since],
  );
  return rows;
}

/** Stages of the team with an open backlog alert. */
export async function teamBacklog(db: Queryable, team: string): Promise<HandoffSnapshot['backlog']> {
  const { rows } = await db.query<{ stage: string; count: number; oldestAt: Date | null }>(
    `SELECT stage, sum(idle_count)::int AS count, min(oldest_at) AS "oldestAt" FROM backlog_alerts
     WHERE team = $1 AND status = 'open' GROUP BY stage ORDER BY stage`,
    [team],
  );
  return rows.map((r) => ({ stage: r.stage, count: r.count, oldestAt: r.oldestAt?.toISOString() ?? null }));
}

/** The start of the team's latest handoff before `before` (within a week), else null. */
export async function previousHandoff(db: Queryable, team: string, before: Date): Promise<Date | null> {
  const { rows } = await db.query<{ shift_start: Date }>(
    `SELECT shift_start FROM shift_handoffs WHERE team = $1 AND shift_start < $2 AND shift_start > $2::timestamptz - interval '7 days'
     ORDER BY shift_start DESC LIMIT 1`,
    [team, before],
  );
  return rows[0]?.shift_start ?? null;
}

/** Record a handoff once per team and shift start; null when it already exists. */
export async function insertHandoff(db: Queryable, h: { team: string; shiftStart: Date; shiftEnd: Date; since: Date; snapshot: HandoffSnapshot }): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO shift_handoffs (team, shift_start, shift_end, since, snapshot) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (team, shift_start) DO NOTHING RETURNING id`,
    [h.team, h.shiftStart, h.shiftEnd, h.since, JSON.stringify(h.snapshot)],
  );
  return rows[0]?.id ?? null;
}

interface HandoffDbRow {
  id: number; team: string; shift_start: Date; shift_end: Date; since: Date; snapshot: HandoffSnapshot; version: number;
  offered_at: Date | null; offered_by: string | null; offered_name: string | null;
}

export async function lockHandoff(db: Queryable, id: number): Promise<HandoffDbRow | null> {
  const { rows } = await db.query<HandoffDbRow>(
    `SELECT h.*, s.name AS offered_name FROM shift_handoffs h LEFT JOIN staff s ON s.id = h.offered_by WHERE h.id = $1 FOR UPDATE OF h`, [id],
  );
  return rows[0] ?? null;
}

export async function markOffered(db: Queryable, id: number, by: string, at: Date, count: number): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `UPDATE shift_handoffs SET offered_at = $3, offered_by = $2, version = version + 1,
       snapshot = jsonb_set(snapshot, '{offeredCount}', to_jsonb($4::int)) WHERE id = $1 RETURNING version`,
    [id, by, at, count],
  );
  return rows[0]!.version;
}

/** The handoff's card; `zoneOf` gives the team's time zone and `teamName` its display name. */
export async function loadHandoffCard(db: Queryable, id: number, view: { zoneOf(team: string): string; teamName(team: string): string }): Promise<{ card: HandoffCard; team: string } | null> {
  const { rows } = await db.query<HandoffDbRow>(
    'SELECT h.*, s.name AS offered_name FROM shift_handoffs h LEFT JOIN staff s ON s.id = h.offered_by WHERE h.id = $1', [id],
  );
  const h = rows[0];
  if (!h) return null;
  const snap = h.snapshot as HandoffSnapshot & { offeredCount?: number };
  return {
    team: h.team,
    card: {
      ...snap, kind: 'handoff', key: handoffCardKey(h.id), alertId: h.id, version: h.version, team: view.teamName(h.team),
      status: h.offered_at ? 'offered' : 'open', shiftStart: h.shift_start.toISOString(), shiftEnd: h.shift_end.toISOString(),
      since: h.since.toISOString(), zone: view.zoneOf(h.team),
      offered: h.offered_at ? { at: h.offered_at.toISOString(), by: h.offered_name ?? h.offered_by ?? '', count: snap.offeredCount ?? 0 } : null,
    },
  };
}

/** Handoffs of the last hour whose card was never posted anywhere (Redis lost the job). */
export async function unpostedHandoffs(db: Queryable): Promise<{ id: number; version: number }[]> {
  const { rows } = await db.query<{ id: number; version: number }>(
    `SELECT h.id, h.version FROM shift_handoffs h
     WHERE h.created_at > now() - interval '1 hour' AND h.created_at < now() - interval '20 seconds'
       AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.card_key = 'handoff:' || h.id)`,
  );
  return rows;
}
