import pino from 'pino';
import { FeishuApi } from '../../src/integrations/feishu/feishu-api';
import { classifyFeishuError, FEISHU_ERROR_TABLE } from '../../src/integrations/feishu/feishu-errors';
import { FeishuPort, cardUuid } from '../../src/integrations/feishu/feishu-port';
import { Pacer } from '../../src/integrations/feishu/pacer';
import { ChatDeliveryError } from '../../src/domain/errors';
import type { Staff } from '../../src/domain/staff';
import type { SilenceCard } from '../../src/domain/cards/silence-card';

/** The port lays cards out itself: any real card will do (a quiet shop's is the smallest). */
const VIEW = { locale: 'zh-CN' as const, timezone: 'Asia/Shanghai', clock: { now: () => new Date('2026-01-08T12:00:00Z') } };
const card = (key: string): SilenceCard => ({
  kind: 'silence', key, alertId: 1, version: 1, shopId: 'home', source: 'douyin', status: 'open', minutes: 60,
  lastOrderAt: null, openedAt: '2026-01-08T11:00:00Z', clearedAt: null,
});
import { FeishuStub } from '../helpers/feishu';

const logger = pino({ level: 'silent' });
let stub: FeishuStub;
let slept: number[];

function api(over: Partial<ConstructorParameters<typeof FeishuApi>[0]> = {}): FeishuApi {
  return new FeishuApi({
    appId: 'cli_a1b2c3d4e5f60718', appSecret: 's', domain: stub.base, logger,
    sleep: async (ms) => void slept.push(ms),
    pacer: new Pacer(() => 0, async () => undefined),
    ...over,
  });
}

const staff = (over: Partial<Staff>): Staff => ({ id: 'x', name: 'X', role: 'manager', team: null, slackUserId: null, feishuOpenId: null, email: null, phone: null, ...over });

beforeEach(async () => {
  stub = await new FeishuStub().start();
  slept = [];
});
afterEach(() => stub.close());

describe('FeishuApi: tenant token', () => {
  it('fetches a token once and reuses it', async () => {
    const a = api();
    await a.send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{"text":"a"}' });
    await a.send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{"text":"b"}' });
    expect(stub.of('TOKEN')).toHaveLength(1);
    expect(stub.of('SEND').map((c) => c.auth)).toEqual(['Bearer t-fs1', 'Bearer t-fs1']);
  });

  it('drops a revoked token, fetches a new one and retries the call once', async () => {
    const a = api();
    await a.send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{}' });
    stub.revokedTokens.add('t-fs1');
    const sent = await a.send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{}' });
    expect(sent.messageId).toMatch(/^om_fs/);
    expect(stub.of('TOKEN')).toHaveLength(2);
    expect(stub.of('SEND').map((c) => c.auth)).toEqual(['Bearer t-fs1', 'Bearer t-fs1', 'Bearer t-fs2']);
  });

  it('treats a refused app secret as permanent, with advice', async () => {
    stub.once((r) => r.method === 'TOKEN', [200, { code: 10014, msg: 'app secret invalid' }]);
    await expect(api().patch('om_1', '{}')).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('FEISHU_APP_SECRET') });
  });

  it('gives up after one refresh when the new token is refused too', async () => {
    const a = api();
    stub.revokedTokens.add('t-fs1').add('t-fs2');
    await expect(a.patch('om_1', '{}')).rejects.toMatchObject({ kind: 'token', code: 99991663 });
    expect(stub.of('PATCH')).toHaveLength(2);
  });
});

describe('FeishuApi: rate limits', () => {
  it('waits out HTTP 429 with x-ogw-ratelimit-reset, then succeeds', async () => {
    stub.once((r) => r.method === 'SEND', [429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '2' }]);
    const sent = await api().send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{}', uuid: 'u-1' });
    expect(sent.messageId).toMatch(/^om_fs/);
    expect(slept).toEqual([2000]);
    expect(stub.of('SEND').map((c) => c.body.uuid)).toEqual(['u-1', 'u-1']);
  });

  it('retries the per-chat throttle 230020 (not a revoked target)', async () => {
    stub.once((r) => r.method === 'SEND', [400, { code: 230020, msg: 'This operation triggers the frequency limit, ext=chat rate limit' }]);
    await api().send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{}' });
    expect(slept).toEqual([1000]);
  });

  it('hands a long reset to the caller as rate_limited with retryAfterMs (the job backs off)', async () => {
    stub.once((r) => r.method === 'PATCH', [429, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '30' }]);
    const port = new FeishuPort({ api: api(), teams: {}, ...VIEW });
    const err = await port.updateCard({ channel: 'oc_1', messageId: 'om_1' }, card('silence:1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatDeliveryError);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(slept).toEqual([]);
  });

  it('stops after a bounded number of attempts', async () => {
    for (let i = 0; i < 5; i++) stub.once((r) => r.method === 'SEND', [429, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '1' }]);
    await expect(api({ rateLimitAttempts: 3 }).send({ type: 'chat_id', id: 'oc_1' }, { msgType: 'text', content: '{}' })).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(stub.of('SEND')).toHaveLength(3);
  });

  it('paces sends to one chat at no more than 5 per second', async () => {
    let clock = 0;
    const waits: number[] = [];
    const pacer = new Pacer(() => clock, async (ms) => {
      waits.push(ms);
    });
    for (let i = 0; i < 3; i++) await pacer.wait('to:oc_1', 220);
    await pacer.wait('to:oc_2', 220);
    expect(waits).toEqual([220, 440]);
    clock = 10_000;
    await pacer.wait('to:oc_1', 220);
    expect(waits).toEqual([220, 440]);
  });
});

