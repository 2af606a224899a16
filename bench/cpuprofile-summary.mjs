#!/usr/bin/env node
// Summarise a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, self time by
// package/area, and inclusive time of the heaviest functions.
//   node bench/cpuprofile-summary.mjs <file.cpuprofile> [--top N] [--json] [--callers writev ...]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

function areaOf(url, functionName) {
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program: native, not JS)';
    return '(native/builtin)';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `orderops ${url.slice(dist + 6).split('/').slice(0, 2).join('/')}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  // Sample i lasts until sample i+1 (what DevTools does); the last one gets the mean interval.
  const total = (profile.endTime - profile.startTime) || timeDeltas.reduce((a, b) => a + b, 0);
  for (let i = 0; i < samples.length; i++) {
    const d = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : total / samples.length;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, d));
  }
  const keyOf = (n) => {
    const cf = n.callFrame;
    return `${cf.functionName || '(anonymous)'}  ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  };
  const fnSelf = new Map();
  const areaSelf = new Map();
  let idleUs = 0;
  let sum = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    sum += us;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    if (area === '(idle)') idleUs += us;
    fnSelf.set(keyOf(n), (fnSelf.get(keyOf(n)) ?? 0) + us);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + us);
  }
  // Inclusive time: each function counted once per stack (recursion is not double counted).
  const subtree = new Map();
  const post = (id) => {
    const n = byId.get(id);
    let t = selfUs.get(id) ?? 0;
    for (const c of n.children ?? []) t += post(c);
    subtree.set(id, t);
    return t;
  };
  const root = profile.nodes[0].id;
  post(root);
  const fnIncl = new Map();
  const onStack = new Map();
  const walk = (id) => {
    const n = byId.get(id);
    const k = keyOf(n);
    const depth = onStack.get(k) ?? 0;
    if (depth === 0) fnIncl.set(k, (fnIncl.get(k) ?? 0) + subtree.get(id));
    onStack.set(k, depth + 1);
    for (const c of n.children ?? []) walk(c);
    onStack.set(k, depth);
  };
  walk(root);
  const busy = sum - idleUs;
  const rows = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: Math.round(us / 1000), pctBusy: busy > 0 ? Math.round((1000 * us) / busy) / 10 : 0 }));
  return {
    wallMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idleUs / 1000),
    selfByFunction: rows(fnSelf).filter((r) => r.name !== '(idle)  '),
    selfByArea: rows(areaSelf).filter((r) => r.name !== '(idle)'),
    inclusive: rows(fnIncl).filter((r) => !/^\((root|idle|program|garbage collector)\)/.test(r.name)),
  };
}

/**
 * Who pays for a (usually native) function: its self time split by the nearest ancestor frame that
 * belongs to a package or to orderops (not node internals nor builtins).
 */
export function callersOf(profile, name) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const d = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, d));
  }
  const out = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName !== name) continue;
    let p = parent.get(id);
    let label = '(unknown)';
    while (p !== undefined) {
      const cf = byId.get(p).callFrame;
      if (cf.url && !cf.url.startsWith('node:')) {
        label = `${cf.functionName || '(anonymous)'}  ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
        break;
      }
      p = parent.get(p);
    }
    out.set(label, (out.get(label) ?? 0) + us);
  }
  return [...out].sort((a, b) => b[1] - a[1]).map(([caller, us]) => ({ caller, ms: Math.round(us / 1000) }));
}

export function formatProfileSummary(s, top = 25) {
  const out = [];
  out.push(`profile: ${s.wallMs} ms wall, ${s.busyMs} ms on the main thread (${s.wallMs ? Math.round((100 * s.busyMs) / s.wallMs) : 0} %), ${s.idleMs} ms idle; percentages are of busy time`);
  out.push('\nself time by area:');
  for (const r of s.selfByArea.slice(0, 15)) out.push(`  ${String(r.pctBusy).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  out.push(`\ntop ${top} functions by self time:`);
  for (const r of s.selfByFunction.slice(0, top)) out.push(`  ${String(r.pctBusy).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  out.push(`\ntop ${top} by inclusive time:`);
  for (const r of s.inclusive.slice(0, top)) out.push(`  ${String(r.pctBusy).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false }, callers: { type: 'string', multiple: true, default: [] } } });
  if (positionals.length === 0) {
    console.error('usage: node bench/cpuprofile-summary.mjs <file.cpuprofile> [--top N] [--json]');
    process.exit(2);
  }
  for (const f of positionals) {
    const profile = JSON.parse(readFileSync(f, 'utf8'));
    const s = summariseProfile(profile);
    console.log(values.json ? JSON.stringify(s, null, 2) : `${f}\n${formatProfileSummary(s, Number(values.top))}\n`);
    for (const name of values.callers) {
      console.log(`self time of ${name}, by the nearest package or orderops frame above it:`);
      for (const r of callersOf(profile, name).slice(0, 15)) console.log(`  ${String(r.ms).padStart(7)} ms  ${r.caller}`);
    }
  }
}
