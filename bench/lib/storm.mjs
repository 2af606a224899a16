// Orders for the card bench and the fault drills: clean ones and ones carrying exactly one kind of
// exception, in the mix of the seed's live-stream storm (src/cli/demo-storm.ts, stormMix), pushed at
// a constant rate. Deterministic for a seed.
import { seeded } from './chat-stand-in.mjs';
import demoStorm from '../../dist/cli/demo-storm.js';

const { shanghaiIso, stormOrderBody } = demoStorm;

/** The seed storm's shares per order (src/cli/demo-storm.ts stormMix); the rest is clean. */
export const SEED_MIX = {
  vague_address: 0.06,
  urgent: 0.04,
  invoice: 0.04,
  forward: 0.01,
  partial_payment: 0.02,
  intercepted: 0.0005,
  high_amount: 0.0005,
  remote_region: 0.001,
};

/** The exception type each kind raises with the built-in rules, and the team it is routed to. */
export const KIND_EXCEPTION = {
  vague_address: { type: 'vague_address', team: 'service' },
  urgent: { type: 'remark_urgent', team: 'service' },
  forward: { type: 'remark_forward', team: 'service' },
  invoice: { type: 'remark_invoice', team: 'finance' },
  partial_payment: { type: 'payment', team: 'finance' },
  intercepted: { type: 'logistics_intercepted', team: 'warehouse' },
  high_amount: { type: 'review', team: 'review' },
  remote_region: { type: 'review', team: 'review' },
};

/** Every exception type of the built-in rules (routes must name each to override its SLA). */
export const EXCEPTION_TYPES = [
  'vague_address', 'payment', 'remark_forward', 'remark_urgent', 'remark_invoice', 'remark_address_change',
  'logistics_intercepted', 'stock_out', 'review', 'default',
];

/**
 * One generic order body (a JSON string) of `kind` with id `id`: the demo's storm order
 * (src/cli/demo-storm.ts stormOrderBody, from the build that every bench runs first).
 */
export function orderJson(kind, id, rnd, createdMs = Date.now()) {
  return JSON.stringify(stormOrderBody(kind, id, rnd, shanghaiIso(createdMs)));
}

/** `n` kinds in the proportions of `mix` (shares of all orders; the rest clean), shuffled. */
export function mixedKinds(n, mix, rnd) {
  const kinds = [];
  // Largest-remainder rounding, so small shares still appear in long runs and totals are exact.
  const exact = Object.entries(mix).map(([k, p]) => [k, n * p]);
  let assigned = 0;
  for (const [k, x] of exact) {
    const c = Math.floor(x);
    for (let i = 0; i < c; i++) kinds.push(k);
    assigned += c;
  }
  const wanted = Math.round(exact.reduce((a, [, x]) => a + x, 0));
  for (const [k] of exact.sort((a, b) => (b[1] % 1) - (a[1] % 1))) {
    if (assigned >= wanted) break;
    kinds.push(k);
    assigned++;
  }
  while (kinds.length < n) kinds.push('clean');
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  return kinds;
}

/**
 * A storm: `seconds` at `perSec` orders a second (evenly spaced), kinds from `mix`, and
 * `redeliveryShare` of them pushed a second time 2–20 s later (within the storm) (platforms redeliver when unsure an
 * ack arrived). Returns pushes [{ atMs, id, body, kind, redelivery }] sorted by time.
 */
export function stormPlan({ prefix, seconds, perSec, mix, seed = 7, redeliveryShare = 0.03 }) {
  const rnd = seeded(seed);
  const n = Math.round(seconds * perSec);
  const kinds = mixedKinds(n, mix, rnd);
  const t0 = Date.now();
  const pushes = kinds.map((kind, i) => {
    const atMs = (i * 1000) / perSec;
    const id = `${prefix}-${String(i + 1).padStart(5, '0')}`;
    return { atMs, id, body: orderJson(kind, id, rnd, t0 + atMs), kind, redelivery: false };
  });
  const again = Math.round(n * redeliveryShare);
  for (let k = 0; k < again; k++) {
    const p = pushes[Math.floor(rnd() * n)];
    pushes.push({ ...p, atMs: Math.min(seconds * 1000, p.atMs + 2000 + Math.floor(rnd() * 18_000)), redelivery: true });
  }
  return pushes.sort((a, b) => a.atMs - b.atMs);
}