describe('Feishu error table → ChatDeliveryError kinds', () => {
  const http = (status: number, body: unknown) => ({ response: { status, data: body, headers: {} } });
  it.each([
    [http(400, { code: 230002, msg: 'Bot is not in the chat' }), 'message.create', 'permanent'],
    [http(400, { code: 230099, msg: 'Failed to create card content' }), 'message.create', 'permanent'],
    [http(400, { code: 230011, msg: 'The message is recalled' }), 'message.patch', 'gone'],
    [http(404, { msg: 'not found' }), 'message.patch', 'gone'],
    [http(502, 'Bad Gateway'), 'message.create', 'transient'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, 'message.create', 'transient'],
    [http(400, { code: 99991672, msg: 'scope' }), 'message.create', 'permanent'],
    [http(200, { code: 99991400, msg: 'limit' }), 'message.create', 'rate_limited'],
    [http(400, { code: 99991663, msg: 'invalid token' }), 'message.create', 'token'],
  ])('%j in %s → %s', (err, what, kind) => {
    expect(classifyFeishuError(err, what).kind).toBe(kind);
  });

  it('maps every table entry to a ChatDeliveryError kind', () => {
    for (const code of Object.keys(FEISHU_ERROR_TABLE)) {
      const d = classifyFeishuError(http(400, { code: Number(code), msg: 'x' }), 'message.create').toDelivery();
      expect(['rate_limited', 'transient', 'permanent', 'gone']).toContain(d.kind);
    }
  });
});

describe('FeishuPort outbound', () => {
  const port = () => new FeishuPort({
    api: api(), teams: { service: { name: 'S', feishu_chat: 'oc_team' } }, fallbackChatId: 'oc_fb', ...VIEW,
  });

  it('routes by team, falling back to FEISHU_CHAT_ID', () => {
    expect(port().channelFor('service')).toBe('oc_team');
    expect(port().channelFor('finance')).toBe('oc_fb');
    expect(new FeishuPort({ api: api(), teams: {}, ...VIEW }).channelFor('x')).toBeUndefined();
  });

  it('posts a card with a uuid derived from the card key and chat, so a retry lands once', async () => {
    const card42 = card('exception:42');
    const msg = await port().postCard('oc_team', card42);
    await port().postCard('oc_team', card42);
    expect(msg).toEqual({ channel: 'oc_team', messageId: expect.stringMatching(/^om_fs/) });
    const [a, b] = stub.of('SEND');
    expect(a!.path).toContain('receive_id_type=chat_id');
    expect(a!.body).toMatchObject({ receive_id: 'oc_team', msg_type: 'interactive', uuid: cardUuid('exception:42', 'oc_team') });
    expect(b!.body.uuid).toBe(a!.body.uuid);
    expect(cardUuid('exception:42', 'oc_team').length).toBeLessThanOrEqual(50);
    expect(cardUuid('exception:43', 'oc_team')).not.toBe(a!.body.uuid);
  });

  it('posts a card again under a new uuid after its message turned out deleted', async () => {
    const p = port();
    const card77 = card('exception:77');
    await p.postCard('oc_team', card77);
    stub.once((r) => r.method === 'PATCH', [400, { code: 230011, msg: 'The message is recalled' }]);
    await expect(p.updateCard({ channel: 'oc_team', messageId: 'om_x' }, card77)).rejects.toMatchObject({ kind: 'gone' });
    await p.postCard('oc_team', card77);
    const [first, second] = stub.of('SEND').map((s) => s.body.uuid);
    expect(first).toBe(cardUuid('exception:77', 'oc_team'));
    expect(second).not.toBe(first);
  });

  it('sends a direct message by open_id, else by email, else reports no identity', async () => {
    expect(await port().sendDirect(staff({ feishuOpenId: 'ou_m' }), { key: 'dm.escalated' })).toBe(true);
    expect(await port().sendDirect(staff({ email: 'm@example.com' }), { key: 'dm.escalated' })).toBe(true);
    expect(await port().sendDirect(staff({}), { key: 'dm.escalated' })).toBe(false);
    const sends = stub.of('SEND');
    expect(sends.map((s) => [s.path.split('receive_id_type=')[1], s.body.receive_id])).toEqual([['open_id', 'ou_m'], ['email', 'm@example.com']]);
  });

  it('加急: buzzes people on the bot\'s own card by open_id (urgent_app)', async () => {
    await port().urgent({ channel: 'oc_team', messageId: 'om_card1' }, [staff({ feishuOpenId: 'ou_boss' }), staff({ email: 'no-feishu@example.com' })]);
    const [u] = stub.of('URGENT');
    expect(u!.path).toBe('/open-apis/im/v1/messages/om_card1/urgent_app?user_id_type=open_id');
    expect(u!.body).toEqual({ user_id_list: ['ou_boss'] });
    await expect(port().urgent({ channel: 'oc_team', messageId: 'om_card1' }, [staff({})])).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('加急 by SMS and phone use their own endpoints', async () => {
    await port().urgentByOpenIds('om_c', ['ou_a'], 'sms');
    await port().urgentByOpenIds('om_c', ['ou_a'], 'phone');
    expect(stub.of('URGENT').map((u) => u.path.split('?')[0])).toEqual(['/open-apis/im/v1/messages/om_c/urgent_sms', '/open-apis/im/v1/messages/om_c/urgent_phone']);
  });

  it('mentions people under a posted card by replying to it', async () => {
    await port().mentionOnCard({ channel: 'oc_team', messageId: 'om_card2' }, [staff({ feishuOpenId: 'ou_boss' })], { key: 'sla.mention' });
    expect(stub.of('REPLY')[0]!.path).toBe('/open-apis/im/v1/messages/om_card2/reply');
  });
});
