import { classify } from '../../src/domain/orders/classify';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import { genericSource } from '../../src/integrations/platforms/generic/generic-source';
import { signBody } from '../../src/integrations/platforms/generic/signature';
import { peakPerSecond, STORM_SECONDS, stormMix, stormOrders, stormPushes, stormSchedule } from '../../src/cli/demo-storm';

describe('the storm schedule', () => {
  it('peaks above 60 orders/s for the default 500 orders, and ends within five minutes', () => {
    const t = stormSchedule(500);
    expect(t).toHaveLength(500);
    expect(peakPerSecond(t)).toBeGreaterThan(60);
    expect(peakPerSecond(t)).toBeLessThan(120);
    expect(Math.max(...t)).toBeLessThanOrEqual(STORM_SECONDS * 1000);
    // The busiest second is within the first 15 s, as when the host says "上链接".
    const firstBurst = t.filter((x) => x < 15_000).length;
    expect(firstBurst).toBeGreaterThan(300);
    expect([...t].sort((a, b) => a - b)).toEqual(t);
  });

  it.each([20, 100, 1000])('keeps its shape for %i orders', (n) => {
    const t = stormSchedule(n);
    expect(t).toHaveLength(n);
    expect(peakPerSecond(t)).toBeGreaterThanOrEqual(Math.floor(n * 0.1));
  });

  it('counts the busiest one-second window', () => {
    expect(peakPerSecond([0, 100, 999, 1000, 1999])).toBe(3);
    expect(peakPerSecond([])).toBe(0);
  });
});

describe('the storm orders', () => {
  const source = genericSource('s');
  const orders = stormOrders({ n: 500, runId: 'TEST', seed: 7, startMs: Date.parse('2026-01-08T12:00:00Z'), speed: 1 });

  it('is deterministic for a seed and unique per run', () => {
    const again = stormOrders({ n: 500, runId: 'TEST', seed: 7, startMs: Date.parse('2026-01-08T12:00:00Z'), speed: 1 });
    expect(again).toEqual(orders);
    expect(new Set(orders.map((o) => o.body.id)).size).toBe(500);
    expect(orders[0]!.body.id).toBe('DYTEST-0001');
  });

  it('carries the mix of the article, and every order passes the generic schema', () => {
    const mix = stormMix(500);
    const count = (k: string) => orders.filter((o) => o.kind === k).length;
    for (const [kind, n] of Object.entries(mix)) expect(count(kind)).toBe(n);
    expect(count('intercepted')).toBe(1);
    expect(count('clean')).toBeGreaterThan(350);
    const body = JSON.stringify(orders.map((o) => o.body));
    const parsed = source.parse(JSON.parse(body), { body: Buffer.from(body), headers: { 'x-orderops-signature': signBody('s', body) }, receivedAt: new Date().toISOString() });
    expect(parsed.ok).toBe(true);
  });

  it('raises exactly the exception each kind stands for (clean orders raise none)', () => {
    const body = JSON.stringify(orders.map((o) => o.body));
    const parsed = source.parse(JSON.parse(body), { body: Buffer.from(body), headers: {}, receivedAt: new Date().toISOString() });
    if (!parsed.ok) throw new Error('schema');
    const expected: Record<string, string[]> = {
      clean: [], vip: [], vague_address: ['vague_address'], urgent: ['remark_urgent'], invoice: ['remark_invoice'],
      forward: ['remark_forward'], partial_payment: ['payment'], intercepted: ['logistics_intercepted'],
      high_amount: ['review'], remote_region: ['review'],
    };
    parsed.orders.forEach(({ order }, i) => {
      const types = classify(order, DEFAULT_RULES, { now: '2026-01-08T12:00:00Z' }).exceptions.map((e) => e.type);
      expect({ id: order.externalId, kind: orders[i]!.kind, types }).toEqual({ id: order.externalId, kind: orders[i]!.kind, types: expected[orders[i]!.kind] });
    });
  });

  it('pushes every order once, and about 3 % again later', () => {
    const pushes = stormPushes(orders, 7);
    expect(pushes.filter((p) => !p.duplicate).map((p) => p.index).sort((a, b) => a - b)).toEqual(orders.map((_, i) => i));
    expect(pushes.filter((p) => p.duplicate)).toHaveLength(15);
    for (const p of pushes.filter((x) => x.duplicate)) expect(p.atMs).toBeGreaterThan(orders[p.index]!.atMs);
  });
});
