import { compareListing, consistencyRate, formatPercent, meetsGoal, UNKNOWN_SKU_SCORE, type ListingComparison } from '../../src/domain/inventory/consistency';
import { dailyPattern, localDate, nextDailyRun, previousDate } from '../../src/domain/inventory/schedule';
import { diffLowStock } from '../../src/domain/inventory/low-stock';

const listing = (over: Partial<ListingComparison>): ListingComparison => ({
  known: true, expectedStock: 100, listingStock: 100, masterPrice: '599.00', listingPrice: '599.00', ...over,
});

describe('a listing against the master', () => {
  const exact = { stock: 0, price: '0.00' };
  const loose = { stock: 2, price: '1.00' };
  it.each([
    ['identical', listing({}), exact, { stockDiff: 0, priceDiff: '0.00', stockOk: true, priceOk: true, consistent: true, score: 0 }],
    ['shows 5 more than it may sell', listing({ listingStock: 105 }), exact, { stockDiff: 5, stockOk: false, priceOk: true, consistent: false, score: 0.05 }],
    ['within the stock tolerance', listing({ listingStock: 98 }), loose, { stockDiff: -2, stockOk: true, consistent: true }],
    ['just past the stock tolerance', listing({ listingStock: 97 }), loose, { stockDiff: -3, stockOk: false, consistent: false }],
    ['the five-prices case: 899 where the master says 599', listing({ listingPrice: '899' }), exact, { priceDiff: '300.00', priceOk: false, consistent: false }],
    ['a cent off with a 1.00 tolerance', listing({ listingPrice: '599.01' }), loose, { priceDiff: '0.01', priceOk: true, consistent: true }],
    ['exactly at the price tolerance', listing({ listingPrice: '598.00' }), loose, { priceDiff: '-1.00', priceOk: true }],
    ['a cent past it', listing({ listingPrice: '597.99' }), loose, { priceDiff: '-1.01', priceOk: false }],
    ['platform sends no stock: only the price counts', listing({ listingStock: null }), exact, { stockDiff: null, stockOk: true, consistent: true }],
    ['master has no price: the price is not compared', listing({ masterPrice: null, listingPrice: '10' }), exact, { priceDiff: null, priceOk: true }],
    ['SKU not in the master record: never consistent, listed first', listing({ known: false, expectedStock: null }), exact,
      { stockDiff: null, priceDiff: null, stockOk: false, priceOk: false, consistent: false, score: UNKNOWN_SKU_SCORE }],
    ['empty pool: a gap of 3 on 0 counts as 3', listing({ expectedStock: 0, listingStock: 3 }), exact, { stockDiff: 3, score: 3 }],
  ] as const)('%s', (_name, c, tol, expected) => {
    expect(compareListing(c, tol)).toMatchObject(expected);
  });

  it('ranks a 50 % price gap above a 5 % stock gap', () => {
    const price = compareListing(listing({ listingPrice: '899.00', masterPrice: '599.00' }), exact);
    const stock = compareListing(listing({ listingStock: 105 }), exact);
    expect(price.score).toBeGreaterThan(stock.score);
    expect(price.score).toBeCloseTo(300 / 599, 6);
  });
});

describe('the rate against the 99 % goal', () => {
  it.each([
    [990, 1000, 99, true],
    [989, 1000, 98.9, false],
    [197, 200, 98.5, false],
    [2, 3, 66.66, false],
    [99_999, 100_000, 99.99, true], // floored: never shows 100 while one is off
    [5, 5, 100, true],
  ])('%i of %i → %d %%', (consistent, checked, rate, met) => {
    expect(consistencyRate(consistent, checked)).toBe(rate);
    expect(meetsGoal(consistent, checked, 99)).toBe(met);
  });

  it('nothing compared: no rate, and nothing to fail', () => {
    expect(consistencyRate(0, 0)).toBeNull();
    expect(meetsGoal(0, 0, 99)).toBe(true);
  });

  it('formats without trailing zeros', () => {
    expect([formatPercent(98.5), formatPercent(100), formatPercent(99.99), formatPercent(66.66)]).toEqual(['98.5', '100', '99.99', '66.66']);
  });
});


describe('the daily schedule', () => {
  it.each([
    ['before 09:00 Shanghai → today', '2026-01-08T00:30:00Z', '09:00', 'Asia/Shanghai', '2026-01-08T01:00:00.000Z'],
    ['exactly 09:00 → tomorrow (strictly after)', '2026-01-08T01:00:00Z', '09:00', 'Asia/Shanghai', '2026-01-09T01:00:00.000Z'],
    ['after 09:00 → tomorrow', '2026-01-08T02:00:00Z', '09:00', 'Asia/Shanghai', '2026-01-09T01:00:00.000Z'],
    ['late evening UTC is already tomorrow in Shanghai', '2026-01-08T20:00:00Z', '09:00', 'Asia/Shanghai', '2026-01-09T01:00:00.000Z'],
    ['New York across the spring DST change', '2026-03-07T15:00:00Z', '09:00', 'America/New_York', '2026-03-08T13:00:00.000Z'],
    ['another time of day', '2026-01-08T00:00:00Z', '18:30', 'Asia/Shanghai', '2026-01-08T10:30:00.000Z'],
  ])('%s', (_name, now, time, tz, expected) => {
    expect(nextDailyRun(new Date(now), time, tz).toISOString()).toBe(expected);
  });

  it('cron pattern and report date', () => {
    expect(dailyPattern('09:00')).toBe('0 9 * * *');
    expect(dailyPattern('18:05')).toBe('5 18 * * *');
    expect(localDate(new Date('2026-01-08T17:00:00Z'), 'Asia/Shanghai')).toBe('2026-01-09');
    expect(localDate(new Date('2026-01-08T17:00:00Z'), 'UTC')).toBe('2026-01-08');
    expect(previousDate('2026-03-01')).toBe('2026-02-28');
  });
});

describe('low-stock alerts', () => {
  const r = (sku: string, stock: number, reserved: number, threshold: number | null = null) => ({ sku, stock, reserved, threshold });
  it.each([
    ['under the threshold opens one', [r('A', 12, 3)], [], true, [{ kind: 'open', sku: 'A', available: 9, threshold: 10 }]],
    ['an import never opens one', [r('A', 5, 0)], [], false, []],
    ['at the threshold is not low', [r('A', 10, 0)], [], true, []],
    ['the SKU threshold wins over the default', [r('A', 15, 0, 20)], [], true, [{ kind: 'open', sku: 'A', available: 15, threshold: 20 }]],
    ['threshold 0 never alerts, not even at 0', [r('A', 0, 0, 0)], [], true, []],
    ['a change while low updates it', [r('A', 12, 4)], [{ id: 7, sku: 'A', available: 9, threshold: 10 }], true, [{ kind: 'update', alertId: 7, sku: 'A', available: 8, threshold: 10 }]],
    ['no change: nothing (the card is not touched)', [r('A', 12, 3)], [{ id: 7, sku: 'A', available: 9, threshold: 10 }], true, []],
    ['restocked clears it, even from an import', [r('A', 50, 3)], [{ id: 7, sku: 'A', available: 9, threshold: 10 }], false, [{ kind: 'clear', alertId: 7, sku: 'A', available: 47 }]],
    ['oversold counts as 0 available', [r('A', 5, 9)], [], true, [{ kind: 'open', sku: 'A', available: 0, threshold: 10 }]],
  ] as const)('%s', (_name, readings, open, mayOpen, expected) => {
    expect(diffLowStock([...readings], [...open], 10, mayOpen)).toEqual(expected);
  });
});
