// Options of `npm run bench:intake`, checked once; everything else reads them from here.
import os from 'node:os';
import path from 'node:path';
import { benchOptions } from '../args.mjs';
import { POISON_KINDS } from './poison.mjs';

export const ALL_TARGETS = ['http', 'floor', 'ours-all', 'ours-intake', 'ours-poison', 'copy'];
export const TARGETS = { ordersPerSec: 5000, p99Ms: 50, floorRatio: 1.0, rssMb: 300, poisonRatio: 0.95 };

const HELP = `npm run bench:intake [-- options]

  --duration S        measured seconds per HTTP target (default 60)
  --warmup S          unmeasured warm-up seconds before each HTTP target (default 5)
  --connections N     concurrent connections, no pipelining (default 50)
  --targets LIST      any of ${ALL_TARGETS.join(',')} (default: all, in that order)
  --poison-every N    ours-poison: one poison order in every N requests (default 1000)
  --poison-kinds LIST ours-poison: poison kinds in turn, any of ${POISON_KINDS.join(',')} (default: all)
  --copy-rows N       rows for R_copy (default: the most orders any HTTP target stored, at least 10000)
  --floor-pool N      pg Pool size of R_floor (default 20, the bot's pool size)
  --pg-url URL        Postgres server, loopback only (default postgres://127.0.0.1:5432)
  --redis-url URL     Redis, loopback only (default redis://127.0.0.1:6379)
  --bot-config FILE   run the bot with this orderops.yml (ORDEROPS_CONFIG), e.g. to try intake settings
  --bot-node-flag F   extra node flag for the bot (repeatable), e.g. --bot-node-flag=--max-semi-space-size=32
  --cpu-prof          run the bot under node --cpu-prof and summarise the top self-time functions
  --keep-db           keep the bench databases (orderops_bench, orderops_bench_floor) afterwards
  --strict            exit 1 when a target is missed (the run always exits 1 if an order is lost)

ours-poison runs the bot as ours-intake does (role intake, a fresh database) under the same load with
one poison order in every --poison-every requests (see bench/lib/intake/poison.mjs) and reports its
rate of clean orders as a ratio of ours-intake's in the same run (target ≥ ${TARGETS.poisonRatio}).

Databases orderops_bench and orderops_bench_floor are dropped and recreated. Raw results, bot logs
and profiles go to bench/results/<run>/.`;

export function intakeOptions(root) {
  const { opt, fail, whole, loopbackPg } = benchOptions('bench:intake', HELP, {
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    'poison-every': { type: 'string', default: '1000' },
    'poison-kinds': { type: 'string', default: POISON_KINDS.join(',') },
    'copy-rows': { type: 'string' },
    'floor-pool': { type: 'string', default: '20' },
    'pg-url': { type: 'string', default: 'postgres://127.0.0.1:5432' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'cpu-prof': { type: 'boolean', default: false },
    'bot-config': { type: 'string' },
    'bot-node-flag': { type: 'string', multiple: true, default: [] },
    'keep-db': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  });
  const positive = (k) => {
    const n = Number(opt[k]);
    if (!Number.isFinite(n) || n <= 0) fail(`--${k} must be a positive number, got "${opt[k]}"`);
    return n;
  };
  const list = (k, known) => {
    const items = opt[k].split(',').map((t) => t.trim()).filter(Boolean);
    for (const t of items) if (!known.includes(t)) fail(`unknown ${k.replace(/s$/, '')} "${t}"; known: ${known.join(', ')}`);
    return items;
  };
  const targets = list('targets', ALL_TARGETS);
  const redis = new URL(opt['redis-url']);
  if (redis.protocol !== 'redis:' || !['127.0.0.1', 'localhost', '[::1]'].includes(redis.hostname)) fail('--redis-url must be redis:// on loopback (127.0.0.1)');
  if (redis.hostname === 'localhost') redis.hostname = '127.0.0.1';
  const pgBase = loopbackPg('pg-url');
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return {
    duration: positive('duration'),
    warmup: Number(opt.warmup),
    connections: whole('connections'),
    floorPool: whole('floor-pool'),
    order: ALL_TARGETS.filter((t) => targets.includes(t)),
    poisonEvery: whole('poison-every'),
    poisonKinds: list('poison-kinds', POISON_KINDS),
    copyRows: opt['copy-rows'] ? whole('copy-rows') : undefined,
    pgBase,
    redisUrl: redis.toString(),
    botConfig: opt['bot-config'] ? path.resolve(opt['bot-config']) : undefined,
    botNodeFlags: opt['bot-node-flag'],
    cpuProf: opt['cpu-prof'],
    keepDb: opt['keep-db'],
    strict: opt.strict,
    root,
    runId,
    outDir: path.join(root, 'bench', 'results', runId),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    /** The URL of database `name` on the bench's Postgres server. */
    dbUrl(name) {
      const u = new URL(pgBase);
      u.pathname = `/${name}`;
      return u.toString();
    },
  };
}
