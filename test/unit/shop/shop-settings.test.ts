import { readConfig } from '../../../src/config';
import { parseSettings } from '../../../src/config/load-file';
import { OrderopsError } from '../../../src/domain/errors';
import { needsNightConfirmation, DEFAULT_SHOP_SYNC } from '../../../src/domain/shop/settings';
import { applyOverrides } from '../../../src/domain/inventory/pool-overrides';
import type { PoolRule } from '../../../src/domain/inventory/types';
import { limiterOf, pushJobId } from '../../../src/jobs/shop-push-jobs';
import { writeConfig } from '../../helpers/config-file';

describe('shop_sync and erp_webhook in orderops.yml', () => {
  it('fills defaults and takes overrides per platform', () => {
    const s = parseSettings('shop_sync: { rate_limits: { jd: 2.5 }, night_guard: { from: "23:30", to: "07:00" } }\n');
    expect(s.shopSync.rateLimits).toEqual({ ...DEFAULT_SHOP_SYNC.rateLimits, jd: 2.5 });
    expect(s.shopSync.nightGuard).toEqual({ enabled: true, window: { from: '23:30', to: '07:00' } });
    expect(s.erpWebhook).toBeNull();
  });
  it.each([
    ['shop_sync: { rate_limits: { amazon: 1 } }', 'shop_sync.rate_limits'],
    ['shop_sync: { night_guard: { from: "25:00" } }', 'shop_sync.night_guard.from'],
    ['erp_webhook: { url: "ftp://x" }', 'erp_webhook.url'],
    ['erp_webhook: { url: "https://erp.test", secret_env: "my secret" }', 'erp_webhook.secret_env'],
  ])('refuses %s at %s', (yaml, key) => {
    expect(() => parseSettings(`${yaml}\n`)).toThrow(new RegExp(`orderops\\.yml:1 ${key.replace(/\./g, '\\.')}`));
  });
  it('an erp_webhook without its secret in the environment stops the start, naming the variable', () => {
    const file = writeConfig('erp_webhook: { url: "https://erp.test/hook", secret_env: ERP_SECRET }\n');
    expect(() => readConfig({ ORDEROPS_CONFIG: file, USER: 'ops' })).toThrow(OrderopsError);
    expect(() => readConfig({ ORDEROPS_CONFIG: file, USER: 'ops' })).toThrow(/ERP_SECRET/);
    expect(readConfig({ ORDEROPS_CONFIG: file, USER: 'ops', ERP_SECRET: 'x' }).erpWebhookSecret).toBe('x');
  });
});

describe('the night guard (local time, Asia/Shanghai)', () => {
  const g = DEFAULT_SHOP_SYNC.nightGuard;
  it.each([
    ['2026-01-08T15:59:00Z', false], // 23:59
    ['2026-01-08T16:00:00Z', true], // 00:00
    ['2026-01-08T21:59:00Z', true], // 05:59
    ['2026-01-08T22:00:00Z', false], // 06:00
    ['2026-01-08T12:00:00Z', false], // 20:00, the promotion
  ])('%s → %s', (at, night) => {
    expect(needsNightConfirmation(g, 'Asia/Shanghai', new Date(at))).toBe(night);
  });
  it('is off when disabled', () => {
    expect(needsNightConfirmation({ ...g, enabled: false }, 'Asia/Shanghai', new Date('2026-01-08T17:00:00Z'))).toBe(false);
  });
});

describe('pool overrides from chat', () => {
  const live: PoolRule = { name: 'douyin_live', channels: ['douyin'], shops: null, reserve: null, weightBp: 3000, overflow: false };
  it.each<[string, PoolRule[], { channel: string; reserve: number }[], PoolRule[]]>([
    ['adds a pool for a channel none serves', [], [{ channel: 'douyin', reserve: 30 }],
      [{ name: 'douyin', channels: ['douyin'], shops: null, reserve: 30, weightBp: null, overflow: true }]],
    ['replaces the reserve of the pool serving the channel, keeping its name and overflow', [live], [{ channel: 'douyin', reserve: 50 }],
      [{ ...live, reserve: 50, weightBp: null }]],
    ['leaves other pools alone', [live], [{ channel: 'jd', reserve: 5 }],
      [live, { name: 'jd', channels: ['jd'], shops: null, reserve: 5, weightBp: null, overflow: true }]],
  ])('%s', (_n, base, overrides, want) => {
    expect(applyOverrides(base, overrides)).toEqual(want);
    expect(base).toEqual(base.map((r) => ({ ...r }))); // not mutated
  });
});

describe('push jobs', () => {
  it('have deterministic ids of three parts', () => {
    expect(pushJobId({ kind: 'price', id: 12, round: 1, platform: 'jd' })).toBe('price:12:1');
    const a = pushJobId({ kind: 'stock', sku: 'A:B', platform: 'jd', shop: 's', dirtyAt: new Date(5) });
    expect(a.split(':')).toHaveLength(3);
    expect(a).toBe(pushJobId({ kind: 'stock', sku: 'A:B', platform: 'jd', shop: 's', dirtyAt: new Date(5) }));
    expect(a).not.toBe(pushJobId({ kind: 'stock', sku: 'A:B', platform: 'jd', shop: 's', dirtyAt: new Date(6) }));
  });
  it.each([[10, { max: 1, duration: 106 }], [2, { max: 1, duration: 527 }], [50, { max: 1, duration: 22 }], [0.5, { max: 1, duration: 2106 }]])('rate %s/s → one job per %o', (rate, want) => {
    expect(limiterOf(rate)).toEqual(want);
  });
});
