import type { Logger } from 'pino';
import type pg from 'pg';
import { GroupCommitter, ItemFailure } from '../db/group-commit';
import { orderKey, upsertOrders, type IncomingOrder, type WriteResult } from '../db/order-writes';
import { recordRejection, type RejectionVia } from '../db/rejects';
import { sqlstateOf, writeFailureKind } from '../db/write-errors';
import { orderInstantProblems } from '../domain/orders/storable';
import { applyRefundSignals } from '../db/order-signals';
import type { IntakeMeter } from '../domain/ports';

/** Something that makes sure a written order gets processed (BullMQ in production). */
export interface ProcessingTrigger {
  /** Best effort: a failure here is logged, and the sweeper picks the orders up later. */
  enqueue(refs: { id: number; revision: number }[]): Promise<void>;
  /**
   * For the sweeper: give each order one job of its own, and retry one that failed only because
   * the process running it died again and again (stalled), not because the order is poison.
   */
  sweep?(refs: { id: number; revision: number }[]): Promise<void>;
}

export interface IntakeDeps {
  pool: pg.Pool;
  trigger: ProcessingTrigger;
  logger: Logger;
  metrics?: IntakeMeter;
  maxBatch: number;
  maxConcurrentFlushes: number;
  maxPending: number;
}

/** Why one order of a batch could not be stored (the rest were). */
export interface Refusal {
  /** Position of the order in the ingest call (a posted array, a pulled page). */
  index: number;
  field: string;
  message: string;
  /** `schema`: a value no order may have; `unstorable`: Postgres refused the row. */
  reason: 'schema' | 'unstorable';
  sqlstate?: string;
}

export type RefusedResult = { source: string; externalId: string; outcome: 'refused'; refusal: Refusal; rejectionId?: number };
export type IntakeResult = WriteResult | RefusedResult;

export const isRefused = (r: IntakeResult): r is RefusedResult => r.outcome === 'refused';

/** Where a batch of orders came from: the request bytes are what the rejected store keeps. */
export interface IntakeOrigin {
  via: RejectionVia;
  body?: Buffer;
  headers?: Record<string, unknown>;
  remoteAddr?: string;
  /** False on a replay: the payload is in the rejected store already. */
  keep?: boolean;
}

/** A refusal as the flush knows it: the position in the caller's list is added by `ingest`. */
type FlushRefused = Omit<RefusedResult, 'refusal'> & { refusal: Omit<Refusal, 'index'> };
type Flushed = WriteResult | FlushRefused;

/**
 * The durable write path shared by every source: orders are acknowledged only once committed,
 * batched by group commit, then handed to processing. One order that Postgres refuses never takes
 * its batch down: the batch is split until the culprit is alone, the others are committed, and the
 * culprit is refused (422) and kept in the rejected store.
 */
export class OrderIntake {
  private readonly committer: GroupCommitter<IncomingOrder, Flushed>;

  constructor(private readonly deps: IntakeDeps) {
    this.committer = new GroupCommitter((batch) => this.flush(batch), {
      maxBatch: deps.maxBatch,
      maxConcurrent: deps.maxConcurrentFlushes,
      maxPending: deps.maxPending,
      key: (o) => orderKey(o),
    });
  }

  /**
   * One result per order, in order. Throws (503) only for what a retry can fix: a full queue, a
   * lost connection. Refused orders come back as `refused` and are kept in rejected_payloads (one row
   * per call, with `origin.body` when given).
   */
  async ingest(orders: IncomingOrder[], origin: IntakeOrigin = { via: 'pull' }): Promise<IntakeResult[]> {
    const results: (IntakeResult | undefined)[] = new Array(orders.length);
    const accepted: IncomingOrder[] = [];
    const positions: number[] = [];
    orders.forEach((o, index) => {
      const bad = orderInstantProblems(o.order);
      const created = bad.find((b) => b.field === 'createdAt');
      if (created) {
        // An order needs its creation time: without one it cannot be an order (422, kept).
        const message = created.problem === 'unparseable' ? 'is not a date and time' : 'must be a time between 1970 and 9999';
        results[index] = { source: o.order.source, externalId: o.order.externalId, outcome: 'refused', refusal: { index, field: 'createdAt', message, reason: 'schema' } };
        return;
      }
      accepted.push(bad.length === 0 ? o : withoutTimes(o, bad.map((b) => b.field)));
      positions.push(index);
    });
    if (accepted.length > 0) {
      const written = await this.committer.submit(accepted);
      written.forEach((r, i) => {
        const index = positions[i]!;
        results[index] = r.outcome === 'refused' ? { ...r, refusal: { ...r.refusal, index } } : r;
      });
    }
    const out = results as IntakeResult[];
    const refused = out.filter(isRefused);
    if (refused.length > 0 && origin.keep !== false) await this.keep(orders, refused, origin);
    return out;
  }

