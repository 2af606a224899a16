import pg from 'pg';
import { checkBacklog } from '../../src/actions/check-backlog';
import { fixedClock } from '../../src/domain/ports';
import { parseSettings } from '../../src/config/load-file';

// The backlog check against a real Postgres with a fixed clock: each test uses its own shop and
// per-shop alerts so that other tests' orders never count.
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(() => db.end());

const settings = parseSettings('backlog: { per_shop: true, list_oldest: 2, stages: { packed: { threshold_minutes: 30 } } }').backlog;

async function insertOrder(shop: string, id: string, stage: string, since: Date, status = 'paid') {
  await db.query(
    `INSERT INTO orders (source, external_id, channel, shop, status, stage, platform_created_at, total, data, raw, content_hash, stage_changed_at)
     VALUES ('generic', $1, 'douyin', $2, $5, $3, $4, 1, '{}', '{}', 'x', $4)`,
    [id, shop, stage, since, status],
  );
}

const alertsOf = async (shop: string) =>
  (await db.query('SELECT id, stage, status, idle_count, peak_count, version, oldest FROM backlog_alerts WHERE shop = $1 ORDER BY id', [shop])).rows;

it('opens one alert per backed-up stage, updates it as it grows, and clears it when the stage drains', async () => {
  const shop = `shop-${Date.now()}`;
  const clock = fixedClock('2026-01-08T12:00:00Z');
  const deps = { pool: db, clock, backlog: settings };
  const t = (m: number) => new Date(clock.now().getTime() + m * 60_000);

  await insertOrder(shop, `${shop}-a`, 'packed', t(-45));
  await insertOrder(shop, `${shop}-b`, 'packed', t(-10)); // not idle long enough yet
  await insertOrder(shop, `${shop}-c`, 'packed', t(-50), 'cancelled'); // cancelled orders do not count
  let changed = await checkBacklog(deps);
  let alerts = await alertsOf(shop);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ stage: 'packed', status: 'open', idle_count: 1, version: 1 });
  expect(alerts[0].oldest.map((o: { externalId: string }) => o.externalId)).toEqual([`${shop}-a`]);
  expect(changed).toContainEqual({ id: alerts[0].id, version: 1 });

  // Same minute again: nothing changed, nothing to re-render, no second card.
  changed = await checkBacklog(deps);
  expect(changed.find((c) => c.id === alerts[0].id)).toBeUndefined();

  clock.advance(25 * 60_000); // b is now idle for 35 min
  changed = await checkBacklog(deps);
  alerts = await alertsOf(shop);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ status: 'open', idle_count: 2, peak_count: 2, version: 2 });
  expect(alerts[0].oldest.map((o: { externalId: string }) => o.externalId)).toEqual([`${shop}-a`, `${shop}-b`]);

  await db.query(`UPDATE orders SET stage = 'shipped', stage_changed_at = $2 WHERE shop = $1`, [shop, clock.now()]);
  changed = await checkBacklog(deps);
  alerts = await alertsOf(shop);
  expect(alerts[0]).toMatchObject({ status: 'cleared', idle_count: 0, peak_count: 2, version: 3 });
  expect(changed).toContainEqual({ id: alerts[0].id, version: 3 });

  // A new backlog later opens a new alert; the cleared one stays closed.
  await insertOrder(shop, `${shop}-d`, 'packed', t(0));
  clock.advance(40 * 60_000);
  await checkBacklog(deps);
  alerts = await alertsOf(shop);
  expect(alerts.map((a) => a.status)).toEqual(['cleared', 'open']);
});
