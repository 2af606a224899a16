// The load: autocannon, N connections, no pipelining, a unique order id and signature per request;
// what each target answered, how fast, and the CPU every process used meanwhile.
import autocannon from 'autocannon';
import { WEBHOOK_PATH, orderBody, sign } from '../orders.mjs';
import { cpuOfNamed, cpuOfPid, cpuOfPostgres, machineCpu, mainThreadSched } from '../proc.mjs';

const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);
let current;

/** Stop the load running now (Ctrl-C). */
export function stopLoad() {
  current?.stop();
}

const cleanBodies = (id) => ({ body: orderBody(id) });

/**
 * Run the load for `seconds`. The ids answered 200 are pushed to `sink` (for the exactly-once
 * check); `bodies(id, seq)` gives each request's body (and the poison kind, for a poison storm).
 */
export function runLoad(o, port, label, seconds, sink, bodies = cleanBodies) {
  let seq = 0;
  const idPrefix = `B${o.runId}-${label}-`;
  const latencies = [];
  const statuses = {};
  const poison = {};
  const perSecond = [];
  let notCreated = 0;
  let t0;
  const request = {
    method: 'POST',
    path: WEBHOOK_PATH,
    setupRequest(req, ctx) {
      const id = idPrefix + seq;
      const { body, kind } = bodies(id, seq++);
      ctx.id = id;
      ctx.kind = kind;
      ctx.sentAt = performance.now();
      return { ...req, body, headers: { 'content-type': 'application/json', 'x-orderops-signature': sign(body) } };
    },
    onResponse(status, body, ctx) {
      const now = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (ctx.kind) {
        const k = (poison[ctx.kind] ??= {});
        k[status] = (k[status] ?? 0) + 1;
      }
      if (status !== 200) return;
      sink.push(ctx.id);
      if (ctx.kind) return; // the rate and latencies are of clean orders
      latencies.push(now - ctx.sentAt);
      const sec = Math.floor((now - t0) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      if (!body.includes('"result":"created"')) notCreated++;
    },
  };
  return new Promise((resolve, reject) => {
    t0 = performance.now();
    current = autocannon(
      { url: `http://127.0.0.1:${port}`, connections: o.connections, pipelining: 1, duration: seconds, timeout: 10, requests: [request] },
      (err, res) => {
        current = undefined;
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : NaN);
        const full = perSecond.slice(0, Math.floor(res.duration)).map((n) => n ?? 0);
        const acked = latencies.length;
        resolve({
          seconds: res.duration,
          sent: seq,
          acked,
          ordersPerSec: acked / res.duration,
          perSecondMin: full.length ? Math.min(...full) : NaN,
          perSecondMedian: full.length ? [...full].sort((a, b) => a - b)[Math.floor(full.length / 2)] : NaN,
          p50: pct(50),
          p99: pct(99),
          max: latencies[latencies.length - 1] ?? NaN,
          notCreated,
          statuses,
          ...(Object.keys(poison).length > 0 ? { poison } : {}),
          errors: res.errors,
          timeouts: res.timeouts,
          autocannon: { latencyP50: res.latency.p50, latencyP99: res.latency.p99, latencyMax: res.latency.max, requestsAvg: res.requests.average, non2xx: res.non2xx },
        });
      },
    );
  });
}

/** Warm-up (unmeasured, its acks are checked too), then the measured run with CPU accounting. */
export async function loadPhases(o, server, label, db, bodies) {
  const acked = [];
  const rssIdleMb = server.rssNowMb();
  if (o.warmup > 0) await runLoad(o, server.port, `${label}-w`, o.warmup, acked, bodies);
  const before = cpuSnapshot(server.pid, db);
  const load = await runLoad(o, server.port, label, o.duration, acked, bodies);
  const cpu = cpuDelta(before, cpuSnapshot(server.pid, db));
  // What the work itself costs, whatever else runs on the machine: all cores divided by the CPU
  // one order takes in the server, Postgres, Redis and the load generator together.
  const perOrderCoreSec = (cpu.server + cpu.postgres + cpu.redis + cpu.generator) / load.ordersPerSec;
  load.ceilingPerSec = o.cores / perOrderCoreSec;
  load.rssIdleMb = rssIdleMb;
  load.rssEndMb = server.rssNowMb();
  load.rssTimelineMb = server.mem.timelineMb;
  return { load, cpu, acked };
}

function cpuSnapshot(pid, db) {
  return { at: performance.now(), server: cpuOfPid(pid), sched: mainThreadSched(pid), postgres: db ? cpuOfPostgres(db) : 0, redis: cpuOfNamed(['redis-server']), generator: process.cpuUsage(), machine: machineCpu() };
}

/** Cores used during the window (1.0 = one core busy the whole time). */
function cpuDelta(a, b) {
  const wall = (b.at - a.at) / 1000;
  const gen = (b.generator.user + b.generator.system - a.generator.user - a.generator.system) / 1e6;
  const busy = b.machine.busySec - a.machine.busySec;
  const total = b.machine.totalSec - a.machine.totalSec;
  const cores = {
    server: (b.server - a.server) / wall,
    postgres: (b.postgres - a.postgres) / wall,
    redis: (b.redis - a.redis) / wall,
    generator: gen / wall,
    machine: busy / wall, // everything, other sessions' work on this machine included
    machineBusyPct: (100 * busy) / total,
  };
  cores.other = cores.machine - cores.server - cores.postgres - cores.redis - cores.generator;
  if (a.sched && b.sched) {
    // The server's event loop: share of the window on a CPU, and runnable but waiting for a CPU.
    cores.serverLoopOnCpu = (b.sched.onCpuSec - a.sched.onCpuSec) / wall;
    cores.serverLoopWaitingForCpu = (b.sched.waitSec - a.sched.waitSec) / wall;
  }
  for (const k of Object.keys(cores)) cores[k] = round(cores[k], 2);
  return cores;
}
