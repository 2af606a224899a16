import type { Queryable } from '../db/pool';
import { reconcileCardKey, type ReconcileCard } from '../domain/reconcile/card';
import type { RunFigures, StopReason } from '../domain/reconcile/tally';

/** One problem of a run: a page that failed, or an order the platform listed that could not be read. */
export interface RunProblem {
  kind: 'page' | 'item';
  /** Page problems: where the run had got to (every sub-window before it is done). */
  at?: string;
  page?: number;
  code?: string;
  field?: string;
  message: string;
  retryable?: boolean;
}

/** The reconcile_runs repository (the table of migrations/1764500000000_reconcile.sql). */

/** Ids of `source` among `ids` that are stored already. */
export async function storedIds(db: Queryable, source: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ external_id: string }>(
    'SELECT external_id FROM orders WHERE source = $1 AND external_id = ANY($2::text[])',
    [source, ids],
  );
  return new Set(rows.map((r) => r.external_id));
}

/**
 * Runs of this shop still marked running belong to a process that died (the caller holds the
 * shop's lock): they become incomplete, resumable from their last checkpoint.
 */
export async function abandonStaleRuns(db: Queryable, shopId: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE reconcile_runs SET status = 'incomplete', stop_reason = 'abandoned', finished_at = $2,
       resume_from = coalesce(checkpoint, window_since)
     WHERE shop_id = $1 AND status = 'running'`,
    [shopId, now],
  );
  return rowCount ?? 0;
}

export async function insertRun(
  db: Queryable,
  r: { shopId: string; shopName: string; source: string; trigger: 'schedule' | 'cli'; dryRun: boolean; since: Date; until: Date; team: string; startedAt: Date },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO reconcile_runs (shop_id, shop_name, source, trigger, dry_run, window_since, window_until, team, started_at, checkpoint)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6) RETURNING id`,
    [r.shopId, r.shopName, r.source, r.trigger, r.dryRun, r.since, r.until, r.team, r.startedAt],
  );
  return rows[0]!.id;
}

/** After each page: the figures so far and the checkpoint (a crash leaves a resumable row). */
export async function saveProgress(db: Queryable, id: number, f: RunFigures, checkpoint: Date, retries: number): Promise<void> {
  await db.query(
    `UPDATE reconcile_runs SET platform_count = $2, had_before = $3, missing = $4, ingested = $5, updated = $6, pages = $7,
       item_errors = $8, checkpoint = $9, retries = $10 WHERE id = $1`,
    [id, f.platform, f.had, f.missing, f.ingested, f.updated, f.pages, f.itemErrors, checkpoint, retries],
  );
}

/** The earliest point an unfinished, not yet covered run of this shop stopped at (not before `notBefore`). */
export async function unfinishedResumePoint(db: Queryable, shopId: string, notBefore: Date): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(resume_from) AS at FROM reconcile_runs
     WHERE shop_id = $1 AND status = 'incomplete' AND covered_by IS NULL AND NOT dry_run AND resume_from >= $2`,
    [shopId, notBefore],
  );
  return rows[0]?.at ?? null;
}

/** The shop's newest open card (an incomplete run nobody has completed yet). */
export async function openCardRun(db: Queryable, shopId: string): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM reconcile_runs WHERE shop_id = $1 AND card_status = 'open' AND covered_by IS NULL ORDER BY id DESC LIMIT 1`,
    [shopId],
  );
  return rows[0]?.id ?? null;
}

export interface FinishedRun {
  id: number;
  figures: RunFigures;
  complete: boolean;
  stopReason?: StopReason;
  failedPages: number;
  retries: number;
  errors: RunProblem[];
  recovered: string[];
  resumeFrom: Date | null;
  checkpoint: Date;
  cardStatus: 'open' | 'recovered' | null;
  lastError: string | null;
  foldedInto: number | null;
  finishedAt: Date;
}

export async function finishRun(db: Queryable, r: FinishedRun): Promise<{ version: number }> {
  const f = r.figures;
  const { rows } = await db.query<{ version: number }>(
    `UPDATE reconcile_runs SET status = $2, platform_count = $3, had_before = $4, missing = $5, ingested = $6, updated = $7,
       pages = $8, failed_pages = $9, item_errors = $10, retries = $11, errors = $12, recovered = $13, checkpoint = $14,
       resume_from = $15, stop_reason = $16, card_status = $17, last_error = $18, folded_into = $19, finished_at = $20
     WHERE id = $1 RETURNING version`,
    [
      r.id, r.complete ? 'complete' : 'incomplete', f.platform, f.had, f.missing, f.ingested, f.updated, f.pages, r.failedPages,
      f.itemErrors, r.retries, JSON.stringify(r.errors), JSON.stringify(r.recovered), r.checkpoint, r.resumeFrom,
      r.stopReason ?? null, r.cardStatus, r.lastError, r.foldedInto, r.finishedAt,
    ],
  );
  return rows[0]!;
}

