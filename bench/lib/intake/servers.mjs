// The processes under load: the bare servers (R_http, R_floor) and the real bot (R_ours), each a
// child with its log in the run's directory and its peak resident memory watched.
import path from 'node:path';
import { freePort, startProcess, waitHttp } from '../children.mjs';
import { BENCH_API_TOKEN, startFlags } from '../bot.mjs';
import { BENCH_SECRET } from '../orders.mjs';
import { memoryOf } from '../proc.mjs';

const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

/**
 * A node child process with its memory watched: the kernel's high-water mark (VmHWM) read just
 * before stopping, and an RSS poll as a cross-check (one sample a second kept as a timeline).
 */
function startServer(o, label, args, env) {
  // stdin stays a pipe: the bare servers exit when it closes (when the bench dies).
  const handle = startProcess(process.execPath, args, { cwd: o.root, env, logPath: path.join(o.outDir, `${label}.log`), stdin: 'pipe' });
  const mem = { maxRssKb: 0, hwmKb: 0, timelineMb: [] };
  let ticks = 0;
  const poll = setInterval(() => {
    const m = memoryOf(handle.pid);
    if (!m) return;
    mem.maxRssKb = Math.max(mem.maxRssKb, m.rssKb);
    mem.hwmKb = Math.max(mem.hwmKb, m.hwmKb);
    if (ticks++ % 5 === 0) mem.timelineMb.push(round(m.rssKb / 1024));
  }, 200);
  handle.exited.then(() => clearInterval(poll));
  return {
    ...handle,
    mem,
    rssNowMb() {
      const m = memoryOf(handle.pid);
      return m ? round(m.rssKb / 1024, 1) : NaN;
    },
    peakRssMb() {
      const m = memoryOf(handle.pid);
      if (m) mem.hwmKb = Math.max(mem.hwmKb, m.hwmKb);
      return round(Math.max(mem.hwmKb, mem.maxRssKb) / 1024, 1);
    },
    stop: (graceMs = 40_000) => handle.stop(graceMs),
  };
}

/** bench/lib/bare-server.mjs in mode `http` or `floor`, answering on a free port. */
export async function startBare(o, mode, extra = []) {
  const port = await freePort();
  const s = startServer(o, `bare-${mode}`, ['bench/lib/bare-server.mjs', '--mode', mode, '--port', String(port), ...extra], process.env);
  try {
    await waitHttp(s, `http://127.0.0.1:${port}/`, (status) => status === 404, 15_000);
  } catch (e) {
    await s.stop(2000);
    throw e;
  }
  return { ...s, port };
}

/** The bot as `npm start` runs it (its node flags), role `role`, on database `db`, ready when /readyz says so. */
export async function startBot(o, { role, db, prefix, label = `bot-${role}` }) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: o.dbUrl(db),
    REDIS_URL: o.redisUrl,
    ORDER_WEBHOOK_SECRET: BENCH_SECRET,
    ORDEROPS_API_TOKEN: BENCH_API_TOKEN,
    ORDEROPS_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  delete env.ORDEROPS_CONFIG; // the built-in defaults, as a newcomer runs it, unless --bot-config
  if (o.botConfig) env.ORDEROPS_CONFIG = o.botConfig;
  const nodeFlags = [...startFlags(o.root), ...o.botNodeFlags];
  if (o.cpuProf) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${o.outDir}`, `--cpu-prof-name=${label}.cpuprofile`);
  const s = startServer(o, label, [...nodeFlags, 'bin/orderops.js', 'start', '--role', role], env);
  try {
    await waitHttp(s, `http://127.0.0.1:${port}/readyz`, (status) => status === 200, 90_000);
  } catch (e) {
    await s.stop(2000);
    throw e;
  }
  return { ...s, port };
}
