// What a run of `npm run bench:intake` prints: the table of every target, the verdicts against the
// targets of PRODUCT.md, and the poison storm as a ratio of the clean run beside it.
import { TARGETS } from './options.mjs';

const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);
const HTTP_TARGETS = ['http', 'floor', 'ours-all', 'ours-intake', 'ours-poison'];
const BOT_TARGETS = ['ours-all', 'ours-intake', 'ours-poison'];
const names = { http: 'R_http', floor: 'R_floor', 'ours-all': 'R_ours (role all)', 'ours-intake': 'R_ours (role intake)', 'ours-poison': 'R_ours poison storm (role intake)' };

export function report(res) {
  const t = res.targets;
  const lines = [];
  const p = (...cols) => lines.push(cols.join(' | '));
  lines.push(`\norderops intake bench ${res.run} — ${res.settings.connections} connections, no pipelining, ${res.settings.duration} s per target (+${res.settings.warmup} s warm-up)`);
  lines.push(`machine: ${res.machine.cores} cores ${res.machine.cpuModel}, ${res.machine.memGiB} GiB; Node ${res.machine.node}, Postgres ${res.machine.postgres} (synchronous_commit=${res.machine.postgresSettings.synchronous_commit}, fsync=${res.machine.postgresSettings.fsync}), Redis ${res.machine.redis}; load average before ${res.loadBefore.join(' ')}, after ${res.loadAfter?.join(' ')}`);
  lines.push(`code: src ${res.code.src}, intake hot path ${res.code.hotPath} (sha256 prefixes)`);
  lines.push('');
  p('target', 'orders/s', 'min 1-s', 'p50 ms', 'p99 ms', 'max ms', 'peak RSS MB', 'non-200', 'lost', 'dup', 'cores: server/pg/redis/gen/other = machine', 'CPU µs/order: server/pg/redis/gen', 'CPU-bound ceiling/s');
  p('---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---', '---:');
  for (const k of HTTP_TARGETS) {
    const r = t[k];
    if (!r) continue;
    if (r.error) {
      p(names[k], `failed: ${r.error.split('\n')[0]}`);
      continue;
    }
    const non200 = Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0) + r.errors + r.timeouts;
    const c = r.cpu;
    p(names[k], round(r.ordersPerSec), r.perSecondMin, round(r.p50, 2), round(r.p99, 2), round(r.max, 1), r.rssMb, non200,
      r.integrity ? r.integrity.lost : '—', r.integrity ? r.integrity.duplicated : '—',
      `${c.server}/${c.postgres}/${c.redis}/${c.generator}/${c.other} = ${c.machine}`,
      [c.server, c.postgres, c.redis, c.generator].map((x) => round((1e6 * x) / r.ordersPerSec)).join('/'),
      round(r.ceilingPerSec));
  }
  if (t.copy && !t.copy.error) {
    for (const [table, c] of Object.entries(t.copy)) {
      p(`R_copy (${table === 'orders' ? 'orders, with history trigger' : 'bench_copy'})`, round(c.rowsPerSec), '', '', '', '', '', '', c.ok ? 0 : c.rows - c.stored, '', `${c.rows} rows in ${c.seconds} s`);
    }
  } else if (t.copy?.error) p('R_copy', `failed: ${t.copy.error.split('\n')[0]}`);
  lines.push('');
  for (const k of BOT_TARGETS) {
    const r = t[k];
    if (!r || r.error) continue;
    const v = res.verdicts[k];
    lines.push(`${names[k]}: ${v.map((x) => (x.target === null ? `${x.name} ${x.value}` : `${x.name} ${x.value} (target ${x.target}) ${x.met ? 'MET' : 'MISSED'}`)).join('; ')}`);
    lines.push(`  stored exactly once: ${r.integrity.ok ? 'yes' : 'NO'} — acked ${r.integrity.acked}, lost ${r.integrity.lost}, duplicated ${r.integrity.duplicated}, committed-not-acked ${r.integrity.storedNotAcked}; unprocessed at end ${r.unprocessedAtEnd}; batches ${r.batches ? `${r.batches.flushes} flushes, mean ${r.batches.meanBatch} orders, ${r.batches.meanFlushMs} ms` : 'n/a'}`);
  }
  if (t['ours-poison'] && !t['ours-poison'].error) lines.push(poisonLine(res));
  const rss = HTTP_TARGETS.filter((k) => t[k]?.rssIdleMb !== undefined)
    .map((k) => `${names[k]} ${t[k].rssIdleMb} → ${t[k].rssEndMb} (peak ${t[k].rssMb})`);
  if (rss.length) lines.push(`server RSS MB, idle before the load → at its end (peak): ${rss.join('; ')}`);
  const loops = HTTP_TARGETS.filter((k) => t[k]?.cpu?.serverLoopOnCpu !== undefined)
    .map((k) => `${names[k]} ${Math.round(100 * t[k].cpu.serverLoopOnCpu)} % on CPU / ${Math.round(100 * t[k].cpu.serverLoopWaitingForCpu)} % waiting for a CPU`);
  if (loops.length) lines.push(`server event loop (main thread) during the window: ${loops.join('; ')}`);
  if (t.floor?.integrity) lines.push(`R_floor stored exactly once: ${t.floor.integrity.ok ? 'yes' : 'NO'} — acked ${t.floor.integrity.acked}, lost ${t.floor.integrity.lost}, duplicated ${t.floor.integrity.duplicated}`);
  return lines.join('\n');
}

