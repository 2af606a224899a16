import { validateSkuRow } from '../../src/domain/inventory/sku-row';
import { validateListing } from '../../src/domain/inventory/listing-row';
import { checkPriceDecision, priceActions, rolesFrom } from '../../src/domain/inventory/price-change';
import { parseSettings } from '../../src/config/load-file';
import { OrderopsError } from '../../src/domain/errors';

describe('SKU rows', () => {
  it.each([
    ['minimal', { sku: 'A-1', stock: 5 }, { sku: 'A-1', stock: 5 }],
    ['CSV cells are strings', { sku: ' A-1 ', stock: '12', price: '599', owner: 'zhangsan', low_stock_threshold: '3', name: '台灯' },
      { sku: 'A-1', stock: 12, price: '599.00', owner: 'zhangsan', lowStockThreshold: 3, name: '台灯' }],
    ['empty optional cells are absent', { sku: 'A', stock: 0, price: '', owner: ' ', low_stock_threshold: null }, { sku: 'A', stock: 0 }],
  ])('accepts %s', (_n, raw, value) => {
    expect(validateSkuRow(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['no sku', { stock: 1 }, ['sku']],
    ['no stock', { sku: 'A' }, ['stock']],
    ['negative stock', { sku: 'A', stock: -1 }, ['stock']],
    ['fractional stock', { sku: 'A', stock: 1.5 }, ['stock']],
    ['three decimals', { sku: 'A', stock: 1, price: '1.234' }, ['price']],
    ['an owner that cannot be a staff id', { sku: 'A', stock: 1, owner: '张 三' }, ['owner']],
    ['every problem at once, unknown fields too', { sku: '', stock: 'x', colour: 'red' }, ['colour', 'sku', 'stock']],
    ['not an object', [1, 2], ['(row)']],
  ])('rejects %s, naming each field', (_n, raw, fields) => {
    const r = validateSkuRow(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual([...fields].sort());
  });
});

describe('listings', () => {
  const at = '2026-01-08T12:00:00.000Z';
  it('defaults the shop and the time seen', () => {
    expect(validateListing({ sku: 'A', platform: 'Douyin', stock: 3 }, at)).toEqual({ ok: true, value: { sku: 'A', platform: 'douyin', shop: '', stock: 3, price: null, seenAt: at } });
  });
  it('normalises a given time to UTC', () => {
    const r = validateListing({ sku: 'A', platform: 'jd', price: 599, seen_at: '2026-01-08T20:00:00+08:00' }, at);
    expect(r.ok && r.value).toMatchObject({ price: '599.00', seenAt: '2026-01-08T12:00:00.000Z' });
  });
  it.each([
    ['neither stock nor price', { sku: 'A', platform: 'jd' }, 'stock'],
    ['a time without an offset', { sku: 'A', platform: 'jd', stock: 1, seen_at: '2026-01-08 20:00' }, 'seen_at'],
    ['a platform that is not a channel name', { sku: 'A', platform: 'J D', stock: 1 }, 'platform'],
    ['a negative stock', { sku: 'A', platform: 'jd', stock: -2 }, 'stock'],
  ])('rejects %s', (_n, raw, field) => {
    const r = validateListing(raw, at);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContain(field);
  });
});

describe('who may decide a price change', () => {
  const roles = rolesFrom('supervisor');
  const pending = { status: 'pending' as const, version: 1, decidedBy: null };
  it.each([
    ['a supervisor', pending, { role: 'supervisor' as const }, 1, null],
    ['an admin', pending, { role: 'admin' as const }, 1, null],
    ['an agent', pending, { role: 'agent' as const }, 1, { reason: 'forbidden', roles }],
    ['someone not on the staff list', pending, null, 1, { reason: 'unknown_user' }],
    ['a request already approved', { status: 'approved' as const, version: 2, decidedBy: 'boss' }, { role: 'manager' as const }, 2, { reason: 'already_decided', status: 'approved', by: 'boss' }],
    ['a card showing an old version', { ...pending, version: 2 }, { role: 'manager' as const }, 1, { reason: 'stale' }],
  ])('%s', (_n, req, actor, version, expected) => {
    expect(checkPriceDecision(req, actor, roles, version)).toEqual(expected);
  });
  it('only a pending request shows buttons', () => {
    expect(priceActions('pending')).toEqual(['price.approve', 'price.reject']);
    expect(priceActions('approved')).toEqual([]);
    expect(roles).toEqual(['supervisor', 'manager', 'admin']);
  });
});

describe('the inventory: section of orderops.yml', () => {
  it('has defaults that follow the top-level time zone', () => {
    const s = parseSettings('timezone: Europe/Berlin\n').inventory;
    expect(s).toMatchObject({
      enabled: true, team: 'warehouse', lowStockThreshold: 10, pools: [], tolerance: { stock: 0, price: '0.00' },
      report: { time: '09:00', timezone: 'Europe/Berlin', goal: 99, worst: 10 }, priceApproverRoles: ['supervisor', 'manager', 'admin'],
    });
  });
  it('reads pools, per-SKU pools, weights as basis points', () => {
    const s = parseSettings(`
inventory:
  pools:
    tmall: { channels: [taobao], weight: 0.29 }
  sku_pools:
    LAMP-01:
      douyin_live: { channels: [douyin], shops: [live-room], reserve: 30, overflow: false }
  tolerance: { stock: 2, price: 1 }
  report: { time: "08:30", timezone: Asia/Tokyo, goal: 98.5 }
  price_approver_roles: [manager, admin]
`).inventory;
    expect(s.pools).toEqual([{ name: 'tmall', channels: ['taobao'], shops: null, reserve: null, weightBp: 2900, overflow: true }]);
    expect(s.skuPools['LAMP-01']).toEqual([{ name: 'douyin_live', channels: ['douyin'], shops: ['live-room'], reserve: 30, weightBp: null, overflow: false }]);
    expect(s.tolerance).toEqual({ stock: 2, price: '1' });
    expect(s.report).toMatchObject({ time: '08:30', timezone: 'Asia/Tokyo', goal: 98.5 });
    expect(s.priceApproverRoles).toEqual(['manager', 'admin']);
  });
  it.each([
    ['a pool with both reserve and weight', 'inventory:\n  pools:\n    p: { channels: [douyin], reserve: 3, weight: 0.1 }\n', 'inventory.pools.p'],
    ['weights above the whole stock', 'inventory:\n  pools:\n    a: { channels: [douyin], weight: 0.6 }\n    b: { channels: [jd], weight: 0.5 }\n', 'inventory.pools'],
    ['an unknown team', 'inventory:\n  team: nobody\n', 'inventory.team'],
    ['a bad report time', 'inventory:\n  report: { time: "9am" }\n', 'inventory.report.time'],
    ['an unknown role', 'inventory:\n  price_approver_roles: [boss]\n', 'inventory.price_approver_roles.0'],
  ])('rejects %s with the key and line', (_n, yaml, key) => {
    try {
      parseSettings(yaml);
      throw new Error('expected a config error');
    } catch (e) {
      expect(e).toBeInstanceOf(OrderopsError);
      expect((e as OrderopsError).message).toContain(key);
      expect((e as OrderopsError).message).toMatch(/orderops\.yml:\d+/);
    }
  });
});
