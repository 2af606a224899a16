import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesTest } from '../../src/cli/rules-test';
import { loadSettings } from '../../src/config/load-file';

/** `orderops rules test <order.json> [--stock SKU=n …]` on sample orders written to a temp dir. */

const NOW = new Date('2026-01-09T10:00:00+08:00');
const settings = loadSettings(undefined);

/** The generic-format example from PRODUCT.md, minus its remark: a clean order. */
const CLEAN = {
  id: 'DY20260108-0001',
  channel: 'douyin',
  shop: 'home-flagship',
  created_at: '2026-01-08T20:01:02+08:00',
  status: 'paid',
  buyer: { name: '王五', phone: '13812345678', vip: false },
  address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' },
  items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }],
  total: '599.00',
  paid: '599.00',
  currency: 'CNY',
  presale: false,
  logistics: { intercepted: false },
};

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orderops-rules-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function orderFile(payload: unknown): string {
  const file = join(dir, `order-${++n}.json`);
  writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return file;
}

const fired = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.includes('✔ fired'))
    .map((l) => l.trim().split(/\s+/)[2]);
const exceptionLines = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('→ exception'));

describe('rulesTest', () => {
  it('a clean order fires nothing and is auto-approved', () => {
    const r = rulesTest(orderFile(CLEAN), settings, [], NOW);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('order DY20260108-0001');
    expect(r.text).toContain('tags: (none)');
    expect(r.text).toContain('AUTO-APPROVED');
    expect(fired(r.text)).toEqual([]);
    expect(exceptionLines(r.text)).toEqual([]);
    // Every rule is listed, fired or not, so the operator sees why nothing fired.
    expect(r.text).toMatch(/· no\s+vague_address\.landmark/);
    expect(r.text).toMatch(/· no\s+review\.amount\s+金额599\.00 < 3000/);
  });

  it('the source article\'s 小区门口 address with remark 急 is held with two exceptions', () => {
    const order = { ...CLEAN, address: { ...CLEAN.address, detail: '小区门口' }, remark: '急' };
    const r = rulesTest(orderFile(order), settings, [], NOW);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('tags: urgent');
    expect(r.text).toContain('HELD for people');
    expect(r.text).not.toContain('AUTO-APPROVED');
    expect(fired(r.text)).toEqual(
      expect.arrayContaining(['tag.urgent', 'vague_address.landmark', 'remark_urgent.keyword']),
    );
    expect(r.text).toMatch(/✔ fired\s+vague_address\.landmark\s+地址仅有地标"小区门口"/);
    expect(exceptionLines(r.text)).toEqual([
      expect.stringMatching(/^\s+→ exception vague_address \(warning\) to team service, claim in 30 min, resolve in 60 min: .*小区门口/),
      expect.stringMatching(/^\s+→ exception remark_urgent \(critical\) to team service, claim in 30 min, resolve in 60 min: .*急/),
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['no items', { ...CLEAN, items: [] }, /items: needs at least one item/],
    ['a negative total', { ...CLEAN, total: '-5' }, /total: must not be negative/],
    ['a missing created_at', { ...CLEAN, created_at: undefined }, /created_at: /],
    ['a non-positive qty', { ...CLEAN, items: [{ sku: 'LAMP-01', qty: 0 }] }, /items\.0\.qty: must be positive/],
  ])('an invalid order (%s) is not ok and names the field', (_name, payload, field) => {
    const r = rulesTest(orderFile(payload), settings, [], NOW);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/^order DY20260108-0001: invalid — /);
    expect(r.text).toMatch(field);
  });

  it('a file that is not JSON is not ok', () => {
    const file = orderFile('{ "id": ');
    const r = rulesTest(file, settings, [], NOW);
    expect(r.ok).toBe(false);
    expect(r.text).toContain(`cannot read ${file} as JSON`);
  });

  it('an array of orders reports each one; one invalid order makes the run not ok', () => {
    const r = rulesTest(orderFile([CLEAN, { ...CLEAN, id: 'BAD-1', status: 'lost' }]), settings, [], NOW);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('AUTO-APPROVED');
    expect(r.text).toMatch(/order BAD-1: invalid — status: /);
  });

  it('--stock LAMP-01=0 raises stock_out to the warehouse', () => {
    const r = rulesTest(orderFile(CLEAN), settings, ['LAMP-01=0'], NOW);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('HELD for people');
    expect(fired(r.text)).toEqual(['stock_out.insufficient']);
    expect(exceptionLines(r.text)).toEqual([
      expect.stringMatching(/→ exception stock_out \(critical\) to team warehouse, claim in 30 min, resolve in 60 min: .*LAMP-01/),
    ]);
  });

  it('--stock with enough stock fires nothing', () => {
    const r = rulesTest(orderFile(CLEAN), settings, ['LAMP-01=5', 'OTHER=0'], NOW);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('AUTO-APPROVED');
    expect(fired(r.text)).toEqual([]);
  });

  it.each(['LAMP-01', 'LAMP-01=', 'LAMP-01=-1', 'LAMP-01=two', '=3'])('a bad --stock argument "%s" is refused', (arg) => {
    const r = rulesTest(orderFile(CLEAN), settings, [arg], NOW);
    expect(r.ok).toBe(false);
    expect(r.text).toBe(`--stock expects SKU=number, got "${arg}"`);
  });
});