export function verdicts(res) {
  const out = {};
  for (const k of BOT_TARGETS) {
    const r = res.targets[k];
    if (!r || r.error) continue;
    const floor = res.targets.floor && !res.targets.floor.error ? res.targets.floor.ordersPerSec : undefined;
    const http = res.targets.http && !res.targets.http.error ? res.targets.http.ordersPerSec : undefined;
    const v = [
      { name: 'orders/s', value: round(r.ordersPerSec), target: `≥ ${TARGETS.ordersPerSec}`, met: r.ordersPerSec >= TARGETS.ordersPerSec },
      { name: 'p99 ack ms', value: round(r.p99, 1), target: `≤ ${TARGETS.p99Ms}`, met: r.p99 <= TARGETS.p99Ms },
      { name: 'peak RSS MB', value: r.rssMb, target: `≤ ${TARGETS.rssMb}`, met: r.rssMb <= TARGETS.rssMb },
    ];
    if (floor) v.push({ name: 'R_ours/R_floor', value: round(r.ordersPerSec / floor, 2), target: `≥ ${TARGETS.floorRatio}`, met: r.ordersPerSec / floor >= TARGETS.floorRatio });
    if (http) v.push({ name: 'R_ours/R_http', value: round(r.ordersPerSec / http, 2), target: null, met: true });
    const clean = res.targets['ours-intake'];
    if (k === 'ours-poison' && clean && !clean.error) {
      const ratio = r.ordersPerSec / clean.ordersPerSec;
      v.push({ name: 'R_poison/R_ours (role intake)', value: round(ratio, 2), target: `≥ ${TARGETS.poisonRatio}`, met: ratio >= TARGETS.poisonRatio });
    }
    v.push({ name: 'exactly once', value: r.integrity.ok ? 'yes' : 'no', target: 'yes', met: r.integrity.ok });
    out[k] = v;
  }
  return out;
}

/** The poison storm in one line: its clean-order rate as a ratio of the clean run, and what each poison got. */
function poisonLine(res) {
  const p = res.targets['ours-poison'];
  const clean = res.targets['ours-intake'];
  const ratio = clean && !clean.error ? `${round(p.ordersPerSec / clean.ordersPerSec, 2)} × R_ours (role intake)` : 'no clean run to compare with (add ours-intake to --targets)';
  const floor = res.targets.floor && !res.targets.floor.error ? `, ${round(p.ordersPerSec / res.targets.floor.ordersPerSec, 2)} × R_floor` : '';
  const kinds = Object.entries(p.poison ?? {}).map(([k, s]) => `${k} ${Object.entries(s).map(([st, n]) => `${n}×${st}`).join('/')}`).join(', ');
  const b = p.batches;
  return `poison storm (1 in ${res.settings.poisonEvery}): ${round(p.ordersPerSec)} clean orders/s = ${ratio}${floor}; poisons answered: ${kinds || 'none'}; batches isolated ${b?.isolations ?? 'n/a'}, refused by Postgres ${b?.refusedByPostgres ?? 'n/a'}; kept: ${(p.rejected ?? []).map((r) => `${r.reason} ${r.n}`).join(', ') || 'none'}`;
}
