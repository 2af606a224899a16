// `orderops rejected list|show|replay` (issue 13 point 3): a refused payload is listed, shown with
// its reason and exact bytes, and replayed through the normal intake path once fixed, deduped.
import pg from 'pg';
import { rejectedCommand } from '../../src/cli/rejected';
import { genericOrder, postOrders, startTestApp, testEnv, type TestApp } from '../helpers/test-app';

let app: TestApp;
let db: pg.Pool;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  app = await startTestApp();
  env = testEnv({ DATABASE_URL: process.env.TEST_DATABASE_URL, ORDEROPS_QUEUE_PREFIX: app.config.queuePrefix });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; bytes?: Buffer }> {
  const out: string[] = [];
  const err: string[] = [];
  let bytes: Buffer | undefined;
  const code = await rejectedCommand(argv, { env, print: (l) => out.push(l), printError: (l) => err.push(l), write: (b) => (bytes = b) });
  return { code, out: out.join('\n'), err: err.join('\n'), bytes };
}

const storedCount = async (id: string) => Number((await db.query('SELECT count(*) FROM orders WHERE external_id = $1', [id])).rows[0].count);

describe('orderops rejected', () => {
  it('lists a year-0000 order, shows why with its bytes, and a replay refuses it again', async () => {
    const order = genericOrder({ created_at: '0000-01-01T00:00:00Z', remark: '\u202e00.995' });
    const res = await postOrders(app.url, order);
    expect(res.status).toBe(422);
    const id = res.json.rejection_id as number;

    const list = await cli('list', '--since', '1h');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`#${id} `);
    expect(list.out).toContain('created_at: must be a time between 1970-01-01 and 9999-12-31'); // the API's own words

    const show = await cli('show', String(id));
    expect(show.out).toContain('created_at');
    expect(show.out).toContain(order.id as string);
    expect(show.out).toContain('[U+202E]00.995'); // neutralised for the terminal
    expect((await cli('show', String(id), '--raw')).bytes!.equals(Buffer.from(JSON.stringify(order)))).toBe(true);

    const replay = await cli('replay', String(id));
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('422');
    const row = (await db.query('SELECT replays, replay_status FROM rejected_payloads WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ replays: 1, replay_status: 422 });
    expect(await storedCount(order.id as string)).toBe(0);
  });

  it('replays a payload refused by the store once the cause is fixed, through the normal path, deduped', async () => {
    await db.query(`ALTER TABLE orders ADD CONSTRAINT test_no_blocked CHECK (data->>'remark' IS DISTINCT FROM 'blocked')`);
    const good = genericOrder();
    const bad = genericOrder({ remark: 'blocked' });
    const res = await postOrders(app.url, [good, bad]);
    expect(res.status).toBe(422);
    expect(await storedCount(good.id as string)).toBe(1);
    const id = res.json.rejection_id as number;

    expect((await cli('replay', '--all', '--dry-run', '--reason', 'unstorable')).out).toMatch(new RegExp(`#${id} generic.*unstorable`));
    expect(await storedCount(bad.id as string)).toBe(0);

    await db.query('ALTER TABLE orders DROP CONSTRAINT test_no_blocked'); // the fix
    const replay = await cli('replay', '--all', '--reason', 'unstorable', '--since', '1h');
    expect(replay.code).toBe(0);
    expect(replay.out).toMatch(new RegExp(`#${id} generic → 200.*unchanged 1, created 1`));
    expect(await storedCount(bad.id as string)).toBe(1);
    // Processed like any order by the running bot.
    const deadline = Date.now() + 15_000;
    let processed = false;
    while (!processed && Date.now() < deadline) {
      processed = (await db.query('SELECT processed_revision >= revision AS p FROM orders WHERE external_id = $1', [bad.id])).rows[0]?.p === true;
      if (!processed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(processed).toBe(true);

    // Stored now: no longer pending, and a second replay changes nothing.
    expect((await cli('list', '--pending', '--reason', 'unstorable')).out).not.toContain(`#${id} `);
    expect((await cli('replay', String(id))).out).toContain('unchanged 2');
    expect(await storedCount(bad.id as string)).toBe(1);
  });

  it('answers bad usage with 2 and the help', async () => {
    expect((await cli('replay')).code).toBe(2);
    expect((await cli('show', 'abc')).code).toBe(2);
    expect((await cli('list', '--since', 'yesterday')).code).toBe(2);
    expect((await cli('--help')).out).toContain('orderops rejected list');
  });
});
