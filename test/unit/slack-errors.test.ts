import { webApi } from '@slack/bolt';
import pino from 'pino';
import { ChatDeliveryError } from '../../src/domain/errors';
import { isAmbiguous, SLACK_ERROR_KINDS, toChatDeliveryError } from '../../src/integrations/slack/error-table';
import { SlackApi } from '../../src/integrations/slack/slack-api';
import type { Timer } from '../../src/integrations/slack/pacer';

const platform = (error: string, extra: Record<string, unknown> = {}) => new webApi.WebAPIPlatformError({ ok: false, error, ...extra });

describe('Slack error table', () => {
  it.each([
    ['channel_not_found', 'permanent'],
    ['not_in_channel', 'permanent'],
    ['is_archived', 'permanent'],
    ['invalid_auth', 'permanent'],
    ['missing_scope', 'permanent'],
    ['invalid_blocks', 'permanent'],
    ['msg_blocks_too_long', 'permanent'],
    ['cant_update_message', 'permanent'],
    ['message_not_found', 'gone'],
    ['ratelimited', 'rate_limited'],
    ['internal_error', 'transient'],
    ['fatal_error', 'transient'],
    ['service_unavailable', 'transient'],
    ['something_new_from_slack', 'transient'],
  ])('%s → %s', (error, kind) => {
    const e = toChatDeliveryError(platform(error), 'chat.postMessage');
    expect(e).toBeInstanceOf(ChatDeliveryError);
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(`chat.postMessage: ${error}`);
  });

  it('maps transport errors: 429 with its Retry-After, 5xx transient, other 4xx permanent, network transient', () => {
    const limited = toChatDeliveryError(new webApi.WebAPIRateLimitedError(7));
    expect([limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 7000]);
    expect(toChatDeliveryError(new webApi.WebAPIHTTPError(503, 'Service Unavailable', {})).kind).toBe('transient');
    expect(toChatDeliveryError(new webApi.WebAPIHTTPError(404, 'Not Found', {})).kind).toBe('permanent');
    expect(toChatDeliveryError(new webApi.WebAPIRequestError(new Error('ECONNRESET'))).kind).toBe('transient');
    expect(toChatDeliveryError(new Error('boom')).kind).toBe('transient');
  });

  it('gives advice for the failures an operator must fix', () => {
    expect(toChatDeliveryError(platform('not_in_channel')).message).toContain('/invite');
    expect(toChatDeliveryError(platform('invalid_auth')).message).toContain('SLACK_BOT_TOKEN');
  });

  it('knows which failures may have taken effect', () => {
    expect(isAmbiguous(new webApi.WebAPIRateLimitedError(1))).toBe(false);
    expect(isAmbiguous(platform('channel_not_found'))).toBe(false);
    expect(isAmbiguous(platform('internal_error'))).toBe(true);
    expect(isAmbiguous(new webApi.WebAPIHTTPError(500, 'x', {}))).toBe(true);
    expect(isAmbiguous(new webApi.WebAPIRequestError(new Error('timeout')))).toBe(true);
    expect(Object.values(SLACK_ERROR_KINDS).every((k) => ['permanent', 'transient', 'gone', 'rate_limited'].includes(k))).toBe(true);
  });
});

/** A clock that jumps forward on sleep, recording each wait. */
function fakeTimer(): Timer & { sleeps: number[] } {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } };
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | Error;

