import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { AppConfig, Role } from './config';
import { systemClock, type Clock } from './domain/ports';
import { createPool } from './db/pool';
import { syncStaff } from './db/staff';
import { OrderIntake } from './actions/ingest-orders';
import { createMetrics, type Metrics } from './http/metrics';
import { buildServer } from './http/server';
import { registerWebhooks } from './http/webhooks';
import { registerReadApi } from './http/read-api';
import { registerInventoryApi } from './http/inventory-api';
import { createInventoryActions, type InventoryActions } from './actions/inventory';
import { orderSources } from './http/order-sources';
import { createOrderQueue, queueTrigger, type OrderJobData } from './jobs/queues';
import { producerConnection, whenReady, workerConnection } from './jobs/redis';
import { startWorkers, type RunningWorkers, type WorkerDeps } from './jobs/workers';
import { pddMessageUrl } from './integrations/platforms/pinduoduo/sign';
import { configuredPullers } from './integrations/platforms/pullers';
import { tmcQueue } from './integrations/platforms/taobao/tmc';
import { sweepUnprocessed } from './jobs/sweep-orders';
import { cardTriggers, createCardQueues, enqueueCard, type CardQueues } from './jobs/card-jobs';
import { slaTrigger } from './jobs/sla-jobs';
import { smtpMailer } from './integrations/email/mailer';
import { smsSender } from './integrations/sms/sms-sender';
import type { ActionDeps } from './actions/exception-actions';
import type { ChatPort } from './domain/ports';
import type { ChatFront } from './bot/front';
import { createSlackFront } from './bot/slack/slack-front';
import { createFeishuFront } from './bot/feishu/feishu-front';
import { createLocalFront } from './bot/local/local-front';
import { effectiveStaff } from './bot/local/local-mode';
import { createShopPorts, pacedShopPorts } from './integrations/platforms/shop-ports';
import { erpOrderPort } from './integrations/outbound/erp-webhook';
import { createPushQueues } from './jobs/shop-push-jobs';
import type { OutboxDeps } from './actions/shop/push-deps';
import { buildCalendar, yearsWithoutData, type WorkCalendar } from './domain/calendar';
import { missingYearsText } from './present/calendar/calendar-texts';
import { offerHandoff, type OfferInput } from './actions/shift-handoff';
import type { SignalDeps } from './actions/apply-signals';
import { createSignalQueue, enqueueSignalApply } from './jobs/signal-jobs';
import { kuaidi100Subscriber } from './integrations/tracking/kuaidi100';
import { registerStageApi } from './http/stage-api';
import { registerTrackingWebhooks } from './http/tracking-webhooks';

export interface AppOptions {
  role?: Role;
  clock?: Clock;
  logger?: Logger;
  /** Extra chat ports (beside the fronts the configuration enables). */
  chats?: ChatPort[];
}

export interface App {
  config: AppConfig;
  http: FastifyInstance;
  pool: pg.Pool;
  redis: Redis;
  orderQueue: Queue<OrderJobData>;
  intake: OrderIntake;
  /** What chat fronts call: the store, the clock and the card/escalation triggers. */
  actions: ActionDeps;
  /** Inventory use cases: price requests and decisions (price.approve / price.reject clicks), imports, reports. */
  inventory: InventoryActions;
  chats: ChatPort[];
  fronts: ChatFront[];
  cardQueues: CardQueues;
  metrics: Metrics;
  logger: Logger;
  /** Listen on config.port (0 picks a free port); returns the base URL. */
  listen(): Promise<string>;
  /** Graceful: stop taking requests, commit what was taken, finish running jobs, close stores. */
  close(): Promise<void>;
}

