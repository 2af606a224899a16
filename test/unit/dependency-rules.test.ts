import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm run lint:deps` must keep failing on a wrong import: the real .dependency-cruiser.cjs is run
 * over a small tree where each layer breaks one rule (and a few files import only what is allowed),
 * and every rule must name its offender — so a rule edited into uselessness fails this test.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** file → its source; each "wrong" line is the one import its rule forbids. */
const TREE: Record<string, string> = {
  // allowed arrows
  'src/domain/order.ts': `export interface Order { id: string }\n`,
  'src/domain/ports.ts': `import type { Order } from './order';\nexport interface OrderRepo { find(id: string): Promise<Order> }\n`,
  'src/present/text.ts': `import type { Order } from '../domain/order';\nexport const title = (o: Order) => o.id;\n`,
  'src/db/repo.ts': `import pg from 'pg';\nimport type { OrderRepo } from '../domain/ports';\nexport const repo = (p: pg.Pool): OrderRepo => ({ find: async (id) => ({ id: String(p && id) }) });\n`,
  'src/actions/show.ts': `import type { OrderRepo } from '../domain/ports';\nimport { title } from '../present/text';\nexport const show = async (r: OrderRepo, id: string) => title(await r.find(id));\n`,
  'src/integrations/chat.ts': `import { title } from '../present/text';\nexport const post = (id: string) => title({ id });\n`,
  'src/bot/front.ts': `import { show } from '../actions/show';\nexport const onClick = show;\n`,
  'src/app.ts': `import { onClick } from './bot/front';\nimport { repo } from './db/repo';\nexport const app = { onClick, repo };\n`,
  // wrong arrows, one per rule
  'src/domain/wrong-layer.ts': `import { onClick } from '../bot/front';\nexport const x = onClick;\n`,
  'src/domain/wrong-io.ts': `import { readFileSync } from 'fs';\nexport const y = readFileSync;\n`,
  'src/present/wrong-layer.ts': `import { show } from '../actions/show';\nexport const z = show;\n`,
  'src/present/wrong-io.ts': `import pg from 'pg';\nexport const p = pg;\n`,
  'src/actions/wrong.ts': `import { post } from '../integrations/chat';\nexport const w = post;\n`,
  'src/integrations/wrong.ts': `import { onClick } from '../bot/front';\nexport const v = onClick;\n`,
  'src/db/wrong.ts': `import { show } from '../actions/show';\nexport const u = show;\n`,
  'src/jobs/wrong.ts': `import { app } from '../app';\nexport const t = app;\n`,
  'src/bot/cycle-a.ts': `import { b } from './cycle-b';\nexport const a = () => b;\n`,
  'src/bot/cycle-b.ts': `import { a } from './cycle-a';\nexport const b = () => a;\n`,
};

const EXPECTED: [rule: string, from: string, to: RegExp][] = [
  ['domain-is-pure', 'src/domain/wrong-layer.ts', /^src\/bot\/front\.ts$/],
  ['domain-no-io-core', 'src/domain/wrong-io.ts', /^fs$/],
  ['present-imports-only-domain', 'src/present/wrong-layer.ts', /^src\/actions\/show\.ts$/],
  ['present-no-io', 'src/present/wrong-io.ts', /^node_modules\/pg\//],
  ['actions-not-integrations', 'src/actions/wrong.ts', /^src\/integrations\/chat\.ts$/],
  ['integrations-not-bot', 'src/integrations/wrong.ts', /^src\/bot\/front\.ts$/],
  ['db-not-upper-layers', 'src/db/wrong.ts', /^src\/actions\/show\.ts$/],
  ['nothing-imports-the-composition-root', 'src/jobs/wrong.ts', /^src\/app\.ts$/],
  ['no-cycles', 'src/bot/cycle-a.ts', /^src\/bot\/cycle-b\.ts$/],
];

interface Violation { from: string; to: string; rule: { name: string; severity: string } }

let dir: string;
let violations: Violation[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'orderops-depcruise-'));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, esModuleInterop: true }, include: ['src'] }));
  // A stand-in pg package (a symlink to the real node_modules would resolve outside the tree).
  mkdirSync(path.join(dir, 'node_modules/pg'), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules/pg/package.json'), JSON.stringify({ name: 'pg', version: '8.0.0', main: 'index.js' }));
  writeFileSync(path.join(dir, 'node_modules/pg/index.js'), 'module.exports = { Pool: class {} };\n');
  // depcruise exits non-zero when it finds errors; the JSON report is what is judged.
  const run = await promisify(execFile)(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', 'json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  violations = (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the dependency rules fail on a wrong import', () => {
  it.each(EXPECTED)('%s names %s', (rule, from, to) => {
    const hit = violations.filter((v) => v.rule.name === rule && v.from === from);
    expect(hit.map((v) => v.to)).toEqual([expect.stringMatching(to)]);
    expect(hit[0]!.rule.severity).toBe('error');
  });

  it('lets every allowed arrow through: only the files written to break a rule are named', () => {
    const offenders = new Set(violations.map((v) => v.from));
    expect([...offenders].sort()).toEqual(EXPECTED.map(([, from]) => from).sort());
  });
});
