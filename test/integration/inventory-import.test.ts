import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import iconv from 'iconv-lite';
import { importCommand } from '../../src/cli/import-skus';
import { reportConsistencyCommand } from '../../src/cli/report-consistency';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'skus');
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
});
afterAll(() => db.end());

const env = () => ({ DATABASE_URL: process.env.TEST_DATABASE_URL, USER: process.env.USER || 'postgres' });

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await importCommand(args, env(), { out: (l) => out.push(l), err: (l) => err.push(l), progress: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const rows = async (prefix: string) =>
  (await db.query('SELECT sku, name, stock, price, owner, low_stock_threshold FROM skus WHERE sku LIKE $1 ORDER BY sku', [`${prefix}%`])).rows;

it('imports a CSV: quoted names, empty cells, upsert on a second run', async () => {
  const r = await run(['skus', path.join(FIXTURES, 'valid.csv')]);
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out).toContain('imported 3 row(s): 3 new, 0 updated, 0 unchanged');
  expect(r.out).toContain('1 SKU(s) are under their low-stock threshold');
  expect(await rows('IMP-')).toEqual([
    { sku: 'IMP-CUP-01', name: '保温杯', stock: 0, price: '59.90', owner: 'lisi', low_stock_threshold: null },
    { sku: 'IMP-LAMP-01', name: '智能台灯, 直播款', stock: 417, price: '599.00', owner: 'zhangsan', low_stock_threshold: 20 },
    { sku: 'IMP-LAMP-02', name: 'Desk lamp "Pro"', stock: 120, price: '899.00', owner: null, low_stock_threshold: null },
  ]);
  const again = await run(['skus', path.join(FIXTURES, 'valid.csv')]);
  expect(again.out).toContain('imported 3 row(s): 0 new, 0 updated, 3 unchanged');
});

it('reports every bad row with its line number and imports the good ones', async () => {
  const r = await run(['skus', path.join(FIXTURES, 'errors.csv')]);
  expect(r.code).toBe(1);
  const lines = r.err.split('\n');
  expect(lines.filter((l) => l.startsWith('line ')).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual([
    'line 3 (IMP-BAD-02): stock', 'line 4: sku', 'line 5 (IMP-BAD-04): price', 'line 6: (row)', 'line 8: (row)',
  ]);
  expect(r.err).toContain('line 6: (row): has 2 cells, the header has 6');
  expect(r.err).toContain('line 8: (row): a quoted field is never closed');
  expect(r.err).toContain('imported 2 row(s): 2 new, 0 updated, 0 unchanged; 5 bad row(s) skipped');
  expect((await rows('IMP-BAD-')).map((x) => x.sku)).toEqual(['IMP-BAD-01', 'IMP-BAD-07']);
});

it('imports a GBK/GB18030 CSV (an Excel export of a Chinese ERP) written by the test', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-import-'));
  const file = path.join(dir, 'erp-export.csv');
  const text = 'sku,name,stock,price\r\nIMP-GBK-1,智能台灯（白色）,5,599.00\r\nIMP-GBK-2,"护眼灯, 升级款",3,899.00\r\nIMP-GBK-3,床头小夜灯,12,49.90\r\n';
  writeFileSync(file, iconv.encode(text, 'gbk'));
  const r = await run(['skus', file]);
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out).toContain('erp-export.csv: read as GB18030');
  expect(r.out).toContain('imported 3 row(s): 3 new');
  expect((await rows('IMP-GBK-')).map((x) => [x.sku, x.name, x.stock, x.price])).toEqual([
    ['IMP-GBK-1', '智能台灯（白色）', 5, '599.00'], ['IMP-GBK-2', '护眼灯, 升级款', 3, '899.00'], ['IMP-GBK-3', '床头小夜灯', 12, '49.90'],
  ]);
  // Told the wrong encoding, the names come out as something else; an unknown one is a usage error.
  const latin = await run(['skus', file, '--encoding', 'latin1']);
  expect(latin.code).toBe(0);
  expect((await rows('IMP-GBK-1'))[0].name).not.toBe('智能台灯（白色）');
  expect((await run(['skus', file, '--encoding', 'gbk'])).code).toBe(0);
  expect((await rows('IMP-GBK-1'))[0].name).toBe('智能台灯（白色）');
  const unknown = await run(['skus', file, '--encoding', 'klingon']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown encoding "klingon"');
});

it('--strict changes nothing when any row is bad', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-import-'));
  const file = path.join(dir, 'strict.csv');
  writeFileSync(file, 'sku,stock\nIMP-STRICT-1,5\nIMP-STRICT-2,x\n');
  const r = await run(['skus', file, '--strict']);
  expect(r.code).toBe(1);
  expect(r.err).toContain('line 3 (IMP-STRICT-2): stock');
  expect(r.err).toContain('nothing imported: 1 bad row(s) (--strict)');
  expect(await rows('IMP-STRICT-')).toEqual([]);
});

it('imports JSON lines, with line numbers for bad ones', async () => {
  const r = await run(['skus', path.join(FIXTURES, 'rows.jsonl')]);
  expect(r.code).toBe(1);
  expect(r.err.split('\n').filter((l) => l.startsWith('line ')).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual([
    'line 4 (IMP-J-03): stock', 'line 5: (row)', 'line 6 (IMP-J-04): colour',
  ]);
  expect((await rows('IMP-J-')).map((x) => [x.sku, x.stock])).toEqual([['IMP-J-01', 10], ['IMP-J-02', 3]]);
});

it('says what is wrong with the command itself', async () => {
  expect((await run(['skus'])).code).toBe(2);
  expect((await run(['skus', '/no/such/file.csv'])).code).toBe(2);
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-import-'));
  writeFileSync(path.join(dir, 'x.txt'), 'sku,stock\n');
  expect((await run(['skus', path.join(dir, 'x.txt')])).err).toContain('.csv or .jsonl');
  writeFileSync(path.join(dir, 'h.csv'), 'code,qty\nA,1\n');
  const h = await run(['skus', path.join(dir, 'h.csv')]);
  expect(h.code).toBe(2);
  expect(h.err).toContain('unknown: code, qty');
});

it('orderops report consistency prints a report now, and a stored one by --date', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reportConsistencyCommand([], env(), (l) => out.push(l), (l) => err.push(l));
  expect(code).toBe(0);
  expect(out.join('\n')).toMatch(/^多平台数据一致性报告 · \d{4}-\d{2}-\d{2}\n生成于 .*（cli）· 报告 #\d+\n.*\n比对：/);
  expect(await reportConsistencyCommand(['--date', '1999-01-01'], env(), (l) => out.push(l), (l) => err.push(l))).toBe(1);
  expect(err.join('\n')).toContain('1999-01-01 没有一致性报告');
  expect(await reportConsistencyCommand(['--date', 'yesterday'], env(), () => undefined, () => undefined)).toBe(2);
  const { rows: r } = await db.query(`SELECT to_char(report_date, 'YYYY-MM-DD') AS d FROM consistency_reports WHERE trigger = 'cli' ORDER BY id DESC LIMIT 1`);
  const again: string[] = [];
  expect(await reportConsistencyCommand(['--date', r[0].d], env(), (l) => again.push(l), () => undefined)).toBe(0);
  expect(again.join('\n')).toContain(`多平台数据一致性报告 · ${r[0].d}`);
});
