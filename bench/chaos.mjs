#!/usr/bin/env node
// `npm run chaos` — the fault suite. Each scenario pushes a storm of signed orders (65/s, a share of
// exception orders, 3 % redelivered) into the real bot, with a sender that retries every non-2xx
// and every connection error with the same body and id, breaks something in the middle, gives the
// bot time to catch up, and then checks (bench/lib/checks.mjs):
//   - every acknowledged order stored exactly once, nothing stored that was not sent;
//   - processing caught up (processed_revision = revision for every order);
//   - every open exception's card posted exactly once (stand-in channel log and chat_messages);
//   - SLAs of seconds: every exception past its claim/resolve deadline fired level 1/level 2 exactly
//     once (level*_sent = 1, one notification row per planned recipient and channel), none missing,
//     and every delivered notification reached the outside once (a repeat is reported, and counted
//     as explained only when the copy before it was answered with an error or the bot was killed
//     in between — at-least-once delivery).
//
// Scenarios: baseline (no fault), kill (kill -9 of the bot at random moments, restarted each time),
// redis (kill -9 of Redis and a restart: every queued, delayed and scheduled job is gone), postgres
// (immediate stop and start: a crash and recovery), chat (the Slack stand-in answers 429, 503, and
// 500 after posting, for a while).
//
// Nothing shared is touched: the suite runs its own Postgres cluster (initdb in a temp dir, as the
// postgres OS user when run as root) and its own redis-server, on free loopback ports, and removes
// them on every exit path, Ctrl-C included.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import IORedis from 'ioredis';
import pg from 'pg';
import { botRunner } from './lib/bot.mjs';
import { benchStaff, writeBotConfig } from './lib/bot-config.mjs';
import { nowMs, seeded, startChatStandIn } from './lib/chat-stand-in.mjs';
import { caughtUp, checkCards, checkEscalations, checkOrders, progress } from './lib/checks.mjs';
import { freePort, guardRun, sleep } from './lib/children.mjs';
import { codeDigest, loadAverage, machineFacts, machineLine } from './lib/machine.mjs';
import { createSender } from './lib/sender.mjs';
import { startSmtpStandIn } from './lib/smtp-stand-in.mjs';
import { makeTempDir, startPostgresCluster, startRedis } from './lib/stores.mjs';
import { SEED_MIX, stormPlan } from './lib/storm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = ['baseline', 'kill', 'redis', 'postgres', 'chat'];

const HELP = `npm run chaos [-- options]

  --scenarios LIST      any of ${SCENARIOS.join(',')} (default: all, in that order)
  --storm-seconds S     storm length per scenario (default 30)
  --storm-rate R        orders per second (default 65)
  --exception-share F   share of orders that raise an exception (default 0.02, the seed's kinds)
  --kills N             kill -9 count in the kill scenario (default 4, 3–5 recommended)
  --catch-up-seconds S  wait at most this long after the storm for the bot to catch up (default 75)
  --seed N              seeds the storm, the kill moments and the chat faults (default 1)

SLAs are 3 s to claim and 6 s to resolve (claim_minutes 0.05, resolve_minutes 0.1), the sweeper runs
every 10 s. Raw results and logs go to bench/results/chaos-<run>/. Exit code 1 if any check fails.`;

