import { readConfig } from '../../src/config';
import { loadSettings, parseSettings, type ConfigProblem } from '../../src/config/load-file';
import { OrderopsError } from '../../src/domain/errors';
import { pullerFor } from '../../src/integrations/platforms/pullers';
import { shopOfOrder, type ShopSettings } from '../../src/domain/reconcile/shop';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeConfig } from '../helpers/config-file';

const y = (...lines: string[]) => lines.join('\n') + '\n';

function problemsOf(text: string): { problems: ConfigProblem[]; message: string } {
  try {
    parseSettings(text, 'test.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(OrderopsError);
    return { problems: (e as OrderopsError).details as ConfigProblem[], message: (e as Error).message };
  }
  throw new Error(`expected test.yml to be refused:\n${text}`);
}

describe('shops: in orderops.yml', () => {
  it('is empty by default', () => {
    expect(loadSettings(undefined).shops).toEqual([]);
  });

  it('fills in the defaults: name = id, team review, every 30 min over a 180-minute window', () => {
    const s = parseSettings(y(
      'shops:',
      '  - id: home-flagship',
      '    source: douyin',
      '    token_env: DOUYIN_TOKEN_HOME',
      '  - id: us-store',
      '    source: shopify',
      '    name: US store',
      '    team: service',
      '    token_env: SHOPIFY_TOKEN_US',
      '    shop_domain: us-store.myshopify.com',
      '    reconcile: { every_minutes: 15, window_minutes: 60, enabled: false }',
    ));
    expect(s.shops).toEqual<ShopSettings[]>([
      { id: 'home-flagship', source: 'douyin', name: 'home-flagship', team: 'review', tokenEnv: 'DOUYIN_TOKEN_HOME', orderShop: 'home-flagship', reconcile: { enabled: true, everyMinutes: 30, windowMinutes: 180 } },
      {
        id: 'us-store', source: 'shopify', name: 'US store', team: 'service', tokenEnv: 'SHOPIFY_TOKEN_US', shopDomain: 'us-store.myshopify.com', orderShop: 'us-store',
        reconcile: { enabled: false, everyMinutes: 15, windowMinutes: 60 },
      },
    ]);
  });

  it.each<[string, string, { key: string; line: number; message: RegExp }]>([
    ['an unknown source', y('shops:', '  - id: a', '    source: ebay'), { key: 'shops.0.source', line: 3, message: /douyin/ }],
    ['a token pasted into token_env', y('shops:', '  - id: a', '    source: douyin', '    token_env: 9f8a7b6c-secret'), { key: 'shops.0.token_env', line: 4, message: /NAME of the environment variable/ }],
    ['a duplicate id', y('shops:', '  - { id: a, source: douyin }', '  - { id: a, source: jd }'), { key: 'shops.1.id', line: 3, message: /duplicate shop id "a"/ }],
    ['an unknown team', y('shops:', '  - id: a', '    source: jd', '    team: nobody'), { key: 'shops.0.team', line: 4, message: /team "nobody" is not under teams/ }],
    ['a Shopify shop without its domain', y('shops:', '  - id: a', '    source: shopify'), { key: 'shops.0', line: 2, message: /needs shop_domain/ }],
    ['a domain on another platform', y('shops:', '  - id: a', '    source: jd', '    shop_domain: a.example.com'), { key: 'shops.0.shop_domain', line: 4, message: /only Shopify/ }],
    ['a window shorter than the interval', y('shops:', '  - id: a', '    source: taobao', '    reconcile:', '      every_minutes: 60', '      window_minutes: 30'), { key: 'shops.0.reconcile.window_minutes', line: 6, message: /shorter than every_minutes \(60\)/ }],
    ['an interval under 5 minutes', y('shops:', '  - id: a', '    source: pinduoduo', '    reconcile: { every_minutes: 1 }'), { key: 'shops.0.reconcile.every_minutes', line: 4, message: />=5/ }],
    ['an unknown key', y('shops:', '  - id: a', '    source: douyin', '    token: abc'), { key: 'shops.0.token', line: 4, message: /unknown key "token"/ }],
  ])('refuses %s with file:line', (_label, text, want) => {
    const { problems, message } = problemsOf(text);
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ key: want.key, line: want.line, message: expect.stringMatching(want.message) })]));
    expect(message).toContain(`test.yml:${want.line} ${want.key}`);
  });

  it('the commented sample in orderops.example.yml is valid', () => {
    const example = readFileSync(join(__dirname, '..', '..', 'orderops.example.yml'), 'utf8').split('\n');
    const from = example.indexOf('# shops:');
    const to = example.indexOf('shops: []');
    expect(from).toBeGreaterThan(0);
    const sample = example.slice(from, to).map((l) => l.replace(/^# ?/, '')).join('\n');
    expect(parseSettings(sample).shops.map((s) => [s.id, s.source, s.team])).toEqual([['home-flagship', 'douyin', 'review'], ['us-store', 'shopify', 'review']]);
  });

  it('readConfig reads each shop token from the env var its token_env names, and only that', () => {
    const path = writeConfig(y('shops:', '  - { id: a, source: douyin, token_env: DY_TOKEN_A }', '  - { id: b, source: jd, token_env: JD_TOKEN_B }', '  - { id: c, source: jd }'));
    const config = readConfig({ ORDEROPS_CONFIG: path, DY_TOKEN_A: 'tok-a', USER: 'ops' });
    expect(config.shopTokens).toEqual({ a: 'tok-a' });
  });
});

