import type pg from 'pg';
import type { WorkCalendar } from '../domain/calendar';
import type { Clock } from '../domain/ports';
import { dueTimes, type SlaClock } from '../domain/sla/due';
import { insertAudit } from '../db/audit';
import { withTransaction } from '../db/pool';

export interface RecomputeDeps {
  pool: pg.Pool;
  clock: Clock;
  calendar: WorkCalendar;
}

/**
 * Bring the due times of unresolved business-clock exceptions in line with the calendar as it is
 * now configured (a holiday entered for next year, hours changed): each is recomputed from the
 * start and minutes it was computed from; only rows that move change (version + 1, audited), and
 * they are returned so their cards and SLA timers follow. Run at start; idempotent.
 */
export async function recomputeDueTimes(deps: RecomputeDeps, limit = 10_000): Promise<{ id: number; version: number }[]> {
  const { rows } = await deps.pool.query<{ id: number; team: string; sla_clock: SlaClock; sla_started_at: Date; claim_minutes: string; resolve_minutes: string; claim_due_at: Date; resolve_due_at: Date }>(
    `SELECT id, team, sla_clock, sla_started_at, claim_minutes, resolve_minutes, claim_due_at, resolve_due_at FROM exceptions
     WHERE sla_clock = 'business' AND status <> 'resolved' AND sla_started_at IS NOT NULL AND NOT quiet ORDER BY id LIMIT $1`,
    [limit],
  );
  const changed: { id: number; version: number }[] = [];
  for (const r of rows) {
    const due = dueTimes({ clock: r.sla_clock, team: r.team, start: r.sla_started_at, claimMinutes: Number(r.claim_minutes), resolveMinutes: Number(r.resolve_minutes) }, deps.calendar);
    if (due.claimDueAt.getTime() === r.claim_due_at.getTime() && due.resolveDueAt.getTime() === r.resolve_due_at.getTime()) continue;
    const now = deps.clock.now();
    const done = await withTransaction(deps.pool, async (tx) => {
      const { rows: up } = await tx.query<{ version: number }>(
        `UPDATE exceptions SET claim_due_at = $2, resolve_due_at = $3, version = version + 1, updated_at = $4
         WHERE id = $1 AND status <> 'resolved' AND claim_due_at = $5 AND resolve_due_at = $6 RETURNING version`,
        [r.id, due.claimDueAt, due.resolveDueAt, now, r.claim_due_at, r.resolve_due_at],
      );
      if (!up[0]) return null;
      await insertAudit(tx, {
        actor: 'system', source: 'calendar', entity: 'exception', entityId: r.id, action: 'exception.sla_recomputed',
        before: { claim_due_at: r.claim_due_at, resolve_due_at: r.resolve_due_at },
        after: { claim_due_at: due.claimDueAt, resolve_due_at: due.resolveDueAt, version: up[0].version },
        details: { reason: 'the work calendar changed' },
      });
      return { id: r.id, version: up[0].version };
    }, { actor: 'system', via: 'calendar' });
    if (done) changed.push(done);
  }
  return changed;
}
