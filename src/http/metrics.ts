import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface IntakeMetrics {
  orders: Counter<'source' | 'outcome'>;
  rejected: Counter<'source' | 'reason'>;
  batchSize: Histogram;
  flushSeconds: Histogram;
  ackSeconds: Histogram<'source'>;
  enqueueFailures: Counter;
  /** Orders Postgres refused (the rest of their batch committed), by SQLSTATE. */
  refused: Counter<'source' | 'sqlstate'>;
  /** Batches that had to be split to isolate a refused order. */
  isolations: Counter;
}

export interface Metrics {
  registry: Registry;
  intake: IntakeMetrics;
  processed: Counter<'outcome'>;
  swept: Counter;
}

/** One registry per app instance (tests build several in one process). */
export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'orderops_' });
  const registers = [registry];
  return {
    registry,
    intake: {
      orders: new Counter({ name: 'orderops_intake_orders_total', help: 'Orders taken, by outcome (created, updated, unchanged)', labelNames: ['source', 'outcome'], registers }),
      rejected: new Counter({ name: 'orderops_intake_rejected_total', help: 'Webhook requests refused, by reason', labelNames: ['source', 'reason'], registers }),
      batchSize: new Histogram({ name: 'orderops_intake_batch_size', help: 'Orders per group commit', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000], registers }),
      flushSeconds: new Histogram({ name: 'orderops_intake_flush_seconds', help: 'Time of one group commit', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
      ackSeconds: new Histogram({ name: 'orderops_intake_ack_seconds', help: 'Webhook request to acknowledgement', labelNames: ['source'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers }),
      enqueueFailures: new Counter({ name: 'orderops_intake_enqueue_failures_total', help: 'Orders committed but not enqueued (the sweeper catches them)', registers }),
      refused: new Counter({ name: 'orderops_intake_refused_total', help: 'Orders Postgres refused while the rest of their batch committed, by SQLSTATE', labelNames: ['source', 'sqlstate'], registers }),
      isolations: new Counter({ name: 'orderops_intake_isolations_total', help: 'Group-commit batches split to isolate a refused order', registers }),
    },
    processed: new Counter({ name: 'orderops_orders_processed_total', help: 'Order processing runs, by outcome', labelNames: ['outcome'], registers }),
    swept: new Counter({ name: 'orderops_sweeper_requeued_total', help: 'Orders re-enqueued by the sweeper', registers }),
  };
}
