// Child processes of a bench run, and the guarantee that none outlives it: every child is killed on
// normal exit, on an uncaught error, on Ctrl-C (SIGINT/SIGTERM/SIGHUP) and when the run's watchdog
// fires. Cleanup hooks (stopping a Postgres cluster, removing a temp dir) run on the same paths.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const live = new Set();
const hooks = [];
let interrupted = false;
let onInterrupt = () => undefined;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Synchronous cleanup run on every exit path (must not be async: 'exit' handlers cannot wait). */
export function onCleanup(fn) {
  hooks.push(fn);
}

function runHooks() {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
  while (hooks.length) {
    const fn = hooks.pop();
    try {
      fn();
    } catch (e) {
      console.error(`cleanup: ${e?.message ?? e}`);
    }
  }
}

/**
 * Install the exit paths once: `name` prefixes messages; `budgetSec` bounds the whole run;
 * `interrupt` is called on the first Ctrl-C (stop load generators) before everything is killed.
 */
export function guardRun({ name, budgetSec, interrupt = () => undefined }) {
  onInterrupt = interrupt;
  process.on('exit', runHooks);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${name}: ${sig}: stopping the load, every child process and the temporary stores; no results from this run`);
      try {
        onInterrupt();
      } catch {
        // best effort
      }
      runHooks();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`${name}: over its time budget of ${budgetSec} s; stopping everything`);
    runHooks();
    process.exit(3);
  }, budgetSec * 1000);
  watchdog.unref();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start a process whose stdout and stderr go to `logPath` (appended, so restarts share one log).
 * Returns a handle: pid, exited (a promise of {code, signal}), tail(), stop(graceMs), kill9().
 */
export function startProcess(command, args, { env = process.env, cwd, logPath, stdin = 'ignore' } = {}) {
  const log = createWriteStream(logPath, { flags: 'a' });
  log.write(`\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { cwd, env, stdio: [stdin, 'pipe', 'pipe'] });
  live.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      live.delete(child);
      log.write(`spawn error: ${err.message}\n`);
      resolve({ code: -1, signal: null, error: err.message });
    });
  });
  exited.then(() => setTimeout(() => log.end(), 50));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid,
    exited,
    logPath,
    running,
    tail(lines = 30) {
      try {
        return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    /** SIGKILL: no chance to flush, commit or close anything. */
    async kill9() {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
    async stop(graceMs = 20_000) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Poll `url` until `ok(status)`; fails early with the log tail if the process exits. */
export async function waitHttp(handle, url, ok, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!handle.running()) throw new Error(`${url}: the process exited before it was ready; its log:\n${handle.tail()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (ok(r.status)) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url}: not ready within ${timeoutMs / 1000} s; its log:\n${handle.tail()}`);
}