function fakeFetch(answers: Answer[]) {
  const seen: string[] = [];
  const fetch = (async (url: string | URL) => {
    seen.push(String(url).replace(/^.*\/api\//, ''));
    const a = answers.shift() ?? { status: 200, body: { ok: true } };
    if (a instanceof Error) throw a;
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json', ...a.headers } });
  }) as unknown as webApi.FetchFunction;
  return { fetch, seen };
}

function api(answers: Answer[], opts: { maxInlineWaitMs?: number } = {}) {
  const timer = fakeTimer();
  const f = fakeFetch(answers);
  const slack = new SlackApi({ token: 'xoxb-1', apiUrl: 'https://slack.test/api/', logger: pino({ level: 'silent' }), timer, fetch: f.fetch, ...opts });
  return { slack, timer, seen: f.seen };
}

describe('Slack API calls: bounded retries', () => {
  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    const { slack, timer, seen } = api([{ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '3' } }, { status: 200, body: { ok: true, ts: '1.2' } }]);
    const res = await slack.call<{ ok: boolean; ts?: string }>('chat.postMessage', { channel: 'C1', text: 'x' }, { idempotent: false });
    expect(res.ts).toBe('1.2');
    expect(seen).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect(timer.sleeps).toEqual([3000]);
  });

  it('hands a long Retry-After back to the caller (the queued job) instead of waiting', async () => {
    const { slack, timer } = api([{ status: 429, body: {}, headers: { 'retry-after': '120' } }], { maxInlineWaitMs: 10_000 });
    const err = await slack.call('chat.update', {}, { idempotent: true }).catch((e) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 120_000 });
    expect(timer.sleeps).toEqual([]);
    // Other calls to the same method do not hammer Slack meanwhile.
    await expect(slack.call('chat.update', {}, { idempotent: true })).rejects.toMatchObject({ kind: 'rate_limited' });
  });

  it('a 429 on one channel holds that channel only, and the retry waits for the pacer like any post', async () => {
    const { slack, timer, seen } = api([{ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '20' } }], { maxInlineWaitMs: 10_000 });
    const held: number[] = [];
    const paced: string[] = [];
    const policy = (channel: string) => ({
      idempotent: false, rateKey: `chat.postMessage:${channel}`,
      pace: async () => void paced.push(channel), onRateLimited: (ms: number) => void held.push(ms),
    });
    await expect(slack.call('chat.postMessage', { channel: 'C1' }, policy('C1'))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 20_000 });
    expect(held).toEqual([20_000]); // the caller's pacer learns the Retry-After
    // C1 stays blocked without another request to Slack; C2 goes on at once.
    await expect(slack.call('chat.postMessage', { channel: 'C1' }, policy('C1'))).rejects.toMatchObject({ kind: 'rate_limited' });
    await expect(slack.call('chat.postMessage', { channel: 'C2' }, policy('C2'))).resolves.toMatchObject({ ok: true });
    expect(seen).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect(paced).toEqual(['C1', 'C2']);
    expect(timer.sleeps).toEqual([]);
  });

  it('a short Retry-After is waited out, and the retry goes through the pacer again', async () => {
    const { slack, timer } = api([{ status: 429, body: {}, headers: { 'retry-after': '2' } }, { status: 200, body: { ok: true } }]);
    let paces = 0;
    await slack.call('chat.postMessage', {}, { idempotent: false, rateKey: 'chat.postMessage:C1', pace: async () => void paces++ });
    expect(paces).toBe(2);
    expect(timer.sleeps).toEqual([2000]);
  });

  it('retries an idempotent call after 5xx with exponential backoff, bounded', async () => {
    const e500 = { status: 500, body: 'oops' };
    const { slack, timer, seen } = api([e500, e500, e500, e500, e500]);
    await expect(slack.call('chat.update', {}, { idempotent: true })).rejects.toMatchObject({ kind: 'transient' });
    expect(seen).toHaveLength(4);
    expect(timer.sleeps).toEqual([500, 1000, 2000]);
  });

  it('recovers from a network error on an idempotent call', async () => {
    const { slack, seen } = api([new TypeError('fetch failed'), { status: 200, body: { ok: true } }]);
    await expect(slack.call('conversations.open', { users: 'U1' }, { idempotent: true })).resolves.toMatchObject({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it('never repeats a post blindly: after a 5xx it looks first, and stops when it finds the post', async () => {
    const { slack, seen } = api([{ status: 502, body: '' }]);
    const lookup = jest.fn(async () => ({ ok: true, ts: '9.9', channel: 'C1' }));
    const res = await slack.call<{ ok: boolean; ts?: string }>('chat.postMessage', {}, { idempotent: false, lookup });
    expect(res.ts).toBe('9.9');
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['chat.postMessage']);
  });

  it('posts again after a 5xx only when the lookup did not find it', async () => {
    const { slack, seen } = api([{ status: 502, body: '' }, { status: 200, body: { ok: true, ts: '1.1' } }]);
    const res = await slack.call<{ ok: boolean; ts?: string }>('chat.postMessage', {}, { idempotent: false, lookup: async () => undefined });
    expect(res.ts).toBe('1.1');
    expect(seen).toHaveLength(2);
  });

  it('a non-idempotent call without a lookup fails on an ambiguous error instead of repeating', async () => {
    const { slack, seen } = api([{ status: 500, body: '' }]);
    await expect(slack.call('views.open', {}, { idempotent: false })).rejects.toMatchObject({ kind: 'transient' });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a permanent error', async () => {
    const { slack, seen } = api([{ status: 200, body: { ok: false, error: 'channel_not_found' } }]);
    await expect(slack.call('chat.postMessage', {}, { idempotent: true })).rejects.toMatchObject({ kind: 'permanent' });
    expect(seen).toHaveLength(1);
  });
});
