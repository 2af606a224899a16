import pg from 'pg';
import { cardTriggers, sweepCards } from '../../src/jobs/card-jobs';
import { fixedClock } from '../../src/domain/ports';
import { deliverNotification } from '../../src/actions/deliver-notification';
import { lookupAndShow } from '../../src/actions/lookup-order';
import { lookupText } from '../../src/present/lookup-text';
import type { DigestCard } from '../../src/domain/cards/digest-card';
import { writeConfig } from '../helpers/config-file';
import { eventually, genericOrder, postOrders, startTestApp, uid, type TestApp } from '../helpers/test-app';

// A storm on the local channel: the team's first cards are single cards, the rest become lines of
// one digest card per type, updated in place; after the storm the members still open get cards of
// their own, never more per window than the storm allows.
const STORM = { max_cards: 3, window_seconds: 600, quiet_seconds: 60, list: 4 };
let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  const config = writeConfig(`storm: { max_cards: ${STORM.max_cards}, window_seconds: ${STORM.window_seconds}, quiet_seconds: ${STORM.quiet_seconds}, list: ${STORM.list} }\n`);
  app = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1', ORDEROPS_CONFIG: config });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

const vague = (id: string) => genericOrder({ id, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });

interface Shown { card_key: string; state: string; rendered_version: number }
const shown = async (): Promise<Shown[]> =>
  (await db.query<Shown>(`SELECT card_key, state, rendered_version FROM chat_messages WHERE platform = 'local' ORDER BY id`)).rows;
const localDigest = async (id: number): Promise<DigestCard | undefined> =>
  (await db.query<{ card: DigestCard }>(`SELECT card FROM local_cards WHERE card_key = $1`, [`digest:${id}`])).rows[0]?.card;

it('shows the first cards singly, the rest in one digest, and releases the open ones after the storm', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => uid(`STORM${i}`));
  for (const id of ids) expect((await postOrders(app.url, vague(id))).status).toBe(200);

  const exceptions = await eventually(async () => {
    const { rows } = await db.query<{ id: number; external_id: string; card_mode: string | null; digest_id: number | null; digest_seq: number | null }>(
      `SELECT e.id, o.external_id, e.card_mode, e.digest_id, e.digest_seq FROM exceptions e JOIN orders o ON o.id = e.order_id
       WHERE o.external_id = ANY($1) AND e.type = 'vague_address' ORDER BY e.id`,
      [ids],
    );
    return rows.length === ids.length && rows.every((r) => r.card_mode) ? rows : undefined;
  }, 20_000, 'every exception decided');
  const single = exceptions.filter((e) => e.card_mode === 'card');
  const members = exceptions.filter((e) => e.card_mode === 'digest');
  expect(single).toHaveLength(STORM.max_cards);
  expect(members).toHaveLength(ids.length - STORM.max_cards);
  const digestId = members[0]!.digest_id!;
  expect(new Set(members.map((m) => m.digest_id))).toEqual(new Set([digestId]));
  expect(members.map((m) => m.digest_seq).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7]);

  // One message per single card and one for the digest: never a card for a digest member.
  const card = await eventually(async () => {
    const d = await localDigest(digestId);
    return d && d.members === members.length ? d : undefined;
  }, 20_000, 'the digest covering every member');
  const messages = await shown();
  expect(messages.filter((m) => m.card_key.startsWith('exception:')).map((m) => m.card_key).sort()).toEqual(single.map((e) => `exception:${e.id}`).sort());
  expect(messages.filter((m) => m.card_key === `digest:${digestId}`)).toHaveLength(1);
  expect(card).toMatchObject({ kind: 'digest', type: 'vague_address', team: 'service', status: 'open', members: 7, unresolved: 7, unclaimed: 7, released: 0 });
  // The newest members, newest first, as many as `list`.
  const newestFirst = [...members].sort((a, b) => b.digest_seq! - a.digest_seq!).slice(0, STORM.list).map((m) => m.external_id);
  expect(card.newest.map((l) => l.externalId)).toEqual(newestFirst);

  // A member handled elsewhere (its order cancelled) re-renders the digest: one fewer unresolved.
  const cancelled = members[0]!;
  expect((await postOrders(app.url, { ...vague(cancelled.external_id), status: 'cancelled', updated_at: '2026-01-08T21:00:00+08:00' })).status).toBe(200);
  await eventually(async () => ((await localDigest(digestId))?.unresolved === 6 ? true : undefined), 20_000, 'the digest counting the cancelled member as resolved');

  // An SLA mention of a digest line goes under the digest, naming the order.
  const late = members[1]!;
  const { rows: [note] } = await db.query<{ id: number }>(
    `INSERT INTO notifications (idempotency_key, exception_id, kind, channel, recipient, payload)
     VALUES ($1, $2, 'level1', 'local_card_mention', NULL, $3) RETURNING id`,
    [`test-mention-${late.id}`, late.id, JSON.stringify({ level: 1, recipients: ['demo.service.supervisor'] })],
  );
  const delivered = await deliverNotification({ pool: app.pool, chats: app.chats, locale: 'en', clock: fixedClock(new Date()), logger: app.logger }, note!.id);
  expect(delivered).toMatchObject({ status: 'sent' });
  const notes = (await db.query<{ notes: { notice: { key: string; vars: Record<string, string> } }[] }>(`SELECT notes FROM local_cards WHERE card_key = $1`, [`digest:${digestId}`])).rows[0]!.notes;
  expect(notes.at(-1)!.notice).toMatchObject({ key: 'sla.mention.digest', vars: { orderId: late.external_id } });

  // The storm is over an hour later: the digest clears and the open members get cards of their own,
  // at most max_cards per window, the rest on a later sweep.
  const settings = app.config.settings;
  const clock = fixedClock(new Date(Date.now() + 3_600_000));
  const sweep = () => sweepCards({
    pool: app.pool, chats: app.chats, logger: app.logger, settings, storm: settings.storm, clock,
    trigger: cardTriggers(app.cardQueues, app.logger), queues: app.cardQueues,
  });
  await sweep();
  const released = async () => (await db.query<{ id: number }>(`SELECT id FROM exceptions WHERE digest_id = $1 AND card_mode = 'card' ORDER BY id`, [digestId])).rows;
  expect(await released()).toHaveLength(STORM.max_cards);
  await sweep(); // same window: no slot left
  expect(await released()).toHaveLength(STORM.max_cards);
  for (const r of await released()) {
    await eventually(async () => (await shown()).find((m) => m.card_key === `exception:${r.id}` && m.state === 'posted'), 20_000, `the released card of ${r.id}`);
  }
  const after = await eventually(async () => {
    const d = await localDigest(digestId);
    return d?.status === 'cleared' && d.released === STORM.max_cards ? d : undefined;
  }, 20_000, 'the cleared digest counting the released members');
  expect(after).toMatchObject({ members: 7, unresolved: 6 });

  clock.advance(STORM.window_seconds * 1000 + 1000); // a new window: three more slots, three members left open
  await sweep();
  expect(await released()).toHaveLength(6);
  // The cancelled member is resolved: it never gets a card.
  expect((await released()).map((r) => r.id)).not.toContain(cancelled.id);
});

