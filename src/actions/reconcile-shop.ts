import type pg from 'pg';
import type { Logger } from 'pino';
import { isRefused, type IntakeResult, type OrderIntake, type RefusedResult } from './ingest-orders';
import type { IncomingOrder } from '../db/order-writes';
import { QueueFullError } from '../db/group-commit';
import type { Clock } from '../domain/ports';
import { reconcileCardKey, type CardDecision } from '../domain/reconcile/card';
import type { ShopSettings } from '../domain/reconcile/shop';
import { isComplete, newTally, runFigures, tallyPage, type RunFigures, type StopReason, type WriteOutcome } from '../domain/reconcile/tally';
import { checkWindow, MAX_CATCH_UP_MS, scheduledWindow, SETTLE_MS, windowProgress, type TimeWindow } from '../domain/reconcile/window';
import type { Puller, PullerFor, PullPage } from '../domain/platforms/ports';
import { abandonStaleRuns, insertRun, problemText, saveProgress, storedIds, unfinishedResumePoint, type RunProblem } from './reconcile-store';
import { settleRun } from './reconcile-settle';

export interface ReconcileDeps {
  pool: pg.Pool;
  /** The durable write path every push takes (group commit, dedupe, newer-status rule, processing). */
  intake: Pick<OrderIntake, 'ingest'>;
  pullers: PullerFor;
  clock: Clock;
  logger: Logger;
  /** Re-render a reconcile card (enqueueCard); best effort — the sweep catches up. */
  cardChanged?(key: string, version: number): Promise<void>;
  /** Tries at one point of the window for a transient failure (throttling, 5xx, network). Default 3. */
  attempts?: number;
  /** First back-off, doubled per retry. Default 2000 ms. */
  retryDelayMs?: number;
  sleep?(ms: number): Promise<void>;
  /** Pages read per run at most (checked at sub-window ends); the rest is left to the next run (resume_from). Default 2000. */
  maxPages?: number;
  onProgress?(p: ReconcileProgress): void;
  /** Who runs it, for the audit trail. */
  via?: 'cli' | 'worker';
}

export interface ReconcileRequest {
  shop: ShopSettings;
  since: Date;
  until: Date;
  /** Pull and compare, store nothing, post nothing. */
  dryRun?: boolean;
  trigger?: 'schedule' | 'cli';
}

export interface ReconcileProgress {
  runId: number;
  pages: number;
  /** Distinct orders listed so far. */
  listed: number;
  missing: number;
  /** How far through the window (0–1). */
  fraction: number;
}

export interface ReconcileSummary {
  runId: number;
  shopId: string;
  shopName: string;
  source: string;
  dryRun: boolean;
  since: string;
  until: string;
  /** Every page read and every order readable: the set is proven. */
  complete: boolean;
  stopReason?: StopReason;
  figures: RunFigures;
  retries: number;
  failedPages: number;
  problems: RunProblem[];
  /** The first few order ids this run stored. */
  recovered: string[];
  /** Where the unread part of the window starts, when the run stopped early. */
  resumeFrom: string | null;
  card: CardDecision;
  /** Earlier unfinished runs this complete run covered. */
  covered: number[];
  startedAt: string;
  finishedAt: string;
}

export type ReconcileOutcome = { ok: true; run: ReconcileSummary } | { ok: false; reason: string };

const MAX_PROBLEMS = 20;

/**
 * Reconcile one shop over a window: pull every page of the platform's order list, compare it with
 * what is stored, ingest what is missing (and newer versions) through the same intake as a push,
 * and record the run. Idempotent: a second run over the same window stores nothing. Bounded and
 * resumable: a page that keeps failing (after retries) or the page budget stops the run at its
 * last finished sub-window, which is recorded as resume_from; such a run is never complete.
 *
 * @example
 *   const r = await reconcileShop(deps, { shop, since: new Date('2026-01-08T12:00Z'), until: new Date('2026-01-08T13:00Z') });
 *   if (r.ok) console.log(`platform has ${r.run.figures.platform}, we had ${r.run.figures.had}, ingested ${r.run.figures.ingested}`);
 */
