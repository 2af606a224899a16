import type pg from 'pg';
import { diffBacklog, type BacklogReading, type OpenAlert } from '../domain/cards/backlog-card';
import type { Clock } from '../domain/ports';
import type { Settings } from '../config/settings';
import { insertAudit } from '../db/audit';
import { withTransaction } from '../db/pool';

export interface BacklogDeps {
  pool: pg.Pool;
  clock: Clock;
  backlog: Settings['backlog'];
}

/**
 * Count the orders idle in each stage past its threshold and bring the backlog alerts in line:
 * open one per backed-up stage (and shop), update it as it grows or shrinks, clear it when the
 * stage drains. Returns the alerts whose cards must be re-rendered (id + new version).
 */
export async function checkBacklog(deps: BacklogDeps): Promise<{ id: number; version: number }[]> {
  const now = deps.clock.now();
  const stages = Object.entries(deps.backlog.stages);
  const readings = await readBacklog(deps.pool, stages.map(([s, v]) => [s, v.thresholdMinutes]), deps.backlog.perShop, deps.backlog.listOldest, now);
  return withTransaction(deps.pool, async (tx) => {
    // One checker at a time, however many copies run (the scheduler fires once, but be sure).
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('orderops.backlog', 0))`);
    const { rows: open } = await tx.query<OpenAlert>(
      `SELECT id, stage, shop, idle_count AS count, oldest_at AS "oldestAt" FROM backlog_alerts WHERE status = 'open'`,
    );
    const changed: { id: number; version: number }[] = [];
    for (const c of diffBacklog(readings, open)) {
      if (c.kind === 'open') {
        const team = deps.backlog.stages[c.reading.stage as keyof Settings['backlog']['stages']]?.team ?? 'warehouse';
        const threshold = deps.backlog.stages[c.reading.stage as keyof Settings['backlog']['stages']]?.thresholdMinutes ?? 30;
        const { rows } = await tx.query<{ id: number; version: number }>(
          `INSERT INTO backlog_alerts (stage, shop, team, idle_count, peak_count, oldest_at, oldest, threshold_minutes, opened_at, checked_at)
           VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $8) RETURNING id, version`,
          [c.reading.stage, c.reading.shop, team, c.reading.count, c.reading.oldestAt, JSON.stringify(c.reading.oldest), threshold, now],
        );
        changed.push(rows[0]!);
        await insertAudit(tx, { actor: 'system', source: 'backlog', entity: 'backlog', entityId: rows[0]!.id, action: 'backlog.opened', details: { stage: c.reading.stage, shop: c.reading.shop, count: c.reading.count } });
      } else if (c.kind === 'update') {
        const { rows } = await tx.query<{ id: number; version: number }>(
          `UPDATE backlog_alerts SET idle_count = $2, peak_count = greatest(peak_count, $2), oldest_at = $3, oldest = $4,
             checked_at = $5, version = version + 1 WHERE id = $1 RETURNING id, version`,
          [c.alertId, c.reading.count, c.reading.oldestAt, JSON.stringify(c.reading.oldest), now],
        );
        if (rows[0]) changed.push(rows[0]);
      } else {
        const { rows } = await tx.query<{ id: number; version: number }>(
          `UPDATE backlog_alerts SET status = 'cleared', idle_count = 0, oldest = '[]'::jsonb, cleared_at = $2, checked_at = $2,
             version = version + 1 WHERE id = $1 RETURNING id, version`,
          [c.alertId, now],
        );
        if (rows[0]) {
          changed.push(rows[0]);
          await insertAudit(tx, { actor: 'system', source: 'backlog', entity: 'backlog', entityId: c.alertId, action: 'backlog.cleared' });
        }
      }
    }
    return changed;
  }, { actor: 'system', via: 'backlog' });
}

async function readBacklog(pool: pg.Pool, stages: [string, number][], perShop: boolean, listOldest: number, now: Date): Promise<BacklogReading[]> {
  const { rows } = await pool.query<{ stage: string; shop: string; count: number; oldest_at: Date; oldest: BacklogReading['oldest'] }>(
    `WITH t AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS t(stage, minutes)),
     idle AS (
       SELECT o.stage, CASE WHEN $3 THEN coalesce(o.shop, '') ELSE '' END AS shop, o.source, o.external_id, o.stage_changed_at,
         o.priority, o.ship_by_at
       FROM orders o JOIN t ON t.stage = o.stage
       WHERE o.stage_changed_at < $4::timestamptz - t.minutes * interval '1 minute'
         AND o.status NOT IN ('cancelled', 'refunded', 'closed')
         -- Unpaid orders (and presales waiting for their balance) are not 待处理 backlog.
         AND o.status NOT IN ('created', 'pending_payment', 'payment_failed')
         AND o.hold_reason IS DISTINCT FROM 'presale_unpaid'
         AND NOT o.quiet -- historical orders from an import stay out of chat
     )
     -- Listed most urgent first: the least time to ship-by, then priority, then the longest idle.
     SELECT stage, shop, count(*)::int AS count, min(stage_changed_at) AS oldest_at,
       (SELECT jsonb_agg(jsonb_build_object('source', x.source, 'externalId', x.external_id, 'since', x.stage_changed_at, 'shipBy', x.ship_by_at)
          ORDER BY x.ship_by_at NULLS LAST, x.priority DESC, x.stage_changed_at)
        FROM (SELECT * FROM idle i2 WHERE i2.stage = idle.stage AND i2.shop = idle.shop
              ORDER BY i2.ship_by_at NULLS LAST, i2.priority DESC, i2.stage_changed_at LIMIT $5) x) AS oldest
     FROM idle GROUP BY stage, shop`,
    [stages.map((s) => s[0]), stages.map((s) => s[1]), perShop, now, listOldest],
  );
  return rows.map((r) => ({ stage: r.stage, shop: r.shop, count: r.count, oldestAt: r.oldest_at, oldest: r.oldest ?? [] }));
}
