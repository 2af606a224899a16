// Private stores for fault drills: a Postgres cluster in a temp dir and a Redis server, both on
// free loopback ports, so the drill can crash and restart them without touching the machine's
// shared Postgres (5432) and Redis (6379) that other test runs use. Both are removed afterwards, on
// every exit path (see children.mjs onCleanup).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, onCleanup, sleep, startProcess } from './children.mjs';

/** The newest Debian/Ubuntu Postgres binaries directory (initdb, pg_ctl, postgres). */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no Postgres binaries under ${base}/*/bin (apt-get install postgresql)`);
  return path.join(base, versions[0], 'bin');
}

/**
 * A throwaway cluster: initdb (trust auth, loopback only) in `dir`, started with pg_ctl. As root
 * it runs as the `postgres` OS user (initdb refuses root) and `dir` is handed to that user.
 */
export async function startPostgresCluster({ dir }) {
  const bin = postgresBinDir();
  const port = await freePort();
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const logFile = path.join(dir, 'postgres.log');
  mkdirSync(sock, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  let uid;
  let gid;
  if (asRoot) {
    const id = (f) => Number(execFileSync('id', [f, 'postgres'], { encoding: 'utf8' }).trim());
    uid = id('-u');
    gid = id('-g');
    chownSync(dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  chmodSync(dir, 0o700);
  const cmd = (exe, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, exe), ...args]] : [path.join(bin, exe), args]);
  const run = (exe, args) => {
    const [c, a] = cmd(exe, args);
    return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  };
  // Asynchronous, so a restart during a storm does not stall the sender and stand-ins in this process.
  const runAsync = async (exe, args) => {
    const [c, a] = cmd(exe, args);
    return (await promisify(execFile)(c, a, { encoding: 'utf8', timeout: 120_000 })).stdout;
  };
  await runAsync('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sock} -c max_connections=100 -c fsync=on -c synchronous_commit=on`;
  let running = false;
  const cluster = {
    port,
    dir,
    logFile,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async start() {
      await runAsync('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', opts, 'start']);
      running = true;
    },
    /** A crash: immediate shutdown (no checkpoint; the next start runs crash recovery). */
    async crash() {
      await runAsync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    stopSync() {
      if (!existsSync(path.join(data, 'postmaster.pid'))) return;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']);
      } catch {
        // already stopped
      }
      running = false;
    },
    get running() {
      return running;
    },
  };
  onCleanup(() => cluster.stopSync());
  await cluster.start();
  return cluster;
}

/** A private redis-server (no persistence: a restart loses every key, as a crash would). */
export async function startRedis({ dir, logPath }) {
  const port = await freePort();
  let handle;
  const r = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      handle = startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], { logPath });
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        if (!handle.running()) throw new Error(`redis-server exited: ${handle.tail()}`);
        try {
          await promisify(execFile)('redis-cli', ['-p', String(port), 'ping'], { timeout: 2000 });
          return;
        } catch {
          await sleep(100);
        }
      }
      throw new Error('redis-server did not answer PING within 15 s');
    },
    /** kill -9: every key (queued, delayed and scheduled jobs) is gone. */
    async crash() {
      await handle?.kill9();
    },
    async stop() {
      await handle?.stop(5000);
    },
  };
  await r.start();
  return r;
}

export function makeTempDir(prefix) {
  const dir = path.join(os.tmpdir(), `${prefix}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

