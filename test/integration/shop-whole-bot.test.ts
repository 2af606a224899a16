import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eventually, testEnv, TEST_TOKEN, uid } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';

// The whole bot as its own process (built from src), against local stand-ins of the five platforms
// and the seller's webhook: an approved price reaches all of them and each result is on the card;
// a platform that refuses stays failed and retryable; a kill -9 between the approval and the pushes
// ends, after a restart, with each platform priced exactly once.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startShopStandIn } = require('../../bench/lib/shop-stand-in.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const PLATFORMS = ['douyin', 'taobao', 'pinduoduo', 'jd', 'shopify'] as const;
const PRICE_OPS = /sku\.editPrice|taobao\.item\.sku\.price\.update|pdd\.goods\.sku\.price\.update|updateSkuJdPrice|productVariantsBulkUpdate|price\.set/;

let standIn: any;
let db: pg.Pool;
let dir: string;
let bot: ChildProcess | undefined;
let url: string;
let env: NodeJS.ProcessEnv;

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

async function startBot(): Promise<void> {
  bot = spawn(process.execPath, [path.join(dir, 'bin.js'), 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await eventually(async () => {
    try {
      return (await fetch(`${url}/readyz`)).status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }, 60_000, 'the bot to be ready');
}
async function kill9(): Promise<void> {
  const b = bot!;
  bot = undefined;
  if (b.exitCode !== null || b.signalCode !== null) return;
  const exited = new Promise((r) => b.once('exit', r));
  b.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  standIn = await startShopStandIn({ rates: { douyin: 50, taobao: 50, pinduoduo: 50, jd: 50, shopify: 20 } });
  dir = mkdtempSync(path.join(tmpdir(), 'orderops-bot-'));
  // Built from the sources under test, beside links to node_modules and migrations.
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], { stdio: 'inherit' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(ROOT, 'migrations'), path.join(dir, 'migrations'));
  symlinkSync(path.join(ROOT, 'src'), path.join(dir, 'src')); // the local page's assets
  writeFileSync(path.join(dir, 'bin.js'), "require('./dist/cli/index.js').run();\n");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const config = writeConfig(`
shop_sync: { night_guard: { enabled: false }, stock_coalesce_seconds: 1, attempts: 50 }
erp_webhook: { url: "${standIn.url('webhook')}", stock: false, orders: false }
shops:
  - { id: dy, source: douyin, token_env: T_DY, reconcile: { enabled: false } }
  - { id: tb, source: taobao, token_env: T_TB, reconcile: { enabled: false } }
  - { id: pdd, source: pinduoduo, token_env: T_PDD, reconcile: { enabled: false } }
  - { id: jd, source: jd, token_env: T_JD, reconcile: { enabled: false } }
  - { id: us, source: shopify, token_env: T_SH, shop_domain: us.myshopify.com, reconcile: { enabled: false } }
`);
  env = {
    ...process.env, ...testEnv(), ...standIn.env(), PORT: String(port), LOG_LEVEL: 'warn', ORDEROPS_CONFIG: config,
    T_DY: 'a', T_TB: 'b', T_PDD: 'c', T_JD: 'd', T_SH: 'e', ORDEROPS_OUTBOUND_SECRET: 'erp-secret',
    DOUYIN_APP_KEY: 'k', DOUYIN_APP_SECRET: 's', TAOBAO_APP_KEY: 'k', TAOBAO_APP_SECRET: 's', PDD_CLIENT_ID: 'k', PDD_CLIENT_SECRET: 's', JD_APP_KEY: 'k', JD_APP_SECRET: 's',
  };
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
}, 240_000);
afterAll(async () => {
  if (bot) await kill9();
  await db.end();
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (p: string, body: unknown) => {
  const res = await fetch(`${url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as any };
};
const pushes = async (sku: string) =>
  (await db.query(`SELECT pp.platform, pp.status, pp.attempts, pp.detail FROM price_pushes pp JOIN price_changes c ON c.id = pp.change_id WHERE c.sku = $1 ORDER BY pp.platform`, [sku])).rows;
const pricedCalls = (platform: string, sku: string) =>
  standIn.applied(platform, PRICE_OPS).filter((c: any) => JSON.stringify(c.params).includes(platform === 'webhook' ? sku : standIn.state[platform].byCode.get(sku).skuId));

async function approve(sku: string, price: string): Promise<number> {
  const req = await api('/api/price-changes', { sku, price, requested_by: 'demo.warehouse.agent' });
  expect(req.status).toBe(201);
  const dec = await api(`/api/price-changes/${req.json.request_id}/decision`, { decision: 'approve', version: req.json.version, staff: 'demo.manager' });
  expect(dec.status).toBe(200);
  return req.json.request_id;
}

describe('the whole bot against platform stand-ins', () => {
  it('pulls the listings, then an approved price reaches all five and the webhook within 30 s; JD refuses and stays retryable', async () => {
    const sku = uid('LAMP');
    for (const p of PLATFORMS) standIn.seed(p, [{ code: sku, price: '899.00', stock: 100 }]);
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '智能台灯', 100, 899.00)`, [sku]);
    standIn.refusePrices('jd', '价格超出范围');
    await startBot();
    // The scheduled listing pull at start stores each platform's ids to push with.
    await eventually(async () => ((await db.query(`SELECT count(*)::int AS n FROM platform_listings WHERE sku = $1 AND ref IS NOT NULL`, [sku])).rows[0].n === 5 ? true : undefined), 30_000, 'the five listings');

    const started = Date.now();
    const id = await approve(sku, '599.00');
    const done = await eventually(async () => {
      const r = await pushes(sku);
      return r.length === 6 && r.every((x) => x.status === 'pushed' || x.status === 'failed') ? r : undefined;
    }, 30_000, 'every platform answered');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(done.map((r) => [r.platform, r.status])).toEqual([
      ['douyin', 'pushed'], ['jd', 'failed'], ['pinduoduo', 'pushed'], ['shopify', 'pushed'], ['taobao', 'pushed'], ['webhook', 'pushed'],
    ]);
    for (const p of ['douyin', 'taobao', 'pinduoduo', 'shopify']) expect(standIn.state[p].byCode.get(sku).price).toBe('599.00');
    expect(standIn.state.jd.byCode.get(sku).price).toBe('899.00');

    const card = await eventually(async () => {
      const s = await (await fetch(`${url}/local/state?staff=demo.manager`)).json() as any;
      const c = s.cards.find((x: { key: string }) => x.key === `price:${id}`);
      const pushes = c?.texts.fields.find((f: { key: string }) => f.key === 'pushes')?.value as string | undefined;
      return pushes && !/⟳|⏳/.test(pushes) && c.texts.decisionButtons.some((b: { action: string }) => b.action === 'price.retry') ? c : undefined;
    }, 15_000, 'the card with every result');
    const line = card.texts.fields.find((f: { key: string }) => f.key === 'pushes').value;
    for (const label of ['抖音 ✓', '淘宝 ✓', '拼多多 ✓', 'Shopify ✓', '自有商城/ERP ✓', '京东 ✗ 价格超出范围']) expect(line).toContain(label);

    standIn.refusePrices('jd', null);
    expect((await api(`/api/price-changes/${id}/retry`, { staff: 'demo.manager' })).status).toBe(200);
    await eventually(async () => ((await pushes(sku)).every((x) => x.status === 'pushed') ? true : undefined), 30_000, 'the JD retry');
    expect(standIn.state.jd.byCode.get(sku).price).toBe('599.00');
  }, 120_000);

  it('kill -9 between the approval and the pushes: after the restart each platform is priced exactly once', async () => {
    const sku = uid('DESK');
    for (const p of PLATFORMS) standIn.seed(p, [{ code: sku, price: '199.00', stock: 10 }]);
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '书桌', 10, 199.00)`, [sku]);
    for (const p of PLATFORMS) {
      const l = standIn.state[p].byCode.get(sku);
      const ref = p === 'shopify'
        ? { productId: `gid://shopify/Product/${l.productId}`, variantId: `gid://shopify/ProductVariant/${l.skuId}`, inventoryItemId: `gid://shopify/InventoryItem/${l.skuId}`, locationId: 'gid://shopify/Location/1' }
        : { productId: l.productId, skuId: l.skuId, ...(p === 'taobao' ? { properties: `1627207:${l.skuId}` } : {}) };
      await db.query(`INSERT INTO platform_listings (sku, platform, shop, stock, price, seen_at, source, ref) VALUES ($1, $2, $3, 10, 199.00, now(), 'pull', $4)`,
        [sku, p, { douyin: 'dy', taobao: 'tb', pinduoduo: 'pdd', jd: 'jd', shopify: 'us' }[p], JSON.stringify(ref)]);
    }
    // Every platform is down: the pushes are tried, fail transiently and wait to be retried.
    for (const p of [...PLATFORMS, 'webhook']) standIn.setMode(p, 'down');
    await approve(sku, '149.00');
    await eventually(async () => {
      const r = await pushes(sku);
      return r.length === 6 && r.every((x) => x.status === 'pending' && x.attempts >= 1) ? true : undefined;
    }, 30_000, 'every push tried once and waiting');
    await kill9();
    for (const p of [...PLATFORMS, 'webhook']) standIn.setMode(p, 'ok');
    await startBot();
    // A push whose worker died mid-call is sent again when its lease (45 s) runs out.
    await eventually(async () => ((await pushes(sku)).every((x) => x.status === 'pushed') ? true : undefined), 120_000, 'every push done after the restart');
    for (const p of [...PLATFORMS, 'webhook']) expect([p, pricedCalls(p, sku).length]).toEqual([p, 1]);
    for (const p of PLATFORMS) expect(standIn.state[p].byCode.get(sku).price).toBe('149.00');
  }, 240_000);
});