  get backlog(): number {
    return this.committer.waiting;
  }

  drain(): Promise<void> {
    return this.committer.drain();
  }

  /** Refund messages the upsert left unchanged (no order status of their own) still record the refund. */
  private async withRefundSignals(batch: IncomingOrder[], results: (Flushed | ItemFailure)[]): Promise<(Flushed | ItemFailure)[]> {
    const unchanged = batch.filter((b, i) => {
      const r = results[i];
      return b.order.refund && !(r instanceof ItemFailure) && r?.outcome === 'unchanged';
    });
    if (unchanged.length === 0) return results;
    const changed = new Map((await applyRefundSignals(this.deps.pool, unchanged)).map((c) => [`${c.source}\u0000${c.externalId}`, c]));
    return results.map((r) => {
      if (r instanceof ItemFailure || r.outcome === 'refused') return r;
      const c = changed.get(`${r.source}\u0000${r.externalId}`);
      return c ? { ...r, outcome: 'updated' as const, id: c.id, revision: c.revision } : r;
    });
  }

  private async flush(batch: IncomingOrder[]): Promise<(Flushed | ItemFailure)[]> {
    const started = performance.now();
    const results = await this.withRefundSignals(batch, await this.settle(batch));
    this.deps.metrics?.batchSize.observe(batch.length);
    this.deps.metrics?.flushSeconds.observe((performance.now() - started) / 1000);
    const written = results.flatMap((r) => (!(r instanceof ItemFailure) && r.outcome !== 'refused' && r.id !== undefined ? [{ id: r.id, revision: r.revision! }] : []));
    if (written.length > 0) {
      // Not awaited: the ack must not wait for Redis. Postgres holds the truth; the sweeper
      // re-enqueues whatever this misses.
      this.deps.trigger.enqueue(written).catch((err: unknown) => {
        this.deps.metrics?.enqueueFailures.inc(written.length);
        this.deps.logger.warn({ err: (err as Error).message, orders: written.length }, 'enqueue failed; the sweeper will retry');
      });
    }
    for (const r of results) if (!(r instanceof ItemFailure)) this.deps.metrics?.orders.inc({ source: r.source, outcome: r.outcome });
    return results;
  }

  /**
   * Write `batch` in one statement. When that fails for a reason that belongs to a row, isolate the
   * culprit: in one transaction, halves are tried under savepoints and the failing half is split
   * again until the culprit stands alone; everything else commits together. A clean batch costs one
   * statement; one poison order in n costs about log2(n) more and a single commit (measured against
   * one commit per half and a savepoint per row: bench/intake.mjs --poison, BENCHMARKS.md). Never
   * throws: a failure of the server fails every item (503).
   */
  private async settle(batch: IncomingOrder[]): Promise<(Flushed | ItemFailure)[]> {
    let client: pg.PoolClient;
    try {
      client = await this.deps.pool.connect();
    } catch (e) {
      return batch.map(() => new ItemFailure(e)); // no connection: the server's fault (503)
    }
    // A checked-out client, not pool.query: pool.query destroys the connection (and its prepared
    // upsert) on any error, so every poison order would cost a new connection too.
    let broken: Error | undefined;
    try {
      return await upsertOrders(client, batch);
    } catch (e) {
      const kind = writeFailureKind(e);
      if (kind === 'server') {
        broken = e as Error;
        return batch.map(() => new ItemFailure(e));
      }
      if (batch.length === 1) {
        const r = this.refuse(batch[0]!, e);
        this.logRefusal(r);
        return [r];
      }
      this.deps.metrics?.isolations.inc();
      try {
        await client.query('BEGIN');
        const out = await this.bisect(client, batch, e);
        // An unknown error that no row survives is not a row's fault: everyone retries.
        if (kind === 'unknown' && out.every((r) => r.outcome === 'refused')) throw e;
        await client.query('COMMIT');
        for (const r of out) if (r.outcome === 'refused') this.logRefusal(r as FlushRefused);
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (writeFailureKind(err) === 'server') broken = err as Error;
        return batch.map(() => new ItemFailure(err));
      }
    } finally {
      client.release(broken);
    }
  }

