import { parseArgs } from 'node:util';
import pino from 'pino';
import { readConfig } from '../config';
import { OrderIntake } from '../actions/ingest-orders';
import { createPool } from '../db/pool';
import { getRejection, listRejections, markReplayed, type RejectionRow } from '../db/rejects';
import { systemClock, type Clock } from '../domain/ports';
import { takePayload } from '../http/intake-request';
import { orderSources } from '../http/order-sources';
import { createOrderQueue, queueTrigger } from '../jobs/queues';
import { producerConnection, whenReady } from '../jobs/redis';
import { formatTime, t, type Locale } from '../present/i18n';
import { neutralise } from '../present/neutralise';

export const REJECTED_HELP = `orderops rejected — payloads the intake refused (400/422), kept with their reason and exact bytes

Usage:
  orderops rejected list [--since <t>] [--until <t>] [--source <s>] [--reason <r>] [--pending] [--limit 50]
  orderops rejected show <id> [--raw]
  orderops rejected replay <id> [<id> …] [--dry-run]
  orderops rejected replay --all [--since <t>] [--until <t>] [--source <s>] [--reason <r>] [--limit 500] [--dry-run]

  --since/--until  ISO 8601 (2026-01-08T20:00:00+08:00) or a duration ago (90m, 3h, 2d)
  --reason         malformed_json, too_deep, schema, unstorable, tmc_message, pmc_message …
  --pending        only payloads never replayed, or refused again when replayed
  --raw            show: write the exact bytes received to stdout, nothing else
  --all            replay: every pending payload that matches (never one already stored by a replay)
  --dry-run        replay: say what would be replayed, change nothing

A replay sends the kept bytes through the same path as a webhook request (JSON, schema, group
commit, dedupe: an order stored since answers "unchanged") with today's code and orderops.yml, so
fix the config or upgrade first. The outcome is recorded on the row (see show). Payloads from pulls
and platform messages are not replayed: the next orderops reconcile pulls those orders again.
Exit code 0 when every replayed payload was stored, 1 otherwise, 2 on bad usage.`;

export interface RejectedCommandOptions {
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
  printError?: (line: string) => void;
  /** Raw bytes for `show --raw` (stdout by default). */
  write?: (bytes: Buffer) => void;
  clock?: Clock;
}

class UsageError extends Error {}

/** `orderops rejected list|show|replay …`. */
export async function rejectedCommand(argv: string[], o: RejectedCommandOptions = {}): Promise<number> {
  const print = o.print ?? ((l: string) => console.log(l));
  const printError = o.printError ?? ((l: string) => console.error(l));
  const clock = o.clock ?? systemClock;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv, clock.now());
  } catch (e) {
    printError(`${(e as Error).message}\n\n${REJECTED_HELP}`);
    return 2;
  }
  if (parsed.help) {
    print(REJECTED_HELP);
    return 0;
  }
  const config = readConfig(o.env);
  const locale = config.settings.locale;
  const tz = config.settings.timezone;
  const time = (d: Date) => formatTime(d.toISOString(), tz, locale, clock.now());
  const pool = createPool(config.databaseUrl, 4);
  try {
    if (parsed.command === 'list') {
      const rows = await listRejections(pool, { ...parsed.filter, limit: parsed.limit ?? 50 });
      if (rows.length === 0) print(t(locale, 'rejected.list.none'));
      else print(t(locale, 'rejected.list.header'));
      for (const r of rows) print(neutralise(listLine(r, locale, time)));
      if (rows.length === (parsed.limit ?? 50)) print(t(locale, 'rejected.list.more', { limit: rows.length }));
      return 0;
    }
    if (parsed.command === 'show') {
      const r = await getRejection(pool, parsed.ids[0]!);
      if (!r) {
        printError(t(locale, 'rejected.show.missing', { id: parsed.ids[0] }));
        return 1;
      }
      if (parsed.raw) (o.write ?? ((b: Buffer) => process.stdout.write(b)))(r.body);
      else print(neutralise(showText(r, locale, time)));
      return 0;
    }
    return await replay(parsed, { pool, config, locale, print, clock });
  } finally {
    await pool.end();
  }
}

