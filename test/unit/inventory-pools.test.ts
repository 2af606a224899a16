import {
  applyTake, availability, availableTo, demandOf, planReservation, poolFor, poolQuotas, stockPicture, takeFrom, type SkuPools,
} from '../../src/domain/inventory/pools';
import type { PoolRule } from '../../src/domain/inventory/types';

const pool = (name: string, over: Partial<PoolRule> = {}): PoolRule => ({
  name, channels: ['douyin'], shops: null, reserve: null, weightBp: null, overflow: true, ...over,
});
const live = pool('douyin_live', { reserve: 30 });
const liveOnly = pool('douyin_live', { reserve: 30, overflow: false });
const tmall = pool('tmall', { channels: ['taobao'], weightBp: 2000 });

describe('pool quotas', () => {
  it.each([
    ['a fixed reserve', 100, [live], [30]],
    ['a weight is a share of the stock on hand, floored', 99, [tmall], [19]],
    ['weights never go through floats (0.29 × 100 = 29)', 100, [pool('p', { weightBp: 2900 })], [29]],
    ['pools are served in order and never exceed the stock', 40, [live, pool('b', { reserve: 25 })], [30, 10]],
    ['nothing on hand, nothing reserved', 0, [live, tmall], [0, 0]],
    ['no pools', 100, [], []],
  ] as const)('%s', (_name, stock, rules, expected) => {
    expect(poolQuotas(stock, [...rules])).toEqual(expected);
  });
});

describe('what a channel may sell (the seed: 100 on hand, the live stream keeps 30)', () => {
  it.each([
    // [case, stock, reserved, held, rules, channel, shop, expected]
    ['live stream: its 30 plus the shared 70', 100, 0, {}, [live], 'douyin', null, 100],
    ['other platforms: only the shared 70', 100, 0, {}, [live], 'taobao', null, 70],
    ['live stream without overflow: only its 30', 100, 0, {}, [liveOnly], 'douyin', null, 30],
    ['20 of the pool sold: the pool has 10 left, shared untouched', 100, 20, { douyin_live: 20 }, [live], 'taobao', null, 70],
    ['60 sold elsewhere: 10 shared + the untouched pool', 100, 60, {}, [live], 'douyin', null, 40],
    ['60 sold elsewhere: others see 10', 100, 60, {}, [live], 'jd', null, 10],
    ['everything sold', 100, 100, { douyin_live: 30 }, [live], 'douyin', null, 0],
    ['stock lowered under what is reserved: nothing, never negative', 50, 80, { douyin_live: 30 }, [live], 'douyin', null, 0],
    ['restocked after the pool was used: the pool stays used', 200, 100, { douyin_live: 30 }, [live], 'taobao', null, 100],
    ['shop filter: another shop is not in the pool', 100, 0, {}, [pool('live', { reserve: 30, shops: ['live-room'] })], 'douyin', 'flagship', 70],
    ['shop filter: its shop is', 100, 0, {}, [pool('live', { reserve: 30, shops: ['live-room'] })], 'douyin', 'live-room', 100],
    ['no pools: everything is shared', 417, 0, {}, [], 'douyin', null, 417],
  ] as const)('%s', (_name, stock, reserved, held, rules, channel, shop, expected) => {
    const rs = [...rules];
    const p = stockPicture({ stock, reserved, held: { ...held } }, rs);
    expect(availableTo(p, poolFor(rs, channel, shop))).toBe(expected);
  });
});

describe('taking stock: fixed reservation first, then the shared remainder', () => {
  it.each([
    ['from the pool', 100, 0, {}, live, 5, { fromPool: 5, fromShared: 0 }],
    ['pool nearly used: the rest from shared', 100, 28, { douyin_live: 28 }, live, 5, { fromPool: 2, fromShared: 3 }],
    ['no pool: all shared', 100, 0, {}, undefined, 5, { fromPool: 0, fromShared: 5 }],
    ['more than available: refused', 100, 95, {}, undefined, 6, null],
    ['without overflow the pool is the limit', 100, 0, {}, liveOnly, 31, null],
  ] as const)('%s', (_name, stock, reserved, held, rule, qty, expected) => {
    const rules = rule ? [rule] : [];
    expect(takeFrom(stockPicture({ stock, reserved, held: { ...held } }, rules), rule, qty)).toEqual(expected);
  });

  it('applyTake moves the counters both ways', () => {
    const s = { stock: 100, reserved: 10, held: { douyin_live: 4 } };
    const after = applyTake(s, { qty: 5, pool: 'douyin_live', fromPool: 3 });
    expect(after).toEqual({ stock: 100, reserved: 15, held: { douyin_live: 7 } });
    expect(applyTake(after, { qty: 5, pool: 'douyin_live', fromPool: 3 }, -1)).toEqual(s);
  });
});

describe('planning an order', () => {
  const skus = (entries: [string, number, number][], rules: PoolRule[] = []) =>
    new Map<string, SkuPools>(entries.map(([sku, stock, reserved]) => [sku, { stock: { stock, reserved, held: {} }, rules }]));

  it('sums repeated lines per SKU', () => {
    expect(demandOf([{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }, { sku: 'A', qty: 3 }])).toEqual([{ sku: 'A', qty: 4 }, { sku: 'B', qty: 2 }]);
  });

  it('takes every line when all are there', () => {
    const plan = planReservation([{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], skus([['A', 5, 0], ['B', 1, 0]]), 'taobao', null);
    expect(plan).toEqual({ ok: true, takes: [
      { sku: 'A', qty: 2, pool: null, fromPool: 0, fromShared: 2 },
      { sku: 'B', qty: 1, pool: null, fromPool: 0, fromShared: 1 },
    ] });
  });

  it('is all or nothing: one short line reserves nothing and names what is missing', () => {
    const plan = planReservation([{ sku: 'A', qty: 2 }, { sku: 'B', qty: 2 }], skus([['A', 5, 0], ['B', 3, 2]]), 'taobao', null);
    expect(plan).toEqual({ ok: false, lacking: [{ sku: 'B', wanted: 2, available: 1 }] });
  });

  it('skips SKUs without a master record (their stock is unknown)', () => {
    expect(planReservation([{ sku: 'X', qty: 9 }], skus([]), 'douyin', null)).toEqual({ ok: true, takes: [] });
    expect(availability(skus([['A', 3, 1]]), 'douyin', null)).toEqual(new Map([['A', 2]]));
  });

  it('the seed: 500 on hand, 83 sold elsewhere → exactly 417 single-unit orders fit', () => {
    const m = skus([['LAMP-01', 500, 83]]);
    let ok = 0;
    for (let i = 0; i < 500; i++) {
      const plan = planReservation([{ sku: 'LAMP-01', qty: 1 }], m, 'douyin', null);
      if (!plan.ok) continue;
      ok++;
      const s = m.get('LAMP-01')!;
      s.stock = applyTake(s.stock, plan.takes[0]!);
    }
    expect(ok).toBe(417);
    expect(m.get('LAMP-01')!.stock.reserved).toBe(500);
  });
});