export async function reconcileShop(deps: ReconcileDeps, req: ReconcileRequest): Promise<ReconcileOutcome> {
  const checked = checkWindow(req.since, req.until, deps.clock.now());
  if (!checked.ok) return checked;
  const resolved = deps.pullers(req.shop);
  if (!resolved.ok) return resolved;
  const lockKey = `orderops.reconcile:${req.shop.id}`;
  // One run per shop at a time, across every copy and the command line; a dead holder's lock goes with its connection.
  const lock = await deps.pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await lock.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got', [lockKey]);
    if (!rows[0]?.got) return { ok: false, reason: `another reconcile of shop "${req.shop.id}" is running; try again when it has finished` };
    try {
      return { ok: true, run: await runLocked(deps, req, checked.window, resolved.puller) };
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch((e: Error) => {
        broken = e;
      });
    }
  } finally {
    lock.release(broken);
  }
}

/** The scheduled run of a shop: its sliding window, reaching back to where an unfinished run stopped. */
export async function reconcileScheduled(deps: ReconcileDeps, shop: ShopSettings): Promise<ReconcileOutcome> {
  const now = deps.clock.now();
  const resume = await unfinishedResumePoint(deps.pool, shop.id, new Date(now.getTime() - SETTLE_MS - MAX_CATCH_UP_MS));
  const w = scheduledWindow(now, shop.reconcile.windowMinutes, resume);
  return reconcileShop(deps, { shop, since: w.since, until: w.until, trigger: 'schedule' });
}

