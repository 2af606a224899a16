// The real bot as a child process (`node bin/orderops.js start`), on a fixed port so a sender can
// keep pushing across restarts, with every start appended to one log file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess, waitHttp } from './children.mjs';
import { BENCH_SECRET } from './orders.mjs';

export const BENCH_API_TOKEN = 'orderops-bench-token';

/**
 * @param {object} o
 * @param {string} o.root       the repo
 * @param {number} o.port
 * @param {string} o.logPath
 * @param {Record<string,string>} o.env   DATABASE_URL, REDIS_URL, ORDEROPS_CONFIG, SLACK_*, …
 */
/** The node flags `npm start` gives the bot (its heap cap), so benches measure the bot as it is run. */
export function startFlags(root) {
  const start = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  return start.split(/\s+/).filter((t) => t.startsWith('--'));
}

export function botRunner({ root, port, logPath, env, role = 'all', nodeFlags = startFlags(root), onCrash }) {
  const fullEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ORDER_WEBHOOK_SECRET: BENCH_SECRET,
    ORDEROPS_API_TOKEN: BENCH_API_TOKEN,
    ORDEROPS_LOCAL_CHANNEL: '0',
    LOG_LEVEL: 'info',
    ...env,
  };
  let current;
  const starts = [];
  /** Exits nobody asked for (the process died by itself), with the time and how. */
  const crashes = [];
  let expectExit = false;
  const launch = () => {
    expectExit = false;
    const h = startProcess(process.execPath, [...nodeFlags, path.join(root, 'bin', 'orderops.js'), 'start', '--role', role], { env: fullEnv, cwd: root, logPath });
    h.exited.then((how) => {
      if (expectExit || current !== h) return;
      const crash = { at: Date.now(), code: how.code, signal: how.signal };
      crashes.push(crash);
      onCrash?.(crash);
    });
    return h;
  };
  return {
    get handle() {
      return current;
    },
    starts,
    crashes,
    url: `http://127.0.0.1:${port}`,
    /** Start and wait for /readyz; returns the ms it took. */
    async start(timeoutMs = 90_000) {
      const t = Date.now();
      current = launch();
      await waitHttp(current, `http://127.0.0.1:${port}/readyz`, (s) => s === 200, timeoutMs);
      const ms = Date.now() - t;
      starts.push({ at: t, readyMs: ms });
      return ms;
    },
    /** Start without waiting (a supervisor restarting a crashed process). */
    spawn() {
      const t = Date.now();
      current = launch();
      starts.push({ at: t });
      return current;
    },
    async waitReady(timeoutMs = 90_000) {
      const t = Date.now();
      await waitHttp(current, `http://127.0.0.1:${port}/readyz`, (s) => s === 200, timeoutMs);
      const last = starts[starts.length - 1];
      if (last && last.readyMs === undefined) last.readyMs = Date.now() - last.at;
      return Date.now() - t;
    },
    async kill9() {
      expectExit = true;
      return current?.kill9();
    },
    async stop() {
      expectExit = true;
      return current?.stop(30_000);
    },
  };
}
