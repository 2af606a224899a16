import type { PoolRule } from './types';

/** A channel's reserve for one SKU set from chat or the CLI (`/orderops pool LAMP-01 douyin 30`). */
export interface PoolOverride {
  channel: string;
  reserve: number;
}

/**
 * The SKU's pools with its overrides applied: the pool that serves the channel (every shop of it)
 * gets the fixed reserve; a channel no pool serves gets a pool of its own (named after it, with
 * overflow into the shared stock like configured pools by default). Usage counters follow the
 * pool's name, so replacing a reserve keeps what the pool has handed out.
 *
 * @example
 *   applyOverrides([], [{ channel: 'douyin', reserve: 30 }])
 *   // → [{ name: 'douyin', channels: ['douyin'], shops: null, reserve: 30, weightBp: null, overflow: true }]
 */
export function applyOverrides(base: PoolRule[], overrides: PoolOverride[]): PoolRule[] {
  const rules = base.map((r) => ({ ...r }));
  for (const o of overrides) {
    const i = rules.findIndex((r) => r.channels.includes(o.channel) && r.shops === null);
    if (i >= 0) rules[i] = { ...rules[i]!, reserve: o.reserve, weightBp: null };
    else rules.push({ name: poolNameFor(o.channel, rules), channels: [o.channel], shops: null, reserve: o.reserve, weightBp: null, overflow: true });
  }
  return rules;
}

/** A pool name for a channel that no configured pool uses yet (pool names are snake_case). */
function poolNameFor(channel: string, rules: PoolRule[]): string {
  const base = channel.replace(/[^a-z0-9_]/g, '_');
  let name = base;
  for (let n = 2; rules.some((r) => r.name === name); n++) name = `${base}_${n}`;
  return name;
}

/** Per-SKU pools for the SKUs with overrides, on top of the configured default and per-SKU pools. */
export function withOverrides(
  pools: PoolRule[],
  skuPools: Record<string, PoolRule[]>,
  overrides: Map<string, PoolOverride[]>,
): Record<string, PoolRule[]> {
  const out = { ...skuPools };
  for (const [sku, os] of overrides) out[sku] = applyOverrides(skuPools[sku] ?? pools, os);
  return out;
}
