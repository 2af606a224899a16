import type { Logger } from 'pino';
import type pg from 'pg';
import { GroupCommitter } from '../db/group-commit';
import { orderKey, upsertOrders, type IncomingOrder, type WriteResult } from '../db/order-writes';
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

/**
 * The durable write path shared by every source: orders are acknowledged only once committed,
 * batched by group commit, then handed to processing.
 */
export class OrderIntake {
  private readonly committer: GroupCommitter<IncomingOrder, WriteResult>;

  constructor(private readonly deps: IntakeDeps) {
    this.committer = new GroupCommitter((batch) => this.flush(batch), {
      maxBatch: deps.maxBatch,
      maxConcurrent: deps.maxConcurrentFlushes,
      maxPending: deps.maxPending,
      key: (o) => orderKey(o),
    });
  }

  ingest(orders: IncomingOrder[]): Promise<WriteResult[]> {
    return this.committer.submit(orders);
  }

  get backlog(): number {
    return this.committer.waiting;
  }

  drain(): Promise<void> {
    return this.committer.drain();
  }

  /** Refund messages the upsert left unchanged (no order status of their own) still record the refund. */
  private async withRefundSignals(batch: IncomingOrder[], results: WriteResult[]): Promise<WriteResult[]> {
    const unchanged = batch.filter((b, i) => b.order.refund && results[i]!.outcome === 'unchanged');
    if (unchanged.length === 0) return results;
    const changed = new Map((await applyRefundSignals(this.deps.pool, unchanged)).map((c) => [`${c.source}\u0000${c.externalId}`, c]));
    return results.map((r) => {
      const c = changed.get(`${r.source}\u0000${r.externalId}`);
      return c ? { ...r, outcome: 'updated' as const, id: c.id, revision: c.revision } : r;
    });
  }

  private async flush(batch: IncomingOrder[]): Promise<WriteResult[]> {
    const started = performance.now();
    const results = await this.withRefundSignals(batch, await upsertOrders(this.deps.pool, batch));
    this.deps.metrics?.batchSize.observe(batch.length);
    this.deps.metrics?.flushSeconds.observe((performance.now() - started) / 1000);
    const written = results.flatMap((r) => (r.id !== undefined ? [{ id: r.id, revision: r.revision! }] : []));
    if (written.length > 0) {
      // Not awaited: the ack must not wait for Redis. Postgres holds the truth; the sweeper
      // re-enqueues whatever this misses.
      this.deps.trigger.enqueue(written).catch((err: unknown) => {
        this.deps.metrics?.enqueueFailures.inc(written.length);
        this.deps.logger.warn({ err: (err as Error).message, orders: written.length }, 'enqueue failed; the sweeper will retry');
      });
    }
    for (const r of results) this.deps.metrics?.orders.inc({ source: r.source, outcome: r.outcome });
    return results;
  }
}