const { values: opt } = parseArgs({
  options: {
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    'storm-seconds': { type: 'string', default: '30' },
    'storm-rate': { type: 'string', default: '65' },
    'exception-share': { type: 'string', default: '0.02' },
    kills: { type: 'string', default: '4' },
    'catch-up-seconds': { type: 'string', default: '75' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
const fail = (m) => {
  console.error(`chaos: ${m}`);
  process.exit(2);
};
const num = (k, { int = false, max = Infinity } = {}) => {
  const n = Number(opt[k]);
  if (!Number.isFinite(n) || n <= 0 || n > max || (int && !Number.isInteger(n))) fail(`--${k} must be a positive ${int ? 'integer' : 'number'}${max < Infinity ? ` ≤ ${max}` : ''}, got "${opt[k]}"`);
  return n;
};
const scenarios = SCENARIOS.filter((s) => opt.scenarios.split(',').map((x) => x.trim()).includes(s));
for (const s of opt.scenarios.split(',').map((x) => x.trim()).filter(Boolean)) if (!SCENARIOS.includes(s)) fail(`unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
const S = {
  stormSeconds: num('storm-seconds', { max: 300 }),
  stormRate: num('storm-rate', { max: 2000 }),
  exceptionShare: num('exception-share', { max: 1 }),
  kills: num('kills', { int: true, max: 10 }),
  catchUpSeconds: num('catch-up-seconds', { max: 600 }),
  seed: num('seed', { int: true }),
};
const SLA = { claim: 0.05, resolve: 0.1 };
const SWEEP_SECONDS = 10;
const RESCUE_SECONDS = 40;
const RUN_ID = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const OUT_DIR = path.join(ROOT, 'bench', 'results', `chaos-${RUN_ID}`);
const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);
const sec = (ms) => round(ms / 1000, 1);

let currentSender;
const perScenario = S.stormSeconds + S.catchUpSeconds + RESCUE_SECONDS + 40;
guardRun({ name: 'chaos', budgetSec: scenarios.length * perScenario + 120, interrupt: () => currentSender?.stop() });

/** The seed's kinds of exception orders, scaled so they make `share` of all orders. */
function scaledMix(share) {
  const total = Object.values(SEED_MIX).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(SEED_MIX).map(([k, v]) => [k, (v * share) / total]));
}

async function dbQuery(url, sql) {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Wait until the bot has caught up (progress() all clear) or `ms` passed; returns ms taken or undefined. */
async function waitCaughtUp(dbUrl, ms, from = nowMs()) {
  const until = nowMs() + ms;
  let last;
  while (nowMs() < until) {
    try {
      last = await progress(dbUrl);
      if (caughtUp(last)) return { ms: nowMs() - from, last };
    } catch (e) {
      last = { error: e.message };
    }
    await sleep(1000);
  }
  return { ms: undefined, last };
}

async function runScenario(name, stores, idx) {
  const { pgc, redis } = stores;
  const db = `orderops_chaos_${name}`;
  const dbUrl = pgc.url(db);
  await dbQuery(pgc.url('postgres'), `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  const r = new IORedis(redis.url, { maxRetriesPerRequest: 1 });
  await r.flushall(); // our own Redis: nothing else lives there
  r.disconnect();

  const rnd = seeded(S.seed * 1000 + idx);
  const standIn = await startChatStandIn({ seed: S.seed * 100 + idx });
  const smtp = await startSmtpStandIn();
  const channels = { service: 'C0SERVICE', finance: 'C0FINANCE', warehouse: 'C0WAREHOUSE', review: 'C0REVIEW' };
  const staff = benchStaff(Object.keys(channels));
  const configPath = path.join(OUT_DIR, `orderops-${name}.yml`);
  writeBotConfig(configPath, { channels, staff, slaMinutes: SLA, sweepSeconds: SWEEP_SECONDS });
  const port = await freePort();
  let t0 = nowMs();
  const events = [];
  const ev = (what) => events.push({ t: sec(nowMs() - t0), what });
  const kills = [];
  const outages = [];
  // A supervisor (systemd, Kubernetes …) restarts a bot that died by itself; the death is a failure.
  const bot = botRunner({
    onCrash: (c) => {
      kills.push(c.at);
      ev(`bot EXITED BY ITSELF (code ${c.code}, signal ${c.signal}); restarted 1 s later as a supervisor would`);
      setTimeout(() => {
        bot.spawn();
        bot.waitReady(60_000).then((ms) => ev(`bot ready again (${sec(ms)} s)`), (e) => ev(`bot did not come back: ${e.message.split('\n')[0]}`));
      }, 1000);
    },
    root: ROOT, port, logPath: path.join(OUT_DIR, `bot-${name}.log`),
    env: {
      DATABASE_URL: dbUrl, REDIS_URL: redis.url, ORDEROPS_QUEUE_PREFIX: `orderops-chaos`, ORDEROPS_CONFIG: configPath,
      SLACK_BOT_TOKEN: 'xoxb-chaos', SLACK_SIGNING_SECRET: 'chaos-signing-secret', SLACK_API_URL: standIn.url,
      SMTP_URL: smtp.url, SMS_PROVIDER: 'webhook', SMS_API_URL: standIn.smsUrl,
    },
  });
  const loadBefore = loadAverage();
  await bot.start();
  const idPrefix = `K${RUN_ID.replace('-', '')}${name.slice(0, 2).toUpperCase()}`;
  const plan = stormPlan({ prefix: idPrefix, seconds: S.stormSeconds, perSec: S.stormRate, mix: scaledMix(S.exceptionShare), seed: S.seed * 17 + idx });
  const sender = createSender({ port, maxInFlight: 256, seed: S.seed * 31 + idx });
  currentSender = sender;
  t0 = nowMs();
  const at = (ms) => sleep(Math.max(0, t0 + ms - nowMs()));
  let faultEnd = t0;
  const stormMs = S.stormSeconds * 1000;

  const fault = (async () => {
    if (name === 'kill') {
      let next = 2000 + rnd() * 4000;
      while (kills.length < S.kills && next < stormMs - 1500) {
        await at(next);
        kills.push(nowMs());
        await bot.kill9();
        ev(`kill -9 bot #${kills.length}`);
        await sleep(300 + rnd() * 700); // a supervisor notices and restarts it
        bot.spawn();
        const ready = await bot.waitReady(60_000);
        ev(`bot ready again (${sec(ready)} s after spawn)`);
        faultEnd = nowMs();
        next = nowMs() - t0 + 1500 + rnd() * 4500;
      }
    } else if (name === 'redis') {
      await at(Math.min(10_000, stormMs / 3));
      const from = nowMs();
      await redis.crash();
      ev('kill -9 redis-server (no persistence: every job is gone)');
      await sleep(5000);
      await redis.start();
      outages.push({ from, to: nowMs() });
      ev('redis-server started again (empty)');
      faultEnd = nowMs();
    } else if (name === 'postgres') {
      await at(Math.min(10_000, stormMs / 3));
      const from = nowMs();
      await pgc.crash();
      ev('pg_ctl -m immediate stop (crash)');
      await sleep(5000);
      await pgc.start();
      outages.push({ from, to: nowMs() });
      ev('Postgres started again (crash recovery done)');
      faultEnd = nowMs();
    } else if (name === 'chat') {
      await at(3000);
      standIn.setFaults({ p429: 0.3, p503: 0.15, p500Applied: 0.1, retryAfterSec: 2 });
      ev('chat stand-in: 30 % 429 (Retry-After 2), 15 % 503, 10 % 500 after posting');
      await at(Math.min(23_000, stormMs - 1000));
      standIn.clearFaults();
      ev('chat stand-in healthy again');
      faultEnd = nowMs();
    }
  })();

  process.stdout.write(`  ${name}: ${plan.length} pushes over ${S.stormSeconds} s … `);
  const [sent] = await Promise.all([sender.run(plan, { retryForMs: 60_000 }), fault]);
  const sendEnd = nowMs();
  ev(`sender done: ${sent.acked}/${sent.ids} ids acked, ${sent.attempts} requests`);
  let wait = await waitCaughtUp(dbUrl, S.catchUpSeconds * 1000, sendEnd);
  const caught = wait.ms !== undefined ? { afterStormSec: sec(wait.ms), afterFaultSec: sec(nowMs() - faultEnd) } : undefined;
  ev(caught ? `caught up ${caught.afterStormSec} s after the last push` : `NOT caught up within ${S.catchUpSeconds} s: ${JSON.stringify(wait.last)}`);
  let rescue;
  if (!caught) {
    // Evidence for the report: is it lost, or only stuck until the process restarts?
    await bot.stop();
    ev('bot restarted (graceful) to see whether its start-up sweeps recover what is missing');
    await bot.start();
    const w2 = await waitCaughtUp(dbUrl, RESCUE_SECONDS * 1000);
    rescue = { caughtUp: w2.ms !== undefined, afterRestartSec: w2.ms !== undefined ? sec(w2.ms) : undefined, last: w2.last };
    ev(rescue.caughtUp ? `caught up ${rescue.afterRestartSec} s after the restart` : `still not caught up after the restart: ${JSON.stringify(w2.last)}`);
  }
  const cardsBehind = (await progress(dbUrl)).cards_behind;
  const orders = await checkOrders(dbUrl, sender, idPrefix);
  const cards = await checkCards(dbUrl, standIn);
  const escalations = await checkEscalations(dbUrl, { standIn, smtp, staff, kills, outages });
  const botStats = await dbQuery(dbUrl, `SELECT
      (SELECT count(*) FROM chat_messages WHERE state = 'posting')::int AS posting,
      (SELECT count(*) FROM chat_messages WHERE last_error IS NOT NULL)::int AS with_error`).then((x) => x[0]);
  const loadAfter = loadAverage();
  await bot.stop();
  await standIn.close();
  await smtp.close();
  writeFileSync(path.join(OUT_DIR, `calls-${name}.json`), JSON.stringify({ calls: standIn.calls, sms: standIn.sms, mails: smtp.mails }));
  const faults = standIn.calls.filter((c) => c.fault).reduce((a, c) => ({ ...a, [c.fault]: (a[c.fault] ?? 0) + 1 }), {});
  const limited = standIn.calls.filter((c) => c.limited).length;
  const nonAck = Object.entries(sent.statusCounts).filter(([k]) => !k.startsWith('2')).reduce((a, [k, n]) => ({ ...a, [k]: n }), {});
  const crashes = bot.crashes.length;
  const ok = orders.ok && orders.unprocessed === 0 && cards.ok && escalations.ok && Boolean(caught) && crashes === 0 && sent.givenUp === 0;
  console.log(`${ok ? 'ok' : 'FAILED'} (${events.length} events)`);
  return {
    name, ok, crashes, events, sent, nonAck, orders, cards, escalations, caught, rescue, cardsBehind, botStats, faults, limited,
    kills: kills.length, starts: bot.starts.map((s) => s.readyMs), loadBefore, loadAfter,
  };
}

const DESCRIBE = {
  baseline: 'no fault (reference)',
  kill: 'kill -9 of the bot at random moments, restarted after 0.3–1 s',
  redis: 'kill -9 of Redis 10 s in, started again 5 s later, empty',
  postgres: 'Postgres immediate stop 10 s in, started again 5 s later',
  chat: 'Slack stand-in answers 30 % 429, 15 % 503, 10 % 500-after-posting, from 3 s to 23 s',
};

function report(all) {
  const L = [];
  L.push(`\norderops fault suite ${all.run} — storm ${S.stormRate} orders/s for ${S.stormSeconds} s, ${round(S.exceptionShare * 100, 1)} % exception orders, 3 % redelivered; SLAs ${SLA.claim * 60} s / ${SLA.resolve * 60} s; sweeper every ${SWEEP_SECONDS} s`);
  L.push(`machine: ${machineLine(all.machine)} (the suite's own Postgres cluster and Redis)`);
  L.push(`code: src ${all.code.src}`);
  L.push('');
  L.push('| fault | bot died by itself | orders acked / stored · lost · duplicated | sender non-2xx | processing caught up | cards: exceptions · posted once · missing · twice | L1 due · missing · twice | L2 due · missing · twice | notification rows missing / extra | deliveries sent · seen · repeated (explained) | caught up after the last push (after the fault ended) | result |');
  L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of all.results) {
    if (r.error) {
      L.push(`| ${r.name} | failed: ${r.error.split('\n')[0]} |`);
      continue;
    }
    const o = r.orders;
    const c = r.cards;
    const e = r.escalations;
    const d = e.delivery;
    const nonAck = Object.entries(r.nonAck).map(([k, n]) => `${n}× ${k}`).join(', ') || '0';
    const caught = r.caught ? `${r.caught.afterStormSec} s (${r.name === 'baseline' ? '—' : `${r.caught.afterFaultSec} s`})` : `**no** within ${S.catchUpSeconds} s${r.rescue ? `; after a bot restart: ${r.rescue.caughtUp ? `yes, ${r.rescue.afterRestartSec} s` : 'no'}` : ''}`;
    L.push(`| ${r.name}: ${DESCRIBE[r.name]} | ${r.crashes ? `**${r.crashes}×**` : 0} | ${o.acked}${r.sent.givenUp ? ` (**${r.sent.givenUp} never acked**)` : ''} / ${o.stored} · ${o.lost} · ${o.duplicated} | ${nonAck} | ${o.unprocessed === 0 ? 'yes' : `**no: ${o.unprocessed} unprocessed**`} | ${c.exceptions} · ${c.posted - c.doubled} · ${c.missing} · ${c.doubled} | ${e.due1} · ${e.missing1} · ${e.doubled1} | ${e.due2} · ${e.missing2} · ${e.doubled2} | ${e.rowsMissing} / ${e.rowsExtra} | ${d.sent} · ${d.seen} · ${d.duplicated} (${d.explained}) | ${caught} | ${r.ok ? 'pass' : '**FAIL**'} |`);
  }
  L.push('');
  for (const r of all.results) {
    if (r.error) continue;
    L.push(`${r.name}: ${r.events.map((x) => `[${x.t} s] ${x.what}`).join('; ')}`);
    const st = Object.entries(r.escalations.statuses).map(([k, n]) => `${k} ${n}`).join(', ');
    L.push(`  bot starts ready in ${r.starts.map((m) => `${sec(m)} s`).join(', ')}; stand-in faults ${JSON.stringify(r.faults)}, rate-limited ${r.limited}; cards behind their exception's version at the end ${r.cardsBehind}; chat_messages still 'posting' ${r.botStats.posting}; notifications ${st}; load average ${r.loadBefore.join(' ')} → ${r.loadAfter.join(' ')}`);
    if (r.cards.doubledKeys.length) L.push(`  cards posted twice: ${JSON.stringify(r.cards.doubledKeys.slice(0, 5))}`);
    if (r.escalations.details.length) L.push(`  escalation mismatches: ${JSON.stringify(r.escalations.details.slice(0, 5))}`);
    const reasons = Object.entries(r.escalations.delivery.reasons).map(([k, n]) => `${n}× ${k}`).join('; ');
    if (reasons) L.push(`  deliveries repeated (at-least-once window): ${reasons}`);
    if (r.escalations.delivery.unexplained.length) L.push(`  UNEXPLAINED repeated deliveries: ${JSON.stringify(r.escalations.delivery.unexplained.slice(0, 5))}`);
    if (r.escalations.delivery.notSeen) L.push(`  notifications marked sent but not seen outside: ${r.escalations.delivery.notSeen}`);
  }
  return L.join('\n');
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = makeTempDir('orderops-chaos');
  console.log(`chaos ${RUN_ID}: ${scenarios.join(', ')}; load average ${loadAverage().join(' ')}`);
  process.stdout.write('  starting a private Postgres cluster and Redis … ');
  const pgc = await startPostgresCluster({ dir: tmp });
  const redis = await startRedis({ dir: tmp, logPath: path.join(OUT_DIR, 'redis.log') });
  console.log(`Postgres on 127.0.0.1:${pgc.port}, Redis on 127.0.0.1:${redis.port}`);
  const all = {
    run: RUN_ID,
    command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { ...S, sla: SLA, sweepSeconds: SWEEP_SECONDS },
    machine: await machineFacts({ pgUrl: pgc.url('postgres'), redisUrl: redis.url }),
    code: codeDigest(ROOT),
    results: [],
  };
  let i = 0;
  for (const name of scenarios) {
    try {
      all.results.push(await runScenario(name, { pgc, redis }, i++));
    } catch (e) {
      all.results.push({ name, ok: false, error: String(e?.stack ?? e) });
      console.log(`FAILED: ${e?.message ?? e}`);
      if (!pgc.running) await pgc.start().catch(() => undefined);
    }
  }
  writeFileSync(path.join(OUT_DIR, 'results.json'), JSON.stringify(all, null, 2));
  try {
    copyFileSync(pgc.logFile, path.join(OUT_DIR, 'postgres.log'));
  } catch {
    // the log is a convenience
  }
  const text = report(all);
  writeFileSync(path.join(OUT_DIR, 'report.md'), text);
  console.log(text);
  console.log(`\nraw results: ${path.relative(ROOT, OUT_DIR)}/results.json`);
  return all.results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