/** The composition root: every dependency is built here and passed down, nothing is global. */
export async function createApp(config: AppConfig, opts: AppOptions = {}): Promise<App> {
  const role = opts.role ?? 'all';
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'orderops' } });
  const metrics = createMetrics();
  const { settings } = config;

  const pool = createPool(config.databaseUrl, role === 'worker' ? 12 : 20);
  // The configured staff; with none configured, the local channel's demo staff (see demo-staff.ts).
  await syncStaff(pool, effectiveStaff(config));
  const redis = producerConnection(config.redisUrl);
  // Start with a settled connection when Redis is up; when it is down, intake still runs.
  if (!(await whenReady(redis, 2000))) logger.warn('Redis is not reachable: orders are still taken and processed once it is back');
  const orderQueue = createOrderQueue(redis, config.queuePrefix);
  orderQueue.on('error', (err) => logger.debug({ err: err.message }, 'order queue error')); // surfaced per call; /readyz reports Redis
  const trigger = queueTrigger(orderQueue);

  const intake = new OrderIntake({
    pool,
    trigger,
    logger,
    metrics: metrics.intake,
    maxBatch: settings.intake.maxBatch,
    maxConcurrentFlushes: settings.intake.maxConcurrentFlushes,
    maxPending: settings.intake.maxPending,
  });

  const cardQueues = createCardQueues(redis, config.queuePrefix, logger);
  const sla = slaTrigger(cardQueues, logger);
  // Any change of an exception re-renders its cards and re-plans its SLA timer.
  const triggers = cardTriggers(cardQueues, logger, sla.changed);
  const actions: ActionDeps = { pool, clock, locale: settings.locale, ...triggers, inventory: settings.inventory };
  // The shops: one port per configured shop (and the seller's webhook), the push queues, the outbox.
  const erp = settings.erpWebhook && config.erpWebhookSecret ? { ...settings.erpWebhook, secret: config.erpWebhookSecret } : undefined;
  const shopPorts = createShopPorts({
    platforms: config.platforms, shops: settings.shops, tokens: config.shopTokens,
    webhook: erp && (erp.prices || erp.stock) ? { url: erp.url, secret: erp.secret, channel: erp.channel } : undefined,
  });
  const pushQueues = createPushQueues(redis, config.queuePrefix, logger);
  const readPorts = pacedShopPorts({ platforms: config.platforms, shops: settings.shops, tokens: config.shopTokens }, settings.shopSync.rateLimits);
  const outbox: OutboxDeps = {
    sync: settings.shopSync, timezone: settings.timezone,
    webhook: erp ? { prices: erp.prices, stock: erp.stock, channel: erp.channel } : null,
    // Best effort after commit: the dispatcher re-triggers any push whose job did not get queued.
    pushQueued: (refs) => pushQueues.enqueue(refs).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'push jobs not queued; the dispatcher will')),
  };
  const inventory = createInventoryActions({
    pool, clock, locale: settings.locale, inventory: settings.inventory, publicUrl: config.publicUrl, apiToken: config.apiToken,
    cardChanged: (key, version) => enqueueCard(cardQueues, key, version), outbox,
    poolRoles: settings.shopSync.poolRoles, pushNow: () => pushQueues.dispatchNow(),
  });
  const calendar = buildCalendar(settings.calendar);
  const handoffs = {
    offer: (input: OfferInput) => offerHandoff({ pool, clock, calendar, cards: triggers.cards, cardChanged: (key, version) => enqueueCard(cardQueues, key, version) }, input),
  };
  const frontDeps = { config, pool, actions, inventory, rules: settings.rules, clock, logger, handoffs };
  const fronts = [createSlackFront(frontDeps), createFeishuFront(frontDeps), createLocalFront(frontDeps)].filter(
    (f): f is ChatFront => f !== undefined,
  );
  const chats = [...fronts.map((f) => f.port), ...(opts.chats ?? [])];

  const sources = orderSources(config);
  // Platform signals: ship-by and tracking timers, the tracking subscription (快递100 when configured).
  const { kuaidi100 } = config;
  const subscriber = kuaidi100.key && kuaidi100.salt && kuaidi100.callbackUrl
    ? kuaidi100Subscriber({ key: kuaidi100.key, salt: kuaidi100.salt, callbackUrl: kuaidi100.callbackUrl, apiUrl: kuaidi100.apiUrl })
    : undefined;
  const signalDeps: SignalDeps = {
    settings: settings.signals, routes: settings.rules.routes, locale: settings.locale, timezone: settings.timezone,
    trackingProvider: subscriber ? 'kuaidi100' : null,
  };
  const signalQueue = createSignalQueue(redis, config.queuePrefix, logger);
  const moveDeps = { pool, trigger, trackingProvider: signalDeps.trackingProvider, clock };

  const missing = calendarGaps(calendar, clock);
  if (missing.length > 0) logger.warn({ years: missing }, missingYearsText('en', missing));
  const http = buildServer({ pool, redis, metrics, logger, warnings: () => calendarReadiness(calendar, clock, settings.locale) });
  if (role !== 'worker') {
    registerWebhooks(http, { pool, intake, sources, metrics: metrics.intake, logger, clock });
    registerTrackingWebhooks(http, {
      ...moveDeps, logger, kuaidi100Salt: kuaidi100.salt, webhookSecret: config.webhookSecret,
      rejudge: (orderId) => enqueueSignalApply(signalQueue, orderId).catch((err: unknown) =>
        logger.warn({ orderId, err: (err as Error).message }, 'signal re-check not enqueued; the order is judged again at its next event')),
    });
  }
  registerStageApi(http, { ...moveDeps, apiToken: config.apiToken });
  registerReadApi(http, { pool, apiToken: config.apiToken, locale: settings.locale });
  registerInventoryApi(http, {
    pool, clock, logger, apiToken: config.apiToken, webhookSecret: config.webhookSecret,
    imports: inventory.imports, prices: inventory.prices, reports: inventory.reports,
  });
  for (const f of fronts) f.register(http);

  let workers: RunningWorkers | undefined;
  let workerRedis: Redis | undefined;
  if (role !== 'intake') {
    workerRedis = workerConnection(config.redisUrl);
    workers = await startWorkers({
      pool, rules: settings.rules, clock, calendar, connection: workerRedis, prefix: config.queuePrefix, logger, metrics, trigger,
      concurrency: settings.processing.concurrency, sweepSeconds: settings.processing.sweepSeconds,
      settings, chats, locale: settings.locale, triggers, queues: cardQueues, registry: metrics.registry,
      mailer: config.smtp ? smtpMailer(config.smtp.url, config.smtp.from) : undefined,
      sms: config.sms ? smsSender(config.sms) : undefined,
      inventoryActions: inventory,
      reconcile: { intake, pullers: configuredPullers(config.platforms, config.shopTokens) },
      tmc: taobaoTmc(config, intake, logger),
      listings: { pool, clock, shops: settings.shops, portFor: (shop) => readPorts.shopPort(shop) },
      shopPush: {
        pool, clock, ports: shopPorts, sync: settings.shopSync, inventory: settings.inventory, queues: pushQueues,
        webhookChannel: erp?.stock ? erp.channel : null, webhookStock: erp?.stock === true,
        orders: erp?.orders ? { pool, clock, erp: erpOrderPort({ url: erp.url, secret: erp.secret }), attempts: settings.shopSync.attempts } : undefined,
        cardChanged: (key, version) => enqueueCard(cardQueues, key, version),
      },
      pmc: pddPmc(config, intake, logger),
      signalJobs: { deps: signalDeps, queue: signalQueue, subscriber },
    });
    // Catch up at once on whatever a previous run left unprocessed, rather than at the first tick.
    sweepUnprocessed(pool, trigger, { graceSeconds: 0, limit: 5000 }).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message }, 'start-up sweep failed; the scheduled sweeper will retry'),
    );
  }

  return {
    config, http, pool, redis, orderQueue, intake, actions, inventory, chats, fronts, cardQueues, metrics, logger,
    async listen() {
      const url = await http.listen({ port: config.port, host: config.host });
      for (const f of fronts) await f.start?.();
      for (const f of fronts) if (f.describe) logger.info(f.describe(url));
      return url;
    },
    async close() {
      for (const f of fronts) await f.stop?.().catch((err: unknown) => logger.warn({ err }, 'front did not stop cleanly'));
      await http.close();
      await intake.drain();
      await workers?.close();
      await orderQueue.close().catch(() => undefined);
      await cardQueues.close().catch(() => undefined);
      await pushQueues.close();
      await signalQueue.close().catch(() => undefined);
      redis.disconnect();
      workerRedis?.disconnect();
      await pool.end();
    },
  };
}