describe('the puller registry', () => {
  const platforms = readConfig({ USER: 'ops', DOUYIN_APP_KEY: 'k', DOUYIN_APP_SECRET: 's' }).platforms;
  const shop = (over: Partial<ShopSettings>): ShopSettings => ({
    id: 'a', source: 'douyin', name: 'a', team: 'review', orderShop: 'a', reconcile: { enabled: true, everyMinutes: 30, windowMinutes: 180 }, ...over,
  });

  it('explains what is missing: the token, its env var, the app credentials, the Shopify domain', () => {
    expect(pullerFor(shop({ tokenEnv: 'DY_TOKEN_A' }), platforms, undefined)).toEqual({
      ok: false, reason: 'shop "a" (douyin) has no access token: set the environment variable DY_TOKEN_A (named by token_env in orderops.yml)',
    });
    expect(pullerFor(shop({}), platforms, undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('add token_env') });
    expect(pullerFor(shop({ source: 'taobao' }), platforms, 'tok')).toEqual({ ok: false, reason: 'shop "a" (taobao) needs the platform app credentials: set TAOBAO_APP_KEY and TAOBAO_APP_SECRET' });
    expect(pullerFor(shop({ source: 'shopify' }), platforms, 'tok')).toMatchObject({ ok: false, reason: expect.stringContaining('shop_domain') });
  });

  it('resolves each source to its pull client', () => {
    expect(pullerFor(shop({}), platforms, 'tok')).toMatchObject({ ok: true, puller: { source: 'douyin' } });
    expect(pullerFor(shop({ source: 'shopify', shopDomain: 'x.myshopify.com' }), platforms, 'tok')).toMatchObject({ ok: true, puller: { source: 'shopify', maxLookbackDays: 60 } });
  });
});

describe('which configured shop an order belongs to', () => {
  const s = parseSettings([
    'shops:',
    '  - { id: home, source: douyin, order_shop: "323423" }',
    '  - { id: outlet, source: douyin, order_shop: "555" }',
    '  - { id: us, source: shopify, shop_domain: us.myshopify.com }',
  ].join('\n')).shops;
  it.each([
    ['douyin', '323423', 'home'],
    ['douyin', '555', 'outlet'],
    ['douyin', '999', undefined], // two douyin shops, neither named: no guess
    ['shopify', 'anything', 'us'], // the only shopify shop
    ['taobao', '1', undefined],
  ])('%s order of shop %s → %s', (source, orderShop, expected) => {
    expect(shopOfOrder(s, source, orderShop)?.id).toBe(expected);
  });
});
