import type { webApi } from '@slack/bolt';
import pino from 'pino';
import { fixedClock } from '../../src/domain/ports';
import type { Staff } from '../../src/domain/staff';
import { SlackApi } from '../../src/integrations/slack/slack-api';
import { SlackChatPort } from '../../src/integrations/slack/slack-port';

function port() {
  const calls: { method: string; body: URLSearchParams }[] = [];
  const fetch = (async (url: string | URL, init?: { body?: unknown }) => {
    const method = String(url).replace(/^.*\/api\//, '');
    const body = new URLSearchParams(String(init?.body ?? ''));
    calls.push({ method, body });
    const answer = method === 'conversations.open' ? { ok: true, channel: { id: 'D123' } } : { ok: true, ts: '1.1', channel: body.get('channel') };
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as webApi.FetchFunction;
  const logger = pino({ level: 'silent' });
  const noWait = { now: () => 0, sleep: async () => undefined };
  const api = new SlackApi({ token: 'xoxb-1', apiUrl: 'https://slack.test/api/', logger, fetch, timer: noWait });
  const slack = new SlackChatPort({ api, locale: 'en', timezone: 'Asia/Shanghai', clock: fixedClock('2026-01-08T12:00:00Z'), logger, teamChannels: { service: 'C0SERVICE', finance: undefined }, fallbackChannel: 'C0ALL', timer: noWait });
  return { slack, calls };
}

const staff = (over: Partial<Staff> = {}): Staff => ({ id: 'li', name: '李四', role: 'supervisor', team: 'service', slackUserId: 'U0LI', feishuOpenId: null, email: null, phone: null, ...over });

describe('Slack chat port', () => {
  it('routes a team to its channel, else to the fallback channel', () => {
    const { slack } = port();
    expect(slack.channelFor('service')).toBe('C0SERVICE');
    expect(slack.channelFor('finance')).toBe('C0ALL');
    expect(slack.channelFor('nobody')).toBe('C0ALL');
  });

  it('opens a person\'s DM channel once and reuses it for later messages', async () => {
    const { slack, calls } = port();
    await slack.sendDirect(staff(), { key: 'dm.escalated', vars: { actor: 'a', orderId: '1', type: 't', reason: 'r' } });
    await slack.sendDirect(staff(), { key: 'dm.escalated', vars: { actor: 'a', orderId: '2', type: 't', reason: 'r' } });
    expect(calls.map((c) => c.method)).toEqual(['conversations.open', 'chat.postMessage', 'chat.postMessage']);
    expect(calls[2]!.body.get('channel')).toBe('D123');
  });

  it('sends a DM through conversations.open, escaping the notice', async () => {
    const { slack, calls } = port();
    expect(await slack.sendDirect(staff(), { key: 'dm.escalated', vars: { actor: '<!here>', orderId: 'DY-1', type: 'Review', reason: 'big' } })).toBe(true);
    expect(calls.map((c) => c.method)).toEqual(['conversations.open', 'chat.postMessage']);
    expect(calls[0]!.body.get('users')).toBe('U0LI');
    expect(calls[1]!.body.get('channel')).toBe('D123');
    expect(calls[1]!.body.get('text')).toBe('&lt;!here&gt; escalated the "Review" exception of order DY-1: big');
  });

  it('says false for someone without a Slack id, calling nothing', async () => {
    const { slack, calls } = port();
    expect(await slack.sendDirect(staff({ slackUserId: null }), { key: 'dm.escalated' })).toBe(false);
    expect(calls).toEqual([]);
  });

  it('mentions people in a thread under the card', async () => {
    const { slack, calls } = port();
    await slack.mentionOnCard({ channel: 'C0SERVICE', messageId: '9.9' }, [staff(), staff({ id: 'x', name: '<b>', slackUserId: null })], { key: 'sla.mention', vars: { people: '李四 <b>' } });
    expect(calls[0]!.method).toBe('chat.postMessage');
    expect(calls[0]!.body.get('thread_ts')).toBe('9.9');
    expect(calls[0]!.body.get('text')).toBe('<@U0LI> &lt;b&gt; this exception is past its claim deadline; please take it.');
  });

  it('replies privately with an ephemeral message', async () => {
    const { slack, calls } = port();
    await slack.replyPrivately({ channel: 'C0SERVICE', userId: 'U1' }, { key: 'notice.stale' });
    expect(calls[0]!.method).toBe('chat.postEphemeral');
    expect(Object.fromEntries(calls[0]!.body)).toMatchObject({ channel: 'C0SERVICE', user: 'U1', text: expect.stringContaining('out of date') });
  });
});
