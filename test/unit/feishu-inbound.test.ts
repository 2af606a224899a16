import pino from 'pino';
import { FeishuInbound, type InboundHandlers } from '../../src/bot/feishu/feishu-inbound';
import { parseActionValue } from '../../src/bot/feishu/card-action';
import { parseGroupCommand } from '../../src/bot/feishu/group-command';
import type { Queryable } from '../../src/db/pool';
import { CARD_ACTION_BUTTON, MESSAGE_GROUP_AT } from '../helpers/feishu-fixtures';

/** chat_deliveries as a set: enough to see what the dispatcher records and forgets. */
function fakePool(): Queryable & { ids: Set<string> } {
  const ids = new Set<string>();
  return {
    ids,
    async query(text: string, values?: unknown[]) {
      const id = String(values?.[0]);
      if (text.startsWith('INSERT')) {
        const fresh = !ids.has(id);
        ids.add(id);
        return { rowCount: fresh ? 1 : 0, rows: [] } as never;
      }
      if (text.startsWith('DELETE') && text.includes('delivery_id')) ids.delete(id);
      return { rowCount: 0, rows: [] } as never;
    },
  };
}

const card = (eventId: string, appId = 'cli_a1b2c3d4e5f60718') => ({ ...CARD_ACTION_BUTTON, header: { ...CARD_ACTION_BUTTON.header, event_id: eventId, app_id: appId, token: 'vt' } });
const msg = (eventId: string) => ({ ...MESSAGE_GROUP_AT, header: { ...MESSAGE_GROUP_AT.header, event_id: eventId, app_id: 'cli_a1b2c3d4e5f60718', token: 'vt' } });

function inbound(handlers: Partial<InboundHandlers>, cardDeadlineMs = 2500) {
  const pool = fakePool();
  const h: InboundHandlers = {
    cardAction: async () => ({ toast: { type: 'success', content: 'ok' } }),
    message: async () => undefined,
    failedCardAnswer: () => ({ toast: { type: 'error', content: 'failed' } }),
    slowCardAnswer: () => ({ toast: { type: 'info', content: 'processing' } }),
    ...handlers,
  };
  return { pool, d: new FeishuInbound({ pool, logger: pino({ level: 'silent' }), appId: 'cli_a1b2c3d4e5f60718', verificationToken: 'vt', handlers: h, cardDeadlineMs }) };
}

describe('FeishuInbound', () => {
  it('handles an event_id once', async () => {
    let n = 0;
    const { d } = inbound({ cardAction: async () => ({ n: ++n }) });
    expect(await d.dispatch(card('e1'), 'http')).toEqual({ status: 200, body: { n: 1 } });
    expect(await d.dispatch(card('e1'), 'http')).toEqual({ status: 200, body: {} });
    expect(n).toBe(1);
  });

  it('forgets a delivery whose handler failed, so a redelivery is tried again', async () => {
    let fail = true;
    const { d, pool } = inbound({ message: async () => {
      if (fail) throw new Error('db down');
    } });
    expect((await d.dispatch(msg('m1'), 'http')).status).toBe(500);
    expect(pool.ids.has('m1')).toBe(false);
    fail = false;
    expect((await d.dispatch(msg('m1'), 'http')).status).toBe(200);
    expect(pool.ids.has('m1')).toBe(true);
  });

  it('answers a failed click with an error toast (callbacks are not redelivered)', async () => {
    const { d } = inbound({ cardAction: async () => Promise.reject(new Error('x')) });
    expect(await d.dispatch(card('e2'), 'http')).toEqual({ status: 200, body: { toast: { type: 'error', content: 'failed' } } });
  });

  it('answers a slow click before Feishu\'s 3-second limit and lets the action finish', async () => {
    let finished = false;
    const { d } = inbound({ cardAction: async () => {
      await new Promise((r) => setTimeout(r, 120));
      finished = true;
      return { toast: { type: 'success', content: 'late' } };
    } }, 30);
    expect(await d.dispatch(card('e3'), 'http')).toEqual({ status: 200, body: { toast: { type: 'info', content: 'processing' } } });
    expect(finished).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(finished).toBe(true);
  });

  it('refuses long-connection events for another app or with a wrong token; ignores v1 and unknown types', async () => {
    const { d, pool } = inbound({});
    expect((await d.dispatch(card('e4', 'cli_other'), 'ws')).status).toBe(401);
    expect((await d.dispatch({ ...card('e5'), header: { ...card('e5').header, token: 'nope' } }, 'ws')).status).toBe(401);
    expect(pool.ids.size).toBe(0);
    expect(await d.dispatch({ uuid: 'x', event: { type: 'message' } }, 'http')).toEqual({ status: 200, body: {} });
    expect(await d.dispatch({ schema: '2.0', header: { event_id: 'e6', event_type: 'application.bot.menu_v6' } }, 'http')).toEqual({ status: 200, body: {} });
  });
});

describe('parsing what Feishu sends', () => {
  it('accepts only our own button values', () => {
    const v = { orderops: 'exception', action: 'exception.claim', exception_id: 5, version: 2 };
    expect(parseActionValue(v)).toEqual(v);
    expect(parseActionValue(JSON.stringify(v))).toEqual(v);
    expect(parseActionValue({ key: 'value' })).toBeNull();
    expect(parseActionValue({ ...v, action: 'exception.delete' })).toBeNull();
    expect(parseActionValue({ ...v, exception_id: '5' })).toBeNull();
    expect(parseActionValue({ ...v, step: 'explode' })).toBeNull();
    expect(parseActionValue('not json')).toBeNull();
  });

  const event = (text: string, o: { bot?: boolean; chatType?: string; sender?: string } = {}) => ({
    ...MESSAGE_GROUP_AT.event,
    sender: { ...MESSAGE_GROUP_AT.event.sender, sender_type: o.sender ?? 'user' },
    message: {
      ...MESSAGE_GROUP_AT.event.message,
      chat_type: o.chatType ?? 'group',
      content: JSON.stringify({ text }),
      mentions: [{ ...MESSAGE_GROUP_AT.event.message.mentions[0]!, id: { ...MESSAGE_GROUP_AT.event.message.mentions[0]!.id, open_id: o.bot === false ? 'ou_other' : 'ou_bot' } }],
    },
  });

  it.each([
    ['@_user_1 order DY-1', { query: 'DY-1' }],
    ['@_user_1 /order  DY-1 ', { query: 'DY-1' }],
    ['@_user_1 查单 DY-1', { query: 'DY-1' }],
    ['查单 5678 @_user_1', { query: '5678' }],
    ['@_user_1 ORDER dy-1', { query: 'dy-1' }],
    ['@_user_1 查单', { query: '' }],
    ['@_user_1 hello', { help: true }],
    ['@_user_1 orders', { help: true }],
  ])('%j → %j', (text, expected) => {
    expect(parseGroupCommand(event(text), 'ou_bot')).toEqual(expected);
  });

  it('needs the bot mentioned in a group, not in a direct chat; ignores apps and non-text', () => {
    expect(parseGroupCommand(event('@_user_1 order 1', { bot: false }), 'ou_bot')).toBeNull();
    expect(parseGroupCommand(event('order 1', { bot: false, chatType: 'p2p' }), 'ou_bot')).toEqual({ query: '1' });
    expect(parseGroupCommand(event('@_user_1 order 1', { sender: 'app' }), 'ou_bot')).toBeNull();
    const image = event('x');
    image.message.message_type = 'image';
    expect(parseGroupCommand(image, 'ou_bot')).toBeNull();
  });
});
