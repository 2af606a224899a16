import type { Queryable } from '../db/pool';
import type { ProcessingTrigger } from '../actions/ingest-orders';

export interface SweepOptions {
  /** Leave fresh orders to the normal path; only older ones are considered missed. */
  graceSeconds: number;
  /** At most this many per run (a budget, so one run after a long Redis outage stays short). */
  limit: number;
}

/**
 * Re-enqueue orders whose current revision was never processed: the enqueue after commit failed
 * (Redis down), the process died in between, or Redis lost its data. Job ids are deterministic, so
 * an order whose job is still queued is not doubled.
 */
export async function sweepUnprocessed(db: Queryable, trigger: ProcessingTrigger, opts: SweepOptions): Promise<number> {
  const { rows } = await db.query<{ id: number; revision: number }>(
    `SELECT id, revision FROM orders
     WHERE processed_revision < revision AND updated_at < now() - make_interval(secs => $1)
     ORDER BY id LIMIT $2`,
    [opts.graceSeconds, opts.limit],
  );
  if (rows.length > 0) await (trigger.sweep ?? trigger.enqueue).call(trigger, rows);
  return rows.length;
}
