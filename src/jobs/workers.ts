import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { processOrder, type ProcessDeps } from '../actions/process-order';
import type { ProcessingTrigger } from '../actions/ingest-orders';
import type { Metrics } from '../http/metrics';
import { JOB_ORDERS_SWEEP, QUEUE_MAINTENANCE, QUEUE_ORDERS, QUICK_JOB_WORKER, type OrderJobData } from './queues';
import { sweepUnprocessed } from './sweep-orders';
import { startCardWorkers, sweepCards, type CardQueues } from './card-jobs';
import { startSlaWorkers, sweepSla } from './sla-jobs';
import { startBacklogWorker } from './backlog-jobs';
import { buildCalendar } from '../domain/calendar';
import { recomputeDueTimes } from '../actions/recompute-due';
import { checkHandoffs, handoffTeams } from '../actions/shift-handoff';
import { cardViews } from '../config/calendar-settings';
import { checkSilence } from '../actions/check-silence';
import { enqueueCard } from './card-jobs';
import type { Mailer } from '../integrations/email/mailer';
import type { SmsSender } from '../integrations/sms/sms-sender';
import type { Registry } from 'prom-client';
import type { ActionDeps } from '../actions/exception-actions';
import type { ChatPort } from '../domain/ports';
import type { Settings } from '../config/settings';
import type { Locale } from '../present/i18n';
import type { InventoryActions } from '../actions/inventory';
import { startInventoryWorker } from './consistency-jobs';
import { startReconcileWorker } from './reconcile-jobs';
import { enqueueDetail, startDetailWorker } from './detail-jobs';
import { startTmcWorker, type TmcWorkerDeps } from './tmc-jobs';
import { PmcConnection, pmcShopMessages } from '../integrations/platforms/pinduoduo/pmc';
import { takeShopMessages } from '../actions/take-shop-messages';
import { shopOfOrder } from '../domain/reconcile/shop';
import type { OrderIntake } from '../actions/ingest-orders';
import type { PullerFor } from '../integrations/platforms/pullers';
import { startPushWorkers, type PushWorkerDeps } from './shop-push-jobs';
import { startListingWorker } from './listing-jobs';
import { publishDuePriceChanges } from '../actions/inventory/price-changes';
import { pullAllListings, type ListingPullDeps } from '../actions/shop/pull-listings';
import type { SignalDeps } from '../actions/apply-signals';
import type { TrackingSubscriber } from '../domain/tracking';
import { followSignals, startSignalWorker, sweepSignals } from './signal-jobs';

export interface WorkerDeps extends ProcessDeps {
  pool: pg.Pool;
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: Metrics;
  trigger: ProcessingTrigger;
  concurrency: number;
  sweepSeconds: number;
  settings: Settings;
  chats: ChatPort[];
  locale: Locale;
  triggers: Pick<ActionDeps, 'cards' | 'escalations'>;
  queues: CardQueues;
  registry: Registry;
  mailer?: Mailer;
  sms?: SmsSender;
  /** The inventory use cases: with them, the daily consistency report and the inventory sweep run. */
  inventoryActions?: InventoryActions;
  /** The intake and the shops' pull clients: with them, each configured shop is reconciled on its schedule. */
  reconcile?: { intake: Pick<OrderIntake, 'ingest'>; pullers: PullerFor };
  /** Pinduoduo's message service: the connection to hold open (pdd_pmc.enabled with the app's credentials). */
  pmc?: { url: () => string; intake: Pick<OrderIntake, 'ingest'> };
  /** Taobao's TMC queue, polled (taobao_tmc.enabled with the app's credentials). */
  tmc?: Omit<TmcWorkerDeps, 'connection' | 'prefix' | 'logger' | 'pool'>;
  /** Pushes to the shops: each platform's queue and the dispatcher (shop_sync). */
  shopPush?: Omit<PushWorkerDeps, 'connection' | 'prefix' | 'logger'>;
  /** Listing pulls of the configured shops (on a schedule and before the daily report). */
  listings?: Omit<ListingPullDeps, 'logger'>;
  /** Platform signals: ship-by and tracking timers on their queue, and the tracking subscriber when configured. */
  signalJobs?: { deps: SignalDeps; queue: Queue; subscriber?: TrackingSubscriber };
}

