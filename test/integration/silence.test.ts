import pg from 'pg';
import { checkSilence } from '../../src/actions/check-silence';
import { fixedClock } from '../../src/domain/ports';
import { decideSilence } from '../../src/domain/cards/silence-card';
import { parseSettings } from '../../src/config/load-file';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
});
afterAll(() => db.end());

describe('deciding silence (pure)', () => {
  const tz = 'Asia/Shanghai';
  const at = (iso: string) => new Date(iso);
  it.each([
    ['an order 20 min ago, 60-min limit', at('2026-01-08T02:00:00Z'), at('2026-01-08T01:40:00Z'), null, null, 'none'],
    ['no order for 61 min', at('2026-01-08T02:00:00Z'), at('2026-01-08T00:59:00Z'), null, null, 'open'],
    ['never an order, no window', at('2026-01-08T02:00:00Z'), null, null, null, 'open'],
    ['quiet at 23:30 but the shop is active 09:00–22:00', at('2026-01-08T15:30:00Z'), at('2026-01-08T10:00:00Z'), { from: '09:00', to: '22:00' }, null, 'none'],
    ['09:30, last order last night: counts from 09:00 only', at('2026-01-08T01:30:00Z'), at('2026-01-07T13:00:00Z'), { from: '09:00', to: '22:00' }, null, 'none'],
    ['10:01, nothing since 09:00', at('2026-01-08T02:01:00Z'), at('2026-01-07T13:00:00Z'), { from: '09:00', to: '22:00' }, null, 'open'],
    ['open alert, an order after it opened', at('2026-01-08T03:00:00Z'), at('2026-01-08T02:59:00Z'), null, { openedAt: at('2026-01-08T02:30:00Z') }, 'clear'],
    ['open alert, still quiet', at('2026-01-08T03:00:00Z'), at('2026-01-08T01:00:00Z'), null, { openedAt: at('2026-01-08T02:30:00Z') }, 'none'],
  ] as const)('%s', (_l, now, lastOrderAt, activeHours, open, expected) => {
    expect(decideSilence({ now, lastOrderAt, minutes: 60, activeHours, timezone: tz, open })).toBe(expected);
  });
});

it('opens one alert for a quiet shop, none twice, and clears it when orders resume', async () => {
  const shopId = `quiet-${Date.now()}`;
  const settings = parseSettings(`shops:\n  - { id: ${shopId}, source: douyin, silence: { minutes: 30, order_shop: ${shopId} } }\n`);
  const clock = fixedClock('2026-01-08T12:00:00Z');
  const deps = { pool: db, clock, shops: settings.shops, timezone: 'Asia/Shanghai' };
  const order = async (id: string, at: Date) =>
    db.query(
      `INSERT INTO orders (source, external_id, channel, shop, status, platform_created_at, total, data, raw, content_hash, received_at)
       VALUES ('douyin', $1, 'douyin', $2, 'paid', $3, 1, '{}', '{}', 'x', $3)`,
      [id, shopId, at],
    );
  await order(`${shopId}-1`, new Date('2026-01-08T11:50:00Z'));
  expect(await checkSilence(deps)).toEqual([]);

  clock.advance(45 * 60_000); // 12:45: 55 min without an order
  const opened = await checkSilence(deps);
  expect(opened).toHaveLength(1);
  expect(await checkSilence(deps)).toEqual([]); // still quiet: no second card
  const alert = (await db.query('SELECT status, version, last_order_at FROM silence_alerts WHERE shop_id = $1', [shopId])).rows;
  expect(alert).toEqual([{ status: 'open', version: 1, last_order_at: new Date('2026-01-08T11:50:00Z') }]);

  await order(`${shopId}-2`, new Date('2026-01-08T12:50:00Z'));
  clock.advance(10 * 60_000);
  const cleared = await checkSilence(deps);
  expect(cleared).toEqual([{ id: opened[0]!.id, version: 2 }]);
  expect((await db.query('SELECT status FROM silence_alerts WHERE id = $1', [opened[0]!.id])).rows[0].status).toBe('cleared');
});