it('looking a digest line up by its order id gives it a card of its own at once', async () => {
  // Another team (finance: invoice requests) with its own budget: three cards, then digest lines.
  const ids = Array.from({ length: 5 }, (_, i) => uid(`INV${i}`));
  for (const id of ids) expect((await postOrders(app.url, genericOrder({ id, remark: '需要开发票，抬头：杭州某某科技有限公司' }))).status).toBe(200);
  const lines = await eventually(async () => {
    const { rows } = await db.query<{ id: number; external_id: string; digest_id: number }>(
      `SELECT e.id, o.external_id, e.digest_id FROM exceptions e JOIN orders o ON o.id = e.order_id
       WHERE o.external_id = ANY($1) AND e.card_mode = 'digest' ORDER BY e.id`,
      [ids],
    );
    return rows.length === 2 ? rows : undefined;
  }, 20_000, 'two invoice exceptions in a digest');
  const asked = lines[0]!;
  const quiet = await lookupAndShow({ pool: app.pool, clock: fixedClock(new Date()), cards: app.actions.cards }, asked.external_id.slice(-4));
  expect(quiet).toMatchObject({ kind: 'not_found' }); // a phone-digits search releases nothing (and matches no phone here)
  const r = await lookupAndShow({ pool: app.pool, clock: fixedClock(new Date()), cards: app.actions.cards }, asked.external_id);
  expect(r).toMatchObject({ kind: 'found', released: 1 });
  expect(lookupText(r, { locale: 'en', timezone: 'Asia/Shanghai' }, { escape: (s) => s })).toContain('is being posted to the team channel');
  await eventually(async () => (await shown()).find((m) => m.card_key === `exception:${asked.id}` && m.state === 'posted'), 20_000, 'its own card');
  await eventually(async () => ((await localDigest(asked.digest_id))?.released === 1 ? true : undefined), 20_000, 'the digest counting it as released');
  // Asking again changes nothing more.
  expect(await lookupAndShow({ pool: app.pool, clock: fixedClock(new Date()), cards: app.actions.cards }, asked.external_id)).not.toHaveProperty('released');
});