async function runLocked(deps: ReconcileDeps, req: ReconcileRequest, window: TimeWindow, puller: Puller): Promise<ReconcileSummary> {
  const { pool } = deps;
  const { shop } = req;
  const dryRun = req.dryRun ?? false;
  const startedAt = deps.clock.now();
  const abandoned = await abandonStaleRuns(pool, shop.id, startedAt);
  if (abandoned > 0) deps.logger.warn({ shop: shop.id, abandoned }, 'earlier reconcile runs of this shop died unfinished; the scheduler resumes them');
  const runId = await insertRun(pool, {
    shopId: shop.id, shopName: shop.name, source: shop.source, trigger: req.trigger ?? 'cli', dryRun, since: window.since, until: window.until,
    team: shop.team, startedAt,
  });
  const log = deps.logger.child({ shop: shop.id, source: shop.source, run: runId });

  const tally = newTally();
  const problems: RunProblem[] = [];
  const recovered: string[] = [];
  const attempts = Math.max(1, deps.attempts ?? 3);
  const maxPages = Math.max(1, deps.maxPages ?? 2000);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let checkpoint = window.since;
  let retries = 0;
  let failuresHere = 0;
  let stop: StopReason | undefined;
  let lastError: string | null = null;

  const onPage = async (page: PullPage): Promise<void> => {
    const orders = lastOfEachId(page.orders);
    const ids = orders.map((o) => o.order.externalId);
    const stored = await storedIds(pool, puller.source, ids);
    let outcomes: Map<string, WriteOutcome> | undefined;
    let refused: RefusedResult[] = [];
    if (!dryRun && orders.length > 0) {
      const written = await deps.intake.ingest(orders, { via: 'pull' });
      refused = written.filter(isRefused);
      outcomes = strongestOutcome(written);
    }
    const key = `${page.window.since}|${page.page}`;
    const fresh = !tally.pageKeys.has(key);
    tallyPage(tally, { key, ids, itemErrors: page.errors.length + refused.length, stored, outcomes });
    for (const id of ids) if (recovered.length < 10 && outcomes?.get(id) === 'created' && !recovered.includes(id)) recovered.push(id);
    for (const e of page.errors) {
      if (fresh && problems.length < MAX_PROBLEMS) problems.push({ kind: 'item', page: page.page, field: e.index !== undefined ? `#${e.index} ${e.field}` : e.field, message: e.message });
    }
    // Refused by the store (kept in rejected_payloads): the next run pulls them again once fixed.
    for (const r of refused) {
      if (fresh && problems.length < MAX_PROBLEMS) problems.push({ kind: 'item', page: page.page, field: `${r.externalId} ${r.refusal.field}`, message: r.refusal.message });
    }
    if (page.lastOfWindow) {
      checkpoint = new Date(page.window.until);
      failuresHere = 0;
    }
    const f = runFigures(tally, dryRun);
    await saveProgress(pool, runId, f, checkpoint, retries);
    deps.onProgress?.({ runId, pages: tally.pages, listed: tally.seen.size, missing: f.missing, fraction: windowProgress(window, page.lastOfWindow ? page.window.until : page.window.since) });
  };

  for (;;) {
    try {
      let budgetHit = false;
      for await (const page of puller.pull({ since: checkpoint, until: window.until })) {
        await onPage(page);
        // Only at a sub-window's end: stopping inside one would make the next run read it again from its start.
        if (tally.pages >= maxPages && page.lastOfWindow && checkpoint.getTime() < window.until.getTime()) {
          budgetHit = true;
          break;
        }
      }
      if (budgetHit) {
        stop = 'budget';
        lastError = `stopped after ${maxPages} pages (the per-run budget); the rest is resumed from ${checkpoint.toISOString()}`;
        problems.push({ kind: 'page', at: checkpoint.toISOString(), code: 'budget', message: lastError, retryable: true });
      }
      break;
    } catch (e) {
      const err = e as Error & { code?: unknown; retryable?: unknown };
      const retryable = e instanceof QueueFullError || err.retryable === true;
      const code = e instanceof QueueFullError ? 'intake_full' : typeof err.code === 'string' ? err.code : err.name;
      failuresHere++;
      lastError = `${code}: ${err.message}`.slice(0, 500);
      if (retryable && failuresHere < attempts) {
        retries++;
        const delay = (deps.retryDelayMs ?? 2000) * 2 ** (failuresHere - 1);
        log.warn({ err: err.message, at: checkpoint.toISOString(), retryInMs: delay }, 'reconcile page failed; retrying from the last finished sub-window');
        await sleep(delay);
        continue;
      }
      log.warn({ err: err.message, at: checkpoint.toISOString() }, 'reconcile page failed; the run is incomplete');
      stop = 'page_failed';
      problems.push({ kind: 'page', at: checkpoint.toISOString(), code, message: err.message.slice(0, 500), retryable });
      break;
    }
  }

  const figures = runFigures(tally, dryRun);
  const complete = isComplete(stop, figures.itemErrors);
  if (!lastError && figures.itemErrors > 0) lastError = `${figures.itemErrors} order(s) could not be read: ${problems[0] ? problemText(problems[0]) : ''}`.slice(0, 500);
  const finishedAt = deps.clock.now();
  const resumeFrom = stop ? checkpoint : null;
  const via = deps.via ?? 'cli';

  const { decision, changed, covered } = await settleRun(pool, {
    runId, shop, window, dryRun, figures, complete, stop, retries, problems, recovered, resumeFrom, checkpoint, lastError, finishedAt, via,
  });

  for (const c of changed) {
    await deps.cardChanged?.(reconcileCardKey(c.id), c.version).catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, 'reconcile card not enqueued; the sweep will catch up'),
    );
  }
  log.info({ ...figures, complete, resumeFrom, card: decision.kind }, complete ? 'reconcile complete' : 'reconcile incomplete');
  return {
    runId, shopId: shop.id, shopName: shop.name, source: shop.source, dryRun, since: window.since.toISOString(), until: window.until.toISOString(),
    complete, stopReason: stop, figures, retries, failedPages: stop === 'page_failed' ? 1 : 0, problems, recovered,
    resumeFrom: resumeFrom?.toISOString() ?? null, card: decision, covered: covered.map((c) => c.id),
    startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
  };
}

/** A page may list an order twice: keep its last version (the intake applies one write per order). */
function lastOfEachId(orders: IncomingOrder[]): IncomingOrder[] {
  const byId = new Map<string, IncomingOrder>();
  for (const o of orders) {
    byId.delete(o.order.externalId);
    byId.set(o.order.externalId, o);
  }
  return [...byId.values()];
}

const RANK: Record<WriteOutcome, number> = { unchanged: 0, updated: 1, created: 2 };

function strongestOutcome(results: IntakeResult[]): Map<string, WriteOutcome> {
  const m = new Map<string, WriteOutcome>();
  for (const r of results) {
    if (isRefused(r)) continue;
    const had = m.get(r.externalId);
    if (!had || RANK[r.outcome] > RANK[had]) m.set(r.externalId, r.outcome);
  }
  return m;
}
