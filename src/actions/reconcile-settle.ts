import type pg from 'pg';
import { withTransaction } from '../db/pool';
import { cardDecision, type CardDecision } from '../domain/reconcile/card';
import type { ShopSettings } from '../domain/reconcile/shop';
import type { RunFigures, StopReason } from '../domain/reconcile/tally';
import type { TimeWindow } from '../domain/reconcile/window';
import { coverRuns, finishRun, foldIntoOpenCard, insertReconcileAudit, openCardRun, type RunProblem } from './reconcile-store';

export interface RunResult {
  runId: number;
  shop: ShopSettings;
  window: TimeWindow;
  dryRun: boolean;
  figures: RunFigures;
  complete: boolean;
  stop?: StopReason;
  retries: number;
  problems: RunProblem[];
  recovered: string[];
  resumeFrom: Date | null;
  checkpoint: Date;
  lastError: string | null;
  finishedAt: Date;
  via: 'cli' | 'worker';
}

/**
 * Close a run in one transaction: its figures and outcome, its card (post, or fold into the shop's
 * open card), the earlier unfinished runs a complete run covers (their open cards cleared), and
 * the audit row. Returns the cards to re-render once committed.
 */
export async function settleRun(
  pool: pg.Pool,
  r: RunResult,
): Promise<{ decision: CardDecision; changed: { id: number; version: number }[]; covered: { id: number }[] }> {
  return withTransaction(pool, async (tx) => {
    const budgetOnly = r.stop === 'budget' && r.figures.itemErrors === 0;
    const open = r.complete || r.dryRun || budgetOnly ? null : await openCardRun(tx, r.shop.id);
    const decision = cardDecision({ dryRun: r.dryRun, complete: r.complete, budgetOnly, ingested: r.figures.ingested, openCardRunId: open });
    const changed: { id: number; version: number }[] = [];
    const { version } = await finishRun(tx, {
      id: r.runId, figures: r.figures, complete: r.complete, stopReason: r.stop, failedPages: r.stop === 'page_failed' ? 1 : 0, retries: r.retries,
      errors: r.problems, recovered: r.recovered, resumeFrom: r.resumeFrom, checkpoint: r.checkpoint,
      cardStatus: decision.kind === 'post' ? decision.status : null, lastError: r.lastError,
      foldedInto: decision.kind === 'fold' ? decision.into : null, finishedAt: r.finishedAt,
    });
    if (decision.kind === 'post') changed.push({ id: r.runId, version });
    if (decision.kind === 'fold') {
      const f = await foldIntoOpenCard(tx, decision.into, r.lastError);
      if (f) changed.push(f);
    }
    const covered = r.complete && !r.dryRun
      ? await coverRuns(tx, { id: r.runId, shopId: r.shop.id, since: r.window.since, until: r.window.until, at: r.finishedAt })
      : [];
    changed.push(...covered.filter((c) => c.cleared));
    await insertReconcileAudit(tx, {
      actor: 'system', source: r.via, runId: r.runId,
      action: r.dryRun ? 'reconcile.dry_run' : r.complete ? 'reconcile.complete' : 'reconcile.incomplete',
      details: {
        shop: r.shop.id, source: r.shop.source, since: r.window.since, until: r.window.until, ...r.figures,
        recovered: r.recovered, resumeFrom: r.resumeFrom, covered: covered.map((c) => c.id),
      },
    });
    return { decision, changed, covered };
  }, { actor: 'system', via: r.via });
}
