import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { DateTime } from 'luxon';
import pino from 'pino';
import { readConfig } from '../config';
import { OrderIntake } from '../actions/ingest-orders';
import { reconcileShop, type ReconcileSummary } from '../actions/reconcile-shop';
import { problemText } from '../actions/reconcile-store';
import { createPool } from '../db/pool';
import { systemClock, type Clock } from '../domain/ports';
import { SHOP_SOURCES, type ShopSettings, type ShopSource } from '../domain/reconcile/shop';
import { configuredPullers, type PullerHttp } from '../integrations/platforms/pullers';
import { createOrderQueue, queueTrigger } from '../jobs/queues';
import { producerConnection, whenReady } from '../jobs/redis';
import { createCardQueues, enqueueCard } from '../jobs/card-jobs';
import { sourceLabel } from '../present/cards/reconcile-card-texts';
import { t, type Locale } from '../present/i18n';

export const RECONCILE_HELP = `orderops reconcile — compare a shop's order list on its platform with what is stored, and ingest what is missing

Usage: orderops reconcile --source douyin|shopify|taobao|pinduoduo|jd [--shop <id>] --since <time> [--until <time>] [--dry-run]

  --source   the platform: every shop of it under shops: in orderops.yml, unless --shop names one
  --shop     one shop id from shops:
  --since    start of the window: ISO 8601 (2026-01-08T20:00:00+08:00; without an offset the
             configured time zone) or a duration ago (90m, 3h, 2d)
  --until    end of the window, same forms (default: now)
  --dry-run  pull and compare only: store nothing, post no card

Missing orders go through the same intake as a push (deduplicated, an older version never wins)
and are processed by the running bot; a run that found something posts a reconcile card.
Exit code 0 when every window was read completely, 1 when a run is incomplete or could not run
(the summary says where to resume), 2 on bad usage.`;

export interface ReconcileCommandOptions {
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
  printError?: (line: string) => void;
  clock?: Clock;
  /** Progress on a TTY as a bar; elsewhere a line every few seconds; nothing when quiet. */
  progress?: 'bar' | 'lines' | 'none';
  /** Test seams: the back-off between retries and the pull clients' HTTP options. */
  sleep?: (ms: number) => Promise<void>;
  http?: PullerHttp;
}

class UsageError extends Error {}

/** `orderops reconcile …`: 0 when every run is complete, 1 when one is not, 2 on bad usage. */
export async function reconcileCommand(argv: string[], o: ReconcileCommandOptions = {}): Promise<number> {
  const print = o.print ?? ((l: string) => console.log(l));
  const printError = o.printError ?? ((l: string) => console.error(l));
  const clock = o.clock ?? systemClock;
  let values: { source?: string; shop?: string; since?: string; until?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        shop: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    printError(`${(e as Error).message}\n\n${RECONCILE_HELP}`);
    return 2;
  }
  if (values.help) {
    print(RECONCILE_HELP);
    return 0;
  }
  const config = readConfig(o.env);
  const { settings } = config;
  const locale: Locale = settings.locale;
  let shops: ShopSettings[];
  let since: Date;
  let until: Date;
  try {
    shops = pickShops(settings.shops, values.source, values.shop);
    const now = clock.now();
    if (!values.since) throw new UsageError('--since is required: an ISO time (2026-01-08T20:00:00+08:00) or a duration ago (3h)');
    since = parseWhen(values.since, now, settings.timezone, '--since');
    until = values.until ? parseWhen(values.until, now, settings.timezone, '--until') : now;
    if (!(until.getTime() > since.getTime())) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  } catch (e) {
    if (e instanceof UsageError) {
      printError(e.message);
      return 2;
    }
    throw e;
  }

  // Warnings (retries) and worse by default: the summary is the command's output. LOG_LEVEL still goes up or down.
  const level = ['debug', 'trace', 'error', 'fatal', 'silent'].includes(config.logLevel) ? config.logLevel : 'warn';
  const logger = pino({ level, base: { app: 'orderops', cmd: 'reconcile' } }, pino.destination(2));
  const pool = createPool(config.databaseUrl, 4);
  const redis = producerConnection(config.redisUrl);
  if (!(await whenReady(redis, 2000))) {
    printError('Redis is not reachable: recovered orders are still stored, and the bot processes them (and posts the card) once its sweeper runs.');
  }
  const orderQueue = createOrderQueue(redis, config.queuePrefix);
  orderQueue.on('error', () => undefined);
  const cardQueues = createCardQueues(redis, config.queuePrefix, logger);
  const intake = new OrderIntake({
    pool, trigger: queueTrigger(orderQueue), logger,
    maxBatch: settings.intake.maxBatch, maxConcurrentFlushes: settings.intake.maxConcurrentFlushes, maxPending: settings.intake.maxPending,
  });
  const pullers = configuredPullers(config.platforms, config.shopTokens, o.http);
  let code = 0;
  try {
    for (const shop of shops) {
      const lookback = pullers(shop);
      if (lookback.ok && lookback.puller.maxLookbackDays && clock.now().getTime() - since.getTime() > lookback.puller.maxLookbackDays * 86_400_000) {
        printError(t(locale, 'reconcile.cli.lookback', { source: sourceLabel(locale, shop.source), days: lookback.puller.maxLookbackDays }));
      }
      const progress = progressReporter(o.progress ?? (process.stdout.isTTY ? 'bar' : o.print ? 'none' : 'lines'), shop.id, print);
      const outcome = await reconcileShop(
        {
          pool, intake, pullers, clock, logger, via: 'cli', sleep: o.sleep, onProgress: progress.update,
          cardChanged: (key, version) => enqueueCard(cardQueues, key, version),
        },
        { shop, since, until, dryRun: values['dry-run'], trigger: 'cli' },
      );
      progress.stop();
      if (!outcome.ok) {
        printError(t(locale, 'reconcile.cli.refused', { shop: shop.id, reason: outcome.reason }));
        code = 1;
        continue;
      }
      for (const line of summaryLines(outcome.run, locale, settings.timezone, shop.team)) print(line);
      if (!outcome.run.complete) code = 1;
    }
  } finally {
    await intake.drain();
    await Promise.all([orderQueue.close(), cardQueues.close()]).catch(() => undefined);
    redis.disconnect();
    await pool.end();
  }
  return code;
}