export interface RunningWorkers {
  close(): Promise<void>;
}

/** Start the order worker and the maintenance worker with its once-per-schedule sweeper. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { connection, prefix, logger, metrics } = deps;
  // The work calendar (holidays, 调休, shifts, on-call) for business-clock SLAs, escalation and handoffs.
  const calendar = deps.calendar ?? buildCalendar(deps.settings.calendar);
  // Processing reserves stock from channel pools (inventory settings).
  const processDeps: ProcessDeps = { ...deps, inventory: deps.settings.inventory, calendar, signals: deps.signalJobs?.deps };
  const signalFollow = deps.signalJobs && { queue: deps.signalJobs.queue, cards: deps.triggers.cards, clock: deps.clock };
  // Thin platform pushes are followed by a fetch of the whole order (where the platform has one).
  const details = deps.reconcile
    ? startDetailWorker({ pool: deps.pool, shops: deps.settings.shops, ...deps.reconcile, connection, prefix, logger })
    : undefined;
  const processOne = async (orderId: number) => {
    const outcome = await processOrder(processDeps, orderId);
    metrics.processed.inc({ outcome: outcome.status });
    if (outcome.status === 'processed' && outcome.thin && details) {
      await enqueueDetail(details.queue, orderId, outcome.thin.revision).catch((err: unknown) =>
        logger.warn({ orderId, err: (err as Error).message }, 'order detail fetch not enqueued; reconciliation will fill it'));
    }
    if (outcome.status === 'processed') {
      if (outcome.opened.length > 0) logger.info({ orderId, opened: outcome.opened.map((o) => o.id) }, 'exceptions opened');
      for (const ref of [...outcome.opened, ...outcome.closed]) await deps.triggers.cards.changed(ref.id, ref.version);
      for (const c of outcome.cards ?? []) await enqueueCard(deps.queues, c.key, c.version);
      // Best effort, like the card triggers: the maintenance sweep arms any timer whose job is missing.
      if (outcome.signals && signalFollow) {
        await followSignals(signalFollow, orderId, outcome.signals).catch((err: unknown) =>
          logger.warn({ orderId, err: (err as Error).message }, 'signal timers not enqueued; the sweeper will arm them'));
      }
    }
    return outcome.status;
  };
  const orders = new Worker<OrderJobData>(
    QUEUE_ORDERS,
    async (job) => {
      if (job.data.orderId !== undefined) return processOne(job.data.orderId);
      // A batch from one group commit: a few at a time, each order idempotent on its own, so a
      // retry after a failure re-runs only what is not done yet.
      const ids = (job.data.orders ?? []).map((o) => o.id);
      let next = 0;
      const lane = async () => {
        while (next < ids.length) await processOne(ids[next++]!);
      };
      await Promise.all([lane(), lane()]);
      return ids.length;
    },
    { connection, prefix, concurrency: deps.concurrency, ...QUICK_JOB_WORKER },
  );
  orders.on('error', (err) => logger.warn({ err: err.message }, 'order worker error (Redis connection?)'));
  orders.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'order processing failed'));

  const slaDeps = {
    ...deps, policy: deps.settings.escalation, timezone: deps.settings.timezone, queues: { sla: deps.queues.sla, notify: deps.queues.notify },
    cards: deps.triggers.cards, calendar,
  };
  const names = new Map(deps.settings.staff.map((m) => [m.id, m.name]));
  const handoffDeps = {
    pool: deps.pool, clock: deps.clock, calendar, teams: handoffTeams(calendar, deps.settings.teams),
    staffName: (id: string) => names.get(id) ?? id, cardChanged: (key: string, version: number) => enqueueCard(deps.queues, key, version),
  };
  // Ship-by and tracking timers: Postgres holds them; the sweep fires what is due with no live job.
  const signalSweep = deps.signalJobs && ((horizonMs?: number) =>
    sweepSignals({ pool: deps.pool, clock: deps.clock, queue: deps.signalJobs!.queue, subscribing: deps.signalJobs!.subscriber !== undefined }, { horizonMs }));
  const signalWorker = deps.signalJobs
    ? startSignalWorker({ pool: deps.pool, clock: deps.clock, signals: deps.signalJobs.deps, queue: deps.signalJobs.queue, cards: deps.triggers.cards, logger, subscriber: deps.signalJobs.subscriber, connection, prefix })
    : undefined;
  const maintenanceQueue = new Queue(QUEUE_MAINTENANCE, { connection, prefix });
  maintenanceQueue.on('error', (err) => logger.warn({ err: err.message }, 'maintenance queue error'));
  // A job scheduler fires once per interval however many copies of the bot run.
  const declareSweep = () => maintenanceQueue.upsertJobScheduler(JOB_ORDERS_SWEEP, { every: deps.sweepSeconds * 1000 }, { name: JOB_ORDERS_SWEEP });
  await declareSweep();
  const maintenance = new Worker(
    QUEUE_MAINTENANCE,
    async (job) => {
      if (job.name !== JOB_ORDERS_SWEEP) return 'unknown';
      const n = await sweepUnprocessed(deps.pool, deps.trigger, { graceSeconds: 15, limit: 5000 });
      metrics.swept.inc(n);
      if (n > 0) logger.warn({ requeued: n }, 'sweeper re-enqueued unprocessed orders');
      const c = await sweepCards({ ...deps, storm: deps.settings.storm, trigger: deps.triggers });
      if (c > 0) logger.warn({ cards: c }, 'sweeper re-enqueued cards that were missing or behind');
      // Shops gone quiet during their active hours (shops[].silence): one card each, cleared on resume.
      for (const a of await checkSilence({ pool: deps.pool, clock: deps.clock, shops: deps.settings.shops, timezone: deps.settings.timezone })) {
        await enqueueCard(deps.queues, `silence:${a.id}`, a.version);
      }
      const s = await sweepSla(slaDeps);
      if (s.timers + s.planned + s.notifications > 0) logger.warn(s, 'sweeper re-enqueued SLA timers or notifications');
      const sig = signalSweep ? await signalSweep() : undefined;
      if (sig && sig.timers + sig.subscriptions > 0) logger.info(sig, 'sweeper enqueued due signal timers or subscriptions');
      // A handoff card at each shift start of each team with hours (once per team and shift).
      const h = await checkHandoffs(handoffDeps);
      if (h.length > 0) logger.info({ handoffs: h }, 'shift handoffs posted');
      return { orders: n, cards: c, sla: s, signals: sig, handoffs: h.length };
    },
    { connection, prefix, concurrency: 1 },
  );
  maintenance.on('error', (err) => logger.warn({ err: err.message }, 'maintenance worker error'));
  maintenance.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'maintenance job failed'));

  const cardWorkers = startCardWorkers({ ...deps, storm: deps.settings.storm, concurrency: 4, ...cardViews(deps.settings, calendar) });
  const slaWorkers = startSlaWorkers(slaDeps);
  const backlogWorker = await startBacklogWorker({
    pool: deps.pool, clock: deps.clock, backlog: deps.settings.backlog, connection, prefix, logger,
    cardChanged: (key, version) => enqueueCard(deps.queues, key, version),
  });
  const sync = deps.settings.shopSync;
  const listingDeps = deps.listings ? { ...deps.listings, logger } : undefined;
  const inventoryWorker = deps.inventoryActions
    ? await startInventoryWorker({
        ...deps.inventoryActions.reports, prices: deps.inventoryActions.prices, connection, prefix, logger, chats: deps.chats,
        cardChanged: (key, version) => enqueueCard(deps.queues, key, version),
        beforeReport: listingDeps && sync.listings.enabled
          ? async () => void (await pullAllListings(listingDeps, { trigger: 'report', freshWithinMinutes: sync.listings.beforeReportMinutes + 10 }))
          : undefined,
      })
    : undefined;
  const listingWorker = listingDeps
    ? await startListingWorker({ ...listingDeps, connection, prefix, sync, report: deps.settings.inventory.report })
    : undefined;
  const reconcileWorker = deps.reconcile
    ? await startReconcileWorker({
        pool: deps.pool, clock: deps.clock, logger, connection, prefix, shops: deps.settings.shops, chats: deps.chats, ...deps.reconcile,
        cardChanged: (key, version) => enqueueCard(deps.queues, key, version),
      })
    : undefined;
  const prices = deps.inventoryActions?.prices;
  const pushWorkers = deps.shopPush && deps.settings.shopSync.enabled
    ? await startPushWorkers({ ...deps.shopPush, connection, prefix, logger, publishDue: prices ? () => publishDuePriceChanges(prices) : undefined })
    : undefined;
  const tmcWorker = deps.tmc ? await startTmcWorker({ ...deps.tmc, pool: deps.pool, connection, prefix, logger }) : undefined;
  const pmc = deps.pmc
    ? new PmcConnection({
        url: deps.pmc.url, logger,
        take: async (reads) => {
          // Orders are stored under the configured shop's id, as pulled PDD orders are.
          const shopOf = (mall: string) => shopOfOrder(deps.settings.shops, 'pinduoduo', mall)?.id ?? mall;
          const messages = pmcShopMessages(reads, shopOf, deps.clock.now().toISOString());
          return (await takeShopMessages({ pool: deps.pool, intake: deps.pmc!.intake, logger }, 'pinduoduo', 'pmc_message', messages)).ack;
        },
      })
    : undefined;
  pmc?.start();
  // Re-arm every timer of the next day at start: a Redis restart or wipe loses no escalation.
  const rearm = () => Promise.all([sweepSla(slaDeps, { horizonMs: 24 * 3600_000 }), signalSweep?.(24 * 3600_000)])
    .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'SLA / signal timer re-arm sweep failed'));
  // Business-clock due times follow the calendar as now configured (a holiday entered, hours changed).
  void recomputeDueTimes({ pool: deps.pool, clock: deps.clock, calendar })
    .then(async (moved) => {
      if (moved.length > 0) logger.info({ exceptions: moved.length }, 'business-clock due times recomputed after a calendar change');
      for (const m of moved) await deps.triggers.cards.changed(m.id, m.version);
    })
    .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'recomputing due times failed'))
    .then(rearm);

  // A Redis that restarted empty has forgotten every job scheduler (the sweeps, backlog, the 09:00
  // report, reconciliation) and every delayed timer. When the connection comes back, declare them
  // again (idempotent, and harmless from several copies) and re-arm the SLA timers from Postgres.
  let firstReady = connection.status === 'ready';
  const onReady = () => {
    if (!firstReady) {
      firstReady = true;
      return;
    }
    logger.warn('Redis connection is back: declaring job schedulers and re-arming SLA timers');
    Promise.all([declareSweep(), backlogWorker.declareSchedules(), inventoryWorker?.declareSchedules(), reconcileWorker?.declareSchedules(), tmcWorker?.declareSchedules(), pushWorkers?.declareSchedules(), listingWorker?.declareSchedules()])
      .then(rearm)
      .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'could not declare job schedulers after a Redis reconnect'));
  };
  connection.on('ready', onReady);

  return {
    async close() {
      connection.off('ready', onReady);
      await Promise.all([orders.close(), details?.close(), maintenance.close(), cardWorkers.close(), slaWorkers.close(), backlogWorker.close(), inventoryWorker?.close(), reconcileWorker?.close(), tmcWorker?.close(), pushWorkers?.close(), listingWorker?.close(), pmc?.close(), signalWorker?.close()]);
      await maintenanceQueue.close();
    },
  };
}