function parse(argv: string[], now: Date) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      source: { type: 'string' },
      reason: { type: 'string' },
      pending: { type: 'boolean', default: false },
      limit: { type: 'string' },
      raw: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) return { help: true as const, command: 'list' as const, ids: [], filter: {}, raw: false, all: false, dryRun: false, limit: undefined };
  if (command !== 'list' && command !== 'show' && command !== 'replay') throw new UsageError(`unknown subcommand "${command}": use list, show or replay`);
  const ids = rest.map((s) => {
    const n = Number(s.replace(/^#/, ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`"${s}" is not a rejected payload id`);
    return n;
  });
  if (command === 'show' && ids.length !== 1) throw new UsageError('show takes exactly one id');
  if (command === 'replay' && ids.length === 0 && !values.all) throw new UsageError('replay takes ids, or --all with filters');
  if (command === 'replay' && ids.length > 0 && values.all) throw new UsageError('give ids or --all, not both');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw new UsageError('--limit must be a whole number from 1 to 10000');
  return {
    help: false as const,
    command: command as 'list' | 'show' | 'replay',
    ids,
    filter: {
      since: values.since ? when(values.since, now, '--since') : undefined,
      until: values.until ? when(values.until, now, '--until') : undefined,
      source: values.source,
      reason: values.reason,
      pending: values.pending,
    },
    raw: values.raw,
    all: values.all,
    dryRun: values['dry-run'],
    limit,
  };
}

/** ISO 8601 with an offset, or a duration ago: 90m, 3h, 2d. */
function when(s: string, now: Date, flag: string): Date {
  const ago = /^(\d+)([mhd])$/.exec(s.trim());
  if (ago) return new Date(now.getTime() - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']);
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || !/[zZ]|[+-]\d\d:?\d\d$/.test(s)) throw new UsageError(`${flag} must be ISO 8601 with an offset or a duration such as 3h; got "${s}"`);
  return new Date(ms);
}

function firstProblem(r: RejectionRow): string {
  const e = Array.isArray(r.errors) ? (r.errors[0] as { index?: number; field?: string; message?: string } | undefined) : undefined;
  if (!e) return '—';
  const text = `${e.index !== undefined ? `[${e.index}].` : ''}${e.field ? `${e.field}: ` : ''}${e.message ?? ''}`;
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function replayedText(r: RejectionRow, locale: Locale, time: (d: Date) => string): string {
  return r.replayed_at ? t(locale, 'rejected.replayed.at', { count: r.replays, status: r.replay_status, at: time(r.replayed_at) }) : t(locale, 'rejected.replayed.never');
}

function listLine(r: RejectionRow, locale: Locale, time: (d: Date) => string): string {
  return t(locale, 'rejected.list.row', {
    id: r.id, at: time(r.received_at), source: r.source, via: r.via, status: r.http_status, reason: r.reason,
    problem: firstProblem(r), replayed: replayedText(r, locale, time),
  });
}

function showText(r: RejectionRow, locale: Locale, time: (d: Date) => string): string {
  const lines = [t(locale, 'rejected.show.head', { id: r.id, source: r.source, via: r.via, at: time(r.received_at), remote: r.remote_addr ?? '—' })];
  lines.push(t(locale, 'rejected.show.answer', { status: r.http_status, reason: r.reason }));
  for (const e of (Array.isArray(r.errors) ? r.errors : []) as { index?: number; field?: string; message?: string }[]) {
    lines.push(t(locale, 'rejected.show.problem', { where: e.index !== undefined ? `[${e.index}].` : '', field: e.field ?? '(body)', message: e.message ?? '' }));
  }
  if (r.replayed_at) {
    lines.push(t(locale, 'rejected.show.replays', { count: r.replays, at: time(r.replayed_at), status: r.replay_status, result: JSON.stringify(r.replay_result) }));
  }
  let body: string;
  let note = '';
  try {
    body = JSON.stringify(JSON.parse(r.body.toString('utf8')), null, 2);
  } catch {
    body = r.body.toString('utf8');
    note = t(locale, 'rejected.show.body_not_json');
  }
  if (body.length > 20_000) body = `${body.slice(0, 20_000)}\n…`;
  lines.push(t(locale, 'rejected.show.body', { bytes: r.body.length, note }), body, t(locale, 'rejected.show.body_raw'));
  return lines.join('\n');
}

interface ReplayDeps {
  pool: ReturnType<typeof createPool>;
  config: ReturnType<typeof readConfig>;
  locale: Locale;
  print: (line: string) => void;
  clock: Clock;
}

async function replay(p: Extract<ReturnType<typeof parse>, { help: false }>, d: ReplayDeps): Promise<number> {
  const { pool, config, locale, print, clock } = d;
  const rows: RejectionRow[] = [];
  if (p.ids.length > 0) {
    for (const id of p.ids) {
      const r = await getRejection(pool, id);
      if (!r) print(t(locale, 'rejected.show.missing', { id }));
      else rows.push(r);
    }
  } else {
    rows.push(...(await listRejections(pool, { ...p.filter, pending: true, limit: p.limit ?? 500 })).reverse());
  }
  if (rows.length === 0) {
    print(t(locale, 'rejected.replay.none'));
    return p.ids.length > 0 ? 1 : 0;
  }
  if (p.dryRun) {
    for (const r of rows) print(neutralise(t(locale, 'rejected.replay.would', { id: r.id, source: r.source, reason: r.reason })));
    print(t(locale, 'rejected.replay.dry_run'));
    return 0;
  }
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const redis = producerConnection(config.redisUrl);
  // Without Redis the replayed orders are still stored; the running bot's sweeper processes them.
  await whenReady(redis, 2000);
  const orderQueue = createOrderQueue(redis, config.queuePrefix);
  orderQueue.on('error', () => undefined);
  const { intake: s } = config.settings;
  const intake = new OrderIntake({ pool, trigger: queueTrigger(orderQueue), logger, maxBatch: s.maxBatch, maxConcurrentFlushes: s.maxConcurrentFlushes, maxPending: s.maxPending });
  const sources = orderSources(config);
  const tally = { ok: 0, refused: 0, failed: 0 };
  try {
    for (const r of rows) {
      const source = sources.get(r.source);
      if (r.via !== 'webhook') {
        const hint = t(locale, `rejected.replay.hint.${r.via === 'pull' || r.via === 'listings' || r.via === 'tracking' ? r.via : 'message'}`, { source: r.source });
        print(t(locale, 'rejected.replay.not_replayable', { id: r.id, via: r.via, hint }));
        tally.failed++;
        continue;
      }
      if (!source) {
        print(t(locale, 'rejected.replay.unknown_source', { id: r.id, source: r.source }));
        tally.failed++;
        continue;
      }
      const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, typeof v === 'string' || Array.isArray(v) ? v : String(v)]));
      const answer = await takePayload({ pool, intake, logger }, source, {
        source: r.source, body: r.body, headers, remoteAddr: r.remote_addr ?? undefined, receivedAt: clock.now().toISOString(), keep: false,
      });
      await markReplayed(pool, r.id, clock.now(), answer.status, answer.body);
      const message = String(answer.body.message ?? '');
      if (answer.status === 200) {
        tally.ok++;
        const counts = new Map<string, number>();
        for (const x of answer.results ?? []) counts.set(x.outcome, (counts.get(x.outcome) ?? 0) + 1);
        print(neutralise(t(locale, 'rejected.replay.ok', { id: r.id, source: r.source, status: 200, orders: [...counts].map(([k, n]) => `${k} ${n}`).join(', ') })));
      } else if (answer.status >= 500) {
        tally.failed++;
        print(neutralise(t(locale, 'rejected.replay.retry_later', { id: r.id, source: r.source, status: answer.status, message })));
      } else {
        tally.refused++;
        print(neutralise(t(locale, 'rejected.replay.still_refused', { id: r.id, source: r.source, status: answer.status, message })));
      }
    }
  } finally {
    await intake.drain();
    await orderQueue.close().catch(() => undefined);
    redis.disconnect();
  }
  print(t(locale, 'rejected.replay.summary', tally));
  return tally.refused + tally.failed === 0 ? 0 : 1;
}
