import pg from 'pg';
import { planNext } from '../../src/actions/escalation';
import { parseSettings } from '../../src/config/load-file';
import type { Queryable } from '../../src/db/pool';

// planNext reads an exception, then records its next escalation. A resolve committed in between
// must win: the stale plan is not written over it (found as a flaky SLA test in CI).
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(() => db.end());

const policy = parseSettings('').escalation;

async function openException(): Promise<number> {
  const o = await db.query<{ id: number }>(
    `INSERT INTO orders (source, external_id, channel, shop, status, platform_created_at, total, data, raw, content_hash)
     VALUES ('generic', $1, 'douyin', 'shop', 'paid', now(), 1, '{}', '{}', 'x') RETURNING id`,
    [`PLAN-${Date.now()}-${Math.random()}`],
  );
  const e = await db.query<{ id: number }>(
    `INSERT INTO exceptions (order_id, type, rule, reason, team, severity, claim_due_at, resolve_due_at)
     VALUES ($1, 'vague_address', 'r', 'x', 'service', 'warning', now() + interval '30 minutes', now() + interval '60 minutes') RETURNING id`,
    [o.rows[0]!.id],
  );
  return e.rows[0]!.id;
}

it('records the next escalation of an open exception', async () => {
  const id = await openException();
  const next = await planNext(db, policy, id);
  expect(next).toMatchObject({ level: 1 });
  const { rows } = await db.query('SELECT next_escalation_at, next_escalation_step FROM exceptions WHERE id = $1', [id]);
  expect(rows[0].next_escalation_at).toEqual(next!.at);
  expect(rows[0].next_escalation_step).toBe(next!.id);
});

it('does not write a plan made from a version that changed before the write', async () => {
  const id = await openException();
  let first = true;
  // Between planNext's read and its write, someone resolves the exception (a new version).
  const racing: Queryable = {
    query: (async (text: unknown, values?: unknown[]) => {
      if (!first) await db.query(`UPDATE exceptions SET status = 'resolved', resolved_at = now(), version = version + 1, next_escalation_at = NULL WHERE id = $1`, [id]);
      first = false;
      return db.query(text as string, values);
    }) as Queryable['query'],
  };
  await planNext(racing, policy, id);
  const { rows } = await db.query('SELECT status, next_escalation_at FROM exceptions WHERE id = $1', [id]);
  expect(rows[0]).toEqual({ status: 'resolved', next_escalation_at: null });
});