  /** `batch` is known to fail with `failure`; find which rows do, committing the rest in `tx`. */
  private async bisect(tx: pg.PoolClient, batch: IncomingOrder[], failure: unknown): Promise<Flushed[]> {
    if (batch.length === 1) return [this.refuse(batch[0]!, failure)];
    const mid = batch.length >>> 1;
    const [a, b] = [batch.slice(0, mid), batch.slice(mid)];
    const first = await this.attempt(tx, a);
    // The batch failed and its first half did not: the second half holds a culprit, so it is split
    // at once rather than tried whole.
    if (first.ok) return [...first.results, ...(await this.bisect(tx, b, failure))];
    const second = await this.attempt(tx, b);
    const rest = second.ok ? second.results : await this.bisect(tx, b, second.error);
    return [...(await this.bisect(tx, a, first.error)), ...rest];
  }

  private async attempt(tx: pg.PoolClient, batch: IncomingOrder[]): Promise<{ ok: true; results: WriteResult[] } | { ok: false; error: unknown }> {
    await tx.query('SAVEPOINT orderops_isolate');
    try {
      const results = await upsertOrders(tx, batch);
      await tx.query('RELEASE SAVEPOINT orderops_isolate');
      return { ok: true, results };
    } catch (e) {
      if (writeFailureKind(e) === 'server') throw e;
      await tx.query('ROLLBACK TO SAVEPOINT orderops_isolate; RELEASE SAVEPOINT orderops_isolate');
      return { ok: false, error: e };
    }
  }

  private refuse(o: IncomingOrder, e: unknown): FlushRefused {
    const refusal = { field: '(order)', message: unstorableMessage(e), reason: 'unstorable' as const, sqlstate: sqlstateOf(e) };
    return { source: o.order.source, externalId: o.order.externalId, outcome: 'refused', refusal };
  }

  private logRefusal(r: FlushRefused): void {
    this.deps.metrics?.refused.inc({ source: r.source, sqlstate: r.refusal.sqlstate ?? 'none' });
    this.deps.logger.warn({ source: r.source, externalId: r.externalId, sqlstate: r.refusal.sqlstate, err: r.refusal.message }, 'order refused by Postgres; the rest of its batch is committed');
  }

  private async keep(orders: IncomingOrder[], refused: RefusedResult[], origin: IntakeOrigin): Promise<void> {
    const errors = refused.map((r) => ({ index: r.refusal.index, field: r.refusal.field, message: r.refusal.message, ...(r.refusal.sqlstate ? { sqlstate: r.refusal.sqlstate } : {}) }));
    const body = origin.body ?? Buffer.from(safeJson(refused.map((r) => orders[r.refusal.index]!.raw)));
    try {
      const id = await recordRejection(this.deps.pool, {
        source: refused[0]!.source,
        httpStatus: 422,
        reason: refused.some((r) => r.refusal.reason === 'unstorable') ? 'unstorable' : 'schema',
        errors,
        body,
        headers: origin.headers ?? {},
        remoteAddr: origin.remoteAddr,
        via: origin.via,
      });
      for (const r of refused) r.rejectionId = id;
    } catch (e) {
      this.deps.logger.error({ err: (e as Error).message, orders: refused.map((r) => r.externalId) }, 'could not keep refused orders in rejected_payloads');
    }
  }
}

/**
 * The order without the optional times Postgres could not store (a platform's `0000-00-00`
 * placeholder for "not yet"): a paid order is not refused for them. They stay in the raw payload,
 * and the request bytes are kept beside the order with the fields named as repaired.
 */
function withoutTimes(o: IncomingOrder, fields: string[]): IncomingOrder {
  const order = { ...o.order } as Record<string, unknown>;
  for (const f of fields) delete order[f];
  return { ...o, order: order as unknown as IncomingOrder['order'], repaired: [...(o.repaired ?? []), ...fields.map((f) => `data.${f} (not a storable time: dropped)`)] };
}

function unstorableMessage(e: unknown): string {
  const state = sqlstateOf(e);
  const text = (e as Error).message ?? String(e);
  return state ? `Postgres cannot store this order: ${text} (SQLSTATE ${state})` : `this order cannot be stored: ${text}`;
}

/** JSON of what was posted, or a note when it cannot even be serialised (nested too deep). */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    return JSON.stringify({ unserialisable: (e as Error).message });
  }
}
