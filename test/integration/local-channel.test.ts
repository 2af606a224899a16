import pg from 'pg';
import { ChatDeliveryError } from '../../src/domain/errors';
import type { ExceptionCard } from '../../src/domain/cards/exception-card';
import type { Staff } from '../../src/domain/staff';
import { localChatPort } from '../../src/integrations/local/local-port';
import { systemClock } from '../../src/domain/ports';
import { eventually, genericOrder, postOrders, startTestApp, uid, type TestApp } from '../helpers/test-app';

// The local channel with the built-in demo staff (no staff: in config), as a newcomer gets it.
const AGENT = 'demo.service.agent';
const SUPERVISOR = 'demo.service.supervisor';
const REVIEW_AGENT = 'demo.review.agent';
const REVIEW_SUPERVISOR = 'demo.review.supervisor';
const MANAGER = 'demo.manager';
const XSS = '<img src=x onerror=alert(1)>';

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  app = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1' });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

interface CardView {
  id: number;
  channel: string;
  exceptionId: number;
  orderId: string;
  type: string;
  version: number;
  status: string;
  rev: number;
  texts: { title: string; status: string; fields: { key: string; value: string }[]; buttons: { action: string }[] };
}

async function state(staff?: string): Promise<{ cards: CardView[]; messages: { kind: string; html: string }[]; staff: { id: string; role: string }[]; demoStaff: boolean; channels: { id: string }[] }> {
  const res = await fetch(`${app.url}/local/state${staff ? `?staff=${staff}` : ''}`);
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

/** The card of an order once the card.sync job has posted it to the local channel. */
async function cardOf(orderId: string, type?: string, pred: (c: CardView) => boolean = () => true): Promise<CardView> {
  return eventually(async () => {
    const s = await state();
    return s.cards.find((c) => c.orderId === orderId && (!type || c.type === type) && pred(c));
  }, 15_000, `the local card of ${orderId}`);
}

async function act(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app.url}/local/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** A server-sent event stream read with fetch: events are collected as they arrive. */
function openEvents(staff: string, base = app.url) {
  const controller = new AbortController();
  const events: { event: string; data: any }[] = [];
  const ready = (async () => {
    const res = await fetch(`${base}/local/events?staff=${staff}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const chunk = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(chunk)?.[1];
            const data = /^data: (.*)$/m.exec(chunk)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted
      }
    })();
  })();
  return {
    ready: async () => {
      await ready;
      await eventually(async () => (events.some((e) => e.event === 'hello') ? true : undefined), 5000, 'the hello event');
    },
    next: (what: string, pred: (e: { event: string; data: any }) => boolean) => eventually(async () => events.find(pred), 10_000, what),
    close: () => controller.abort(),
  };
}

const vague = (extra: Record<string, unknown> = {}) =>
  genericOrder({ id: uid('LOC'), address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' }, remark: XSS, ...extra });
const review = () => genericOrder({ id: uid('LOCR'), total: '3594.00', paid: '3594.00', items: [{ sku: 'LAMP-01', qty: 6 }] });

describe('the local page', () => {
  it('serves a self-contained page with a strict CSP, in the configured locale', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<script type="module" src="/local/js/main.js"></script>');
    expect(html).not.toMatch(/<script>[^<]/); // no inline script
    for (const path of ['/local', '/local/js/main.js', '/local/js/core.js', '/local/js/cards.js', '/local/app.css']) expect((await fetch(`${app.url}${path}`)).status).toBe(200);
    for (const path of ['/local/js/nope.js', '/local/js/..%2Findex.html', '/local/app.js']) expect((await fetch(`${app.url}${path}`)).status).toBe(404);
  });

  it('lists the demo staff (an agent and a supervisor per team, a manager) and every team as a channel', async () => {
    const s = await state();
    expect(s.demoStaff).toBe(true);
    const ids = s.staff.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([AGENT, SUPERVISOR, REVIEW_AGENT, REVIEW_SUPERVISOR, MANAGER, 'demo.finance.agent', 'demo.warehouse.supervisor']));
    expect(ids[0]).toBe(AGENT); // service first (config order), agents first
    expect(s.channels.map((c) => c.id)).toEqual(expect.arrayContaining(['service', 'finance', 'warehouse', 'review']));
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin and a non-JSON body', async () => {
    const http = await import('node:http');
    const status = (opts: { path: string; method?: string; headers: Record<string, string>; body?: string }) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(app.url);
        const req = http.request({ host: u.hostname, port: u.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(opts.body);
      });
    expect(await status({ path: '/', headers: { host: 'evil.example:3000' } })).toBe(403);
    expect(await status({ path: '/local/state', headers: { host: 'rebind.attacker.test' } })).toBe(403);
    const host = new URL(app.url).host;
    const body = JSON.stringify({ action: 'exception.claim', exceptionId: 1, version: 1, staff: AGENT });
    expect(await status({ path: '/local/actions', method: 'POST', headers: { host, origin: 'https://evil.example', 'content-type': 'application/json' }, body })).toBe(403);
    expect(await status({ path: '/local/actions', method: 'POST', headers: { host, 'content-type': 'text/plain' }, body })).toBe(415);
    expect(await status({ path: '/local/actions', method: 'POST', headers: { host, origin: `http://${host}`, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'exception.claim', exceptionId: 2147483000, version: 1, staff: AGENT }) })).toBe(404);
  });
});

describe('POST /local/actions — strict input', () => {
  it.each([
    ['not JSON', '{"action": ', /not valid JSON/],
    ['an array', [], /JSON object/],
    ['an unknown action', { action: 'exception.delete', exceptionId: 1, version: 1, staff: AGENT }, /unknown action "exception.delete": use one of exception.claim/],
    ['no action', { exceptionId: 1, version: 1, staff: AGENT }, /missing action/],
    ['a string id', { action: 'exception.claim', exceptionId: '1', version: 1, staff: AGENT }, /exceptionId must be a positive whole number/],
    ['a negative id', { action: 'exception.claim', exceptionId: -4, version: 1, staff: AGENT }, /exceptionId must be a positive whole number/],
    ['a fractional version', { action: 'exception.claim', exceptionId: 1, version: 1.5, staff: AGENT }, /version must be a positive whole number/],
    ['no version', { action: 'exception.claim', exceptionId: 1, staff: AGENT }, /missing version/],
    ['no staff', { action: 'exception.claim', exceptionId: 1, version: 1 }, /missing staff/],
    ['a malformed staff id', { action: 'exception.claim', exceptionId: 1, version: 1, staff: 'a b<script>' }, /staff must be a staff id/],
    ['an unknown field', { action: 'exception.claim', exceptionId: 1, version: 1, staff: AGENT, as: 'admin' }, /unknown field "as"/],
    ['an address on a claim', { action: 'exception.claim', exceptionId: 1, version: 1, staff: AGENT, address: {} }, /address is only for exception.fix_address/],
    ['a fix without address', { action: 'exception.fix_address', exceptionId: 1, version: 1, staff: AGENT }, /missing address/],
    ['an unknown address field', { action: 'exception.fix_address', exceptionId: 1, version: 1, staff: AGENT, address: { street: 'x' } }, /unknown address field "street"/],
  ])('answers 400 to %s, with a message that says what to send', async (_label, body, message) => {
    const r = await act(body);
    expect(r.status).toBe(400);
    expect(r.json.ok).toBe(false);
    expect(r.json.message).toMatch(message);
  });
});

describe('acting on cards from the local channel', () => {
  it('posts the card, escapes buyer text, and lets an agent claim it — live, audited, with a private reply', async () => {
    const order = vague();
    expect((await postOrders(app.url, order)).status).toBe(200);
    const card = await cardOf(order.id as string, 'vague_address');
    expect(card.channel).toBe('service');
    const remark = card.texts.fields.find((f) => f.key === 'remark')!.value;
    expect(remark).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(JSON.stringify(card.texts)).not.toContain('<img');
    expect(card.texts.buttons.map((b) => b.action)).toEqual(['exception.claim', 'exception.fix_address', 'exception.escalate']);

    const events = openEvents(AGENT);
    await events.ready();
    const r = await act({ action: 'exception.claim', exceptionId: card.exceptionId, version: card.version, staff: AGENT });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, exceptionId: card.exceptionId, version: card.version + 1 });
    expect(r.json.message).toContain(order.id);

    // The card changes in front of the user (server-sent event), and the reply lands in the side panel.
    const updated = await events.next('the claimed card', (e) => e.event === 'card' && e.data.exceptionId === card.exceptionId && e.data.status === 'claimed');
    expect(updated.data.texts.status).toContain('<b>张三</b>');
    expect(updated.data.texts.buttons.map((b: { action: string }) => b.action)).toEqual(['exception.fix_address', 'exception.escalate', 'exception.resolve']);
    const reply = await events.next('the private reply', (e) => e.event === 'message' && e.data.kind === 'private');
    expect(reply.data.html).toContain('你已认领订单');
    events.close();

    const row = (await db.query('SELECT status, assignee, version FROM exceptions WHERE id = $1', [card.exceptionId])).rows[0];
    expect(row).toEqual({ status: 'claimed', assignee: AGENT, version: card.version + 1 });
    const audit = (await db.query(`SELECT actor, source FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.claim'`, [card.exceptionId])).rows;
    expect(audit).toEqual([{ actor: `staff:${AGENT}`, source: 'local' }]);

    // A second claimer is told who has it; a stale card is refused.
    const again = await act({ action: 'exception.claim', exceptionId: card.exceptionId, version: card.version + 1, staff: SUPERVISOR });
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe('already_claimed');
    expect(again.json.message).toContain('张三');
    const stale = await act({ action: 'exception.escalate', exceptionId: card.exceptionId, version: card.version, staff: SUPERVISOR });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('stale');
  });

  it('denies an approval to an agent and lets a supervisor approve', async () => {
    const order = review();
    await postOrders(app.url, order);
    const card = await cardOf(order.id as string, 'review');
    expect(card.channel).toBe('review');
    const denied = await act({ action: 'exception.approve', exceptionId: card.exceptionId, version: card.version, staff: REVIEW_AGENT });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(denied.json.message).toBe('只有主管、经理或管理员可以执行「审核通过」。');
    const s = await state(REVIEW_AGENT);
    expect(s.messages[0]!.html).toContain('只有主管');
    expect((await db.query('SELECT status FROM exceptions WHERE id = $1', [card.exceptionId])).rows[0].status).toBe('open');

    const ok = await act({ action: 'exception.approve', exceptionId: card.exceptionId, version: card.version, staff: REVIEW_SUPERVISOR });
    expect(ok.status).toBe(200);
    await cardOf(order.id as string, 'review', (c) => c.status === 'resolved');
    expect((await db.query('SELECT review_status FROM orders WHERE external_id = $1', [order.id])).rows[0].review_status).toBe('approved');
  });

  it('gives an unknown staff id the same denial as an unknown Slack or Feishu user', async () => {
    const order = vague();
    await postOrders(app.url, order);
    const card = await cardOf(order.id as string, 'vague_address');
    const r = await act({ action: 'exception.claim', exceptionId: card.exceptionId, version: card.version, staff: 'nobody.here' });
    expect(r.status).toBe(403);
    expect(r.json.reason).toBe('unknown_user');
    expect(r.json.message).toContain('nobody.here');
    expect(r.json.message).toContain('orderops.yml');
  });

  it('shows field errors for a bad address, and resolves the exception with a good one', async () => {
    const order = vague();
    await postOrders(app.url, order);
    const card = await cardOf(order.id as string, 'vague_address');
    const base = { action: 'exception.fix_address', exceptionId: card.exceptionId, version: card.version, staff: AGENT };

    const bad = await act({ ...base, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '菜鸟驿站' } });
    expect(bad.status).toBe(422);
    expect(bad.json.reason).toBe('field_errors');
    expect(Object.keys(bad.json.fieldErrors)).toEqual(['detail']);
    const missing = await act({ ...base, address: { province: '', city: '杭州市', detail: '' } });
    expect(Object.keys(missing.json.fieldErrors).sort()).toEqual(['detail', 'province']);
    const wrongCity = await act({ ...base, address: { province: '浙江省', city: '广州市', district: '天河区', detail: '文三路90号3幢501室' } });
    expect(Object.keys(wrongCity.json.fieldErrors)).toEqual(['city']);
    expect((await db.query('SELECT address_override FROM orders WHERE external_id = $1', [order.id])).rows[0].address_override).toBeNull();

    const good = await act({ ...base, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' } });
    expect(good.status).toBe(200);
    expect(good.json.message).toContain('地址已更新');
    const resolved = await cardOf(order.id as string, 'vague_address', (c) => c.status === 'resolved');
    expect(resolved.texts.buttons).toEqual([]);
    expect(resolved.texts.fields.find((f) => f.key === 'address')!.value).toContain('浙江省 杭州市 西湖区 文三路');
    const audit = (await db.query(`SELECT source FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.fix_address'`, [card.exceptionId])).rows;
    expect(audit).toEqual([{ source: 'local' }]);
  });

  it('escalates as a supervisor and delivers the DM to the manager\'s side panel', async () => {
    const order = vague();
    await postOrders(app.url, order);
    const card = await cardOf(order.id as string, 'vague_address');
    const manager = openEvents(MANAGER);
    await manager.ready();
    const r = await act({ action: 'exception.escalate', exceptionId: card.exceptionId, version: card.version, staff: SUPERVISOR });
    expect(r.status).toBe(200);
    const dm = await manager.next('the escalation DM', (e) => e.event === 'message' && e.data.kind === 'direct' && e.data.html.includes(order.id));
    expect(dm.data.html).toContain('李四 升级了订单');
    // Buyer text inside a DM is escaped too (the reason may quote the address).
    expect(dm.data.html).not.toContain('<img');
    manager.close();
    await cardOf(order.id as string, 'vague_address', (c) => c.status === 'escalated');
  });

  it('answers an order search with escaped text', async () => {
    const order = vague();
    await postOrders(app.url, order);
    await cardOf(order.id as string, 'vague_address');
    const res = await fetch(`${app.url}/local/lookup?q=${encodeURIComponent(order.id as string)}&staff=${AGENT}`);
    const body = (await res.json()) as { html: string };
    expect(body.html).toContain(order.id);
    expect(body.html).toContain('地址模糊');
    const miss = (await (await fetch(`${app.url}/local/lookup?q=${encodeURIComponent('<b>nope</b>')}&staff=${AGENT}`)).json()) as { html: string };
    expect(miss.html).toContain('&lt;b&gt;nope&lt;/b&gt;');
    // Only as someone: the page acts as a staff member, and the lookup is theirs in the audit trail.
    expect((await fetch(`${app.url}/local/lookup?q=${encodeURIComponent(order.id as string)}`)).status).toBe(400);
    const stranger = (await (await fetch(`${app.url}/local/lookup?q=${encodeURIComponent(order.id as string)}&staff=nobody`)).json()) as { html: string };
    expect(stranger.html).not.toContain(order.id);
    const audit = await db.query(`SELECT actor FROM audit_log a JOIN orders o ON o.id = a.entity_id WHERE a.action = 'order.lookup' AND o.external_id = $1`, [order.id]);
    expect(audit.rows).toEqual([{ actor: `staff:${AGENT}` }]);
  });

  it('runs /orderops commands from the command box: help for staff, a denial for anyone else, 400 for a bad request', async () => {
    const command = (body: unknown) =>
      fetch(`${app.url}/local/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const help = await command({ staff: AGENT, text: '帮助' });
    expect(help.status).toBe(200);
    expect(((await help.json()) as { html: string }).html).toContain('orderops 命令');
    const unknown = (await (await command({ staff: AGENT, text: '<b>nope</b>' })).json()) as { html: string };
    expect(unknown.html).toContain('未知命令"&lt;b&gt;nope&lt;/b&gt;"');
    const stranger = (await (await command({ staff: 'not.staff', text: 'help' })).json()) as { html: string };
    expect(stranger.html).toContain('只有 orderops.yml 中登记的员工');
    for (const bad of [{ staff: AGENT }, { staff: AGENT, text: 'help', extra: 1 }, { staff: '../x', text: 'help' }, { staff: AGENT, text: 'x'.repeat(501) }]) {
      expect((await command(bad)).status).toBe(400);
    }
  });
});

describe('several copies of the bot', () => {
  it('pushes a change made through one copy to a page open on another (Postgres LISTEN/NOTIFY)', async () => {
    const other = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1' }, { role: 'intake' });
    try {
      const order = vague();
      await postOrders(app.url, order);
      const card = await cardOf(order.id as string, 'vague_address');
      const events = openEvents(AGENT, other.url);
      await events.ready();
      expect((await act({ action: 'exception.claim', exceptionId: card.exceptionId, version: card.version, staff: AGENT })).status).toBe(200);
      const seen = await events.next('the claim, seen by the other copy', (e) => e.event === 'card' && e.data.exceptionId === card.exceptionId && e.data.status === 'claimed');
      expect(seen.data.version).toBe(card.version + 1);
      await events.next('the private reply, seen by the other copy', (e) => e.event === 'message' && e.data.html.includes(order.id));
      events.close();
    } finally {
      await other.close();
    }
  });
});

describe('the local chat port', () => {
  const port = () => localChatPort(app.pool, systemClock);
  const card = (version: number, status: ExceptionCard['status'] = 'open'): ExceptionCard => ({
    kind: 'exception', key: `exception:${900_000_000 + Math.floor(Math.random() * 1e6)}`, exceptionId: 900_000_001, version, type: 'vague_address',
    severity: 'warning', reasons: [], status, escalationLevel: 0, assignee: null, claimedAt: null, resolvedAt: null, resolution: null,
    claimDueAt: new Date().toISOString(), resolveDueAt: new Date().toISOString(),
    order: { source: 'generic', externalId: 'X', channel: 'douyin', shop: '', total: '1', paid: '1', currency: 'CNY', items: [], moreItems: 0, buyer: '', phone: '', address: '', remark: '', tags: [] },
    actions: [], escalation: { notified: [], unrouted: [] },
  } as ExceptionCard);

  it('routes every team to a channel of its own name', () => {
    expect(port().channelFor('service')).toBe('service');
    expect(port().channelFor('custom_team')).toBe('custom_team');
  });

  it('posts a card once per channel, finds it, and never lets an older version overwrite a newer one', async () => {
    const c = card(2);
    const a = await port().postCard('service', c);
    const b = await port().postCard('service', c);
    expect(b).toEqual(a);
    expect(await port().findCard!('service', c)).toEqual(a);
    expect(await port().findCard!('finance', c)).toBeUndefined();
    await port().updateCard(a, { ...c, version: 3, status: 'claimed' });
    await port().updateCard(a, { ...c, version: 2, status: 'open' });
    const row = (await db.query('SELECT card, rev FROM local_cards WHERE id = $1', [Number(a.messageId)])).rows[0];
    expect(row.card).toMatchObject({ version: 3, status: 'claimed' });
  });

  it('reports a deleted card as gone, so the sync posts a fresh one', async () => {
    const a = await port().postCard('service', card(1));
    await db.query('DELETE FROM local_cards WHERE id = $1', [Number(a.messageId)]);
    await expect(port().updateCard(a, card(2))).rejects.toBeInstanceOf(ChatDeliveryError);
    await expect(port().updateCard({ channel: 'service', messageId: 'abc' }, card(2))).rejects.toMatchObject({ kind: 'gone' });
  });

  it('keeps DMs and mentions per person; mentions also show on the card', async () => {
    const who = { id: uid('p'), name: '某人' } as Staff;
    expect(await port().sendDirect(who, { key: 'dm.escalated', vars: { actor: 'x', orderId: '<o>', type: 't', reason: 'r' } })).toBe(true);
    const a = await port().postCard('service', card(1));
    await port().mentionOnCard!(a, [who], { key: 'sla.mention', vars: { people: '某人' } });
    const msgs = (await db.query('SELECT kind, notice FROM local_messages WHERE staff_id = $1 ORDER BY id', [who.id])).rows;
    expect(msgs.map((m) => m.kind)).toEqual(['direct', 'mention']);
    const s = await state(who.id);
    expect(s.messages[1]!.html).toContain('&lt;o&gt;');
    const row = (await db.query('SELECT notes FROM local_cards WHERE id = $1', [Number(a.messageId)])).rows[0];
    expect(row.notes).toHaveLength(1);
  });
});