/** The current and next year (in the global zone) when the holiday calendar has no data for them. */
function calendarGaps(cal: WorkCalendar, clock: Clock): number[] {
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: cal.settings.timezone, year: 'numeric' }).format(clock.now()));
  return yearsWithoutData(cal, [year, year + 1]);
}

/** /readyz's calendar entry: ready either way, but a year without holiday data is said loudly. */
function calendarReadiness(cal: WorkCalendar, clock: Clock, locale: AppConfig['settings']['locale']): Record<string, unknown> {
  const years = calendarGaps(cal, clock);
  return { calendar: { ok: years.length === 0, years_without_data: years, ...(years.length > 0 ? { warning: missingYearsText(locale, years) } : {}) } };
}

/** Taobao's TMC consumer when `taobao_tmc.enabled` and the app's credentials are set (else a warning). */
function taobaoTmc(config: AppConfig, intake: OrderIntake, logger: Logger): WorkerDeps['tmc'] {
  const tmc = config.settings.taobaoTmc;
  if (!tmc.enabled) return undefined;
  const { appKey, appSecret, apiUrl } = config.platforms.taobao;
  if (!appKey || !appSecret) {
    logger.warn('taobao_tmc is enabled but TAOBAO_APP_KEY / TAOBAO_APP_SECRET are not set: Taobao messages are not consumed');
    return undefined;
  }
  return { intake, queue: tmcQueue({ baseUrl: apiUrl, appKey, appSecret }, tmc.group, tmc.quantity), rejectReason: 'tmc_message', pollSeconds: tmc.pollSeconds };
}

/** Pinduoduo's message connection when `pdd_pmc.enabled` and the app's credentials are set (else a warning). */
function pddPmc(config: AppConfig, intake: OrderIntake, logger: Logger): WorkerDeps['pmc'] {
  if (!config.settings.pddPmc.enabled) return undefined;
  const { clientId, clientSecret, messageUrl } = config.platforms.pdd;
  if (!clientId || !clientSecret) {
    logger.warn('pdd_pmc is enabled but PDD_CLIENT_ID / PDD_CLIENT_SECRET are not set: Pinduoduo messages are not received');
    return undefined;
  }
  return { intake, url: () => pddMessageUrl(clientId, Date.now(), clientSecret, messageUrl) };
}
