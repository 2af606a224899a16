import type pg from 'pg';
import type { Clock } from '../../domain/ports';
import type { InventorySettings } from '../../domain/inventory/types';
import { consistencyCardKey } from '../../domain/inventory/cards';
import { localDate } from '../../domain/inventory/schedule';
import { withTransaction } from '../../db/pool';
import { computeReportRows, effectivePoolRows, loadReport, worstRows, type ReportRow } from '../../db/inventory-report';
import { insertInventoryAudit } from '../../db/inventory-audit';
import type { CardKeyRef } from '../../db/inventory-alerts';
import { csvLink } from './csv-link';

export interface ReportDeps {
  pool: pg.Pool;
  clock: Clock;
  inventory: InventorySettings;
  /** For the card's CSV link (config.publicUrl, ORDEROPS_API_TOKEN). */
  publicUrl?: string;
  apiToken?: string;
}

export interface ReportRequest {
  trigger: 'schedule' | 'cli' | 'api';
  /** The schedule's fire time (the job's own time, not when a retry ran); default now. */
  scheduledFor?: Date;
}

/**
 * Compare every platform listing with the master and store the result as a report of the day (in
 * the report's time zone). The scheduled report is made once per day: a retried or duplicated job
 * returns the one already made (`created: false`). Reports on demand are kept beside it.
 */
export async function makeConsistencyReport(deps: ReportDeps, req: ReportRequest): Promise<{ report: ReportRow; created: boolean; card: CardKeyRef }> {
  const now = deps.clock.now();
  const cfg = deps.inventory;
  const date = localDate(req.scheduledFor ?? now, cfg.report.timezone);
  const id = await withTransaction(deps.pool, async (tx) => {
    // One report at a time, however many copies run.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('orderops.consistency', 0))`);
    if (req.trigger === 'schedule') {
      const { rows } = await tx.query<{ id: number }>(`SELECT id FROM consistency_reports WHERE report_date = $1 AND trigger = 'schedule'`, [date]);
      if (rows[0]) return { id: rows[0].id, created: false };
    }
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO consistency_reports (report_date, timezone, trigger, scheduled_for, generated_at, team, checked, consistent,
         stock_deviations, price_deviations, unknown_skus, goal, tolerance, by_platform, worst)
       VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, $7, $8, '[]', '[]') RETURNING id`,
      [date, cfg.report.timezone, req.trigger, req.scheduledFor ?? null, now, cfg.team, cfg.report.goal, JSON.stringify(cfg.tolerance)],
    );
    const reportId = rows[0]!.id;
    const computed = await computeReportRows(tx, reportId, await effectivePoolRows(tx, cfg), cfg.tolerance);
    const sum = (f: (p: (typeof computed.byPlatform)[number]) => number) => computed.byPlatform.reduce((n, p) => n + f(p), 0);
    const worst = await worstRows(tx, reportId, cfg.report.worst);
    const byPlatform = computed.byPlatform.map(({ unknown: _u, ...p }) => p);
    await tx.query(
      `UPDATE consistency_reports SET checked = $2, consistent = $3, stock_deviations = $4, price_deviations = $5, unknown_skus = $6,
         by_platform = $7, worst = $8, csv_url = $9 WHERE id = $1`,
      [reportId, sum((p) => p.checked), sum((p) => p.consistent), sum((p) => p.stockDeviations), sum((p) => p.priceDeviations), sum((p) => p.unknown),
        JSON.stringify(byPlatform), JSON.stringify(worst), csvLink(deps, reportId, now)],
    );
    await insertInventoryAudit(tx, {
      actor: 'system', source: req.trigger, entity: 'consistency_report', entityId: reportId, action: 'consistency.reported',
      details: { date, checked: sum((p) => p.checked), consistent: sum((p) => p.consistent) },
    });
    return { id: reportId, created: true };
  }, { actor: 'system', via: req.trigger });
  const report = (await loadReport(deps.pool, id.id))!;
  return { report, created: id.created, card: { key: consistencyCardKey(report.id), version: report.version } };
}