/** Another failing run of the shop updates its open card: one more attempt, the newest error. */
export async function foldIntoOpenCard(db: Queryable, openRunId: number, lastError: string | null): Promise<{ id: number; version: number } | null> {
  const { rows } = await db.query<{ id: number; version: number }>(
    `UPDATE reconcile_runs SET attempts = attempts + 1, last_error = coalesce($2, last_error), version = version + 1
     WHERE id = $1 AND card_status = 'open' RETURNING id, version`,
    [openRunId, lastError],
  );
  return rows[0] ?? null;
}

/**
 * A complete run covers every unfinished run of the shop whose unfinished part lies inside its
 * window: they are marked covered, and their open cards cleared (version bumped to re-render).
 */
export async function coverRuns(db: Queryable, run: { id: number; shopId: string; since: Date; until: Date; at: Date }): Promise<{ id: number; version: number; cleared: boolean }[]> {
  const { rows } = await db.query<{ id: number; version: number; cleared: boolean }>(
    `UPDATE reconcile_runs r SET covered_by = $2, covered_at = $5,
       card_status = CASE WHEN r.card_status = 'open' THEN 'cleared' ELSE r.card_status END,
       version = r.version + CASE WHEN r.card_status = 'open' THEN 1 ELSE 0 END
     WHERE r.shop_id = $1 AND r.id <> $2 AND r.status = 'incomplete' AND NOT r.dry_run AND r.covered_by IS NULL
       AND coalesce(r.resume_from, r.window_since) >= $3 AND r.window_until <= $4
     RETURNING r.id, r.version, r.card_status = 'cleared' AS cleared`,
    [run.shopId, run.id, run.since, run.until, run.at],
  );
  return rows;
}

/** An audit row in the shared audit_log (entity reconcile_run). */
export async function insertReconcileAudit(db: Queryable, e: { actor: string; source: string; runId: number; action: string; details?: unknown }): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, source, entity, entity_id, action, details) VALUES ($1, $2, 'reconcile_run', $3, $4, $5)`,
    [e.actor, e.source, e.runId, e.action, e.details === undefined ? null : JSON.stringify(e.details)],
  );
}

interface RunRow {
  id: number; shop_id: string; shop_name: string; source: string; window_since: Date; window_until: Date; status: string; platform_count: number;
  had_before: number; ingested: number; updated: number; pages: number; failed_pages: number; item_errors: number;
  errors: RunProblem[]; recovered: string[]; resume_from: Date | null; team: string | null; card_status: ReconcileCard['status'] | null;
  version: number; attempts: number; last_error: string | null; started_at: Date; finished_at: Date | null; covered_at: Date | null;
  covered_by: number | null;
}

/** A run's card as chat shows it, with the team whose channel gets it; null for a run without one. */
export async function loadReconcileCard(db: Queryable, runId: number): Promise<{ card: ReconcileCard; team: string } | null> {
  const { rows } = await db.query<RunRow>('SELECT * FROM reconcile_runs WHERE id = $1', [runId]);
  const r = rows[0];
  if (!r || !r.card_status || !r.team) return null;
  return {
    team: r.team,
    card: {
      kind: 'reconcile', key: reconcileCardKey(r.id), alertId: r.id, version: r.version, status: r.card_status,
      shopId: r.shop_id, shopName: r.shop_name, source: r.source,
      since: r.window_since.toISOString(), until: r.window_until.toISOString(),
      platformCount: r.platform_count, hadBefore: r.had_before, ingested: r.ingested, updated: r.updated, pages: r.pages,
      failedPages: r.failed_pages, itemErrors: r.item_errors, recovered: r.recovered,
      problems: r.errors.slice(0, 5).map(problemText),
      resumeFrom: r.resume_from?.toISOString() ?? null, attempts: r.attempts, lastError: r.last_error,
      startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
      clearedAt: r.card_status === 'cleared' ? (r.covered_at?.toISOString() ?? null) : null,
      clearedBy: r.card_status === 'cleared' ? r.covered_by : null,
    },
  };
}

/** One problem as a line of text (untrusted: the platform wrote the message). */
export function problemText(p: RunProblem): string {
  if (p.kind === 'item') return `${p.page !== undefined ? `p${p.page} ` : ''}${p.field ?? ''} ${p.message}`.trim();
  return `${p.code && !p.message.includes(p.code) ? `${p.code}: ` : ''}${p.message}`.slice(0, 300);
}

/** Reconcile cards missing (while open or recovered), uncertain or behind on a platform: re-enqueued by the sweep. */
export async function staleReconcileCards(db: Queryable, platform: string, graceSeconds: number, limit: number): Promise<{ id: number; version: number }[]> {
  const { rows } = await db.query<{ id: number; version: number }>(
    `SELECT r.id, r.version FROM reconcile_runs r
     LEFT JOIN chat_messages m ON m.card_key = 'reconcile:' || r.id AND m.platform = $1
     WHERE r.card_status IS NOT NULL AND r.finished_at < now() - make_interval(secs => $2) AND r.finished_at > now() - interval '7 days'
       AND ((m.id IS NULL AND r.card_status <> 'cleared') OR m.state = 'posting' OR (m.state = 'posted' AND m.rendered_version < r.version))
     ORDER BY r.id LIMIT $3`,
    [platform, graceSeconds, limit],
  );
  return rows;
}