/** The shops a command names: every shop of the source, or the one --shop names (which must be of that source). */
export function pickShops(shops: ShopSettings[], source: string | undefined, shopId: string | undefined): ShopSettings[] {
  if (!source || !(SHOP_SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`--source must be one of ${SHOP_SOURCES.join(', ')}${source ? ` (got "${source}")` : ''}`);
  }
  const ofSource = shops.filter((s) => s.source === (source as ShopSource));
  if (shopId) {
    const shop = shops.find((s) => s.id === shopId);
    if (!shop) throw new UsageError(`no shop "${shopId}" under shops: in orderops.yml (configured: ${shops.map((s) => s.id).join(', ') || 'none'})`);
    if (shop.source !== source) throw new UsageError(`shop "${shopId}" is a ${shop.source} shop, not ${source}`);
    return [shop];
  }
  if (ofSource.length === 0) {
    throw new UsageError(`no ${source} shop under shops: in orderops.yml — add one (id, source, token_env; see orderops.example.yml)`);
  }
  return ofSource;
}

/** "2026-01-08T20:00:00+08:00", "2026-01-08 20:00" (in `zone`), "now", or a duration ago: "90m", "3h", "2d". */
export function parseWhen(text: string, now: Date, zone: string, flag = 'time'): Date {
  const v = text.trim();
  if (v === 'now') return now;
  const ago = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/i.exec(v);
  if (ago) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2]!.toLowerCase() as 'm' | 'min' | 'h' | 'd'];
    return new Date(now.getTime() - Number(ago[1]) * unit);
  }
  const dt = DateTime.fromISO(v.replace(' ', 'T'), { zone, setZone: true });
  if (!dt.isValid) throw new UsageError(`${flag} "${text}" is not a time: use ISO 8601 (2026-01-08T20:00:00+08:00) or a duration ago (90m, 3h, 2d)`);
  return dt.toJSDate();
}

/** The run summary as the command prints it. */
export function summaryLines(run: ReconcileSummary, locale: Locale, timezone: string, team: string): string[] {
  const time = (iso: string) => DateTime.fromISO(iso).setZone(timezone).toFormat('yyyy-MM-dd HH:mm:ss');
  const f = run.figures;
  const lines = [
    t(locale, 'reconcile.cli.header', { shop: run.shopName, source: sourceLabel(locale, run.source), since: time(run.since), until: time(run.until), dryRun: run.dryRun }),
    t(locale, 'reconcile.cli.figures', { platform: f.platform, had: f.had, missing: f.missing, ingested: f.ingested, updated: f.updated, pages: f.pages }),
  ];
  if (run.retries > 0) lines.push(t(locale, 'reconcile.cli.retries', { count: run.retries }));
  for (const p of run.problems.slice(0, 5)) lines.push(t(locale, 'reconcile.cli.problem', { text: problemText(p) }));
  lines.push(t(locale, run.complete ? 'reconcile.cli.complete' : 'reconcile.cli.incomplete', { run: run.runId }));
  if (run.resumeFrom) {
    const command = `orderops reconcile --source ${run.source} --shop ${run.shopId} --since ${run.resumeFrom} --until ${run.until}${run.dryRun ? ' --dry-run' : ''}`;
    lines.push(t(locale, 'reconcile.cli.resume', { command }));
  }
  if (run.card.kind === 'post') lines.push(t(locale, 'reconcile.cli.card.post', { team }));
  if (run.card.kind === 'fold') lines.push(t(locale, 'reconcile.cli.card.fold', { run: run.card.into }));
  if (run.covered.length > 0) lines.push(t(locale, 'reconcile.cli.covered', { runs: run.covered.map((id) => `#${id}`).join(', ') }));
  return lines;
}

function progressReporter(mode: 'bar' | 'lines' | 'none', shop: string, print: (l: string) => void) {
  if (mode === 'bar') {
    const bar = new SingleBar(
      { format: `${shop} |{bar}| {percentage}% · {pages} pages · {listed} listed · {missing} missing`, hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(100, 0, { pages: 0, listed: 0, missing: 0 });
    return {
      update: (p: { pages: number; listed: number; missing: number; fraction: number }) => bar.update(Math.round(p.fraction * 100), p),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p: { pages: number; listed: number; missing: number; fraction: number }) => {
      if (mode !== 'lines' || Date.now() - last < 5000) return;
      last = Date.now();
      print(`  ${shop}: ${Math.round(p.fraction * 100)}% · ${p.pages} pages · ${p.listed} listed · ${p.missing} missing`);
    },
    stop: () => undefined,
  };
}
