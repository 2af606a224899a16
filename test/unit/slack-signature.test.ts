import { verifyRequest } from '../../src/bot/slack/verify-request';
import { identityProblem, requestIdentity } from '../../src/bot/slack/app-identity';
import pino from 'pino';
import { appIdentity } from '../../src/bot/slack/slack-front';
import type { SlackApi } from '../../src/integrations/slack/slack-api';
import { signSlackRequest } from '../helpers/slack';

// Slack's own example ("Verifying requests from Slack"), recomputed in the platform reference.
const VECTOR = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const at = (seconds: number) => new Date(seconds * 1000);
const check = (over: Partial<{ body: string; timestamp: string | undefined; signature: string | undefined; now: Date; secret: string }> = {}) =>
  verifyRequest({
    signingSecret: over.secret ?? VECTOR.secret,
    rawBody: Buffer.from(over.body ?? VECTOR.body),
    timestamp: 'timestamp' in over ? over.timestamp : VECTOR.timestamp,
    signature: 'signature' in over ? over.signature : VECTOR.signature,
    now: over.now ?? at(Number(VECTOR.timestamp) + 10),
  });

describe('Slack request signatures (Bolt verifySlackRequest on the injected clock)', () => {
  it('the test signer reproduces Slack\'s known-good vector', () => {
    expect(signSlackRequest(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('accepts the vector within the window, on either side', () => {
    expect(check()).toEqual({ ok: true });
    expect(check({ now: at(Number(VECTOR.timestamp) + 300) })).toEqual({ ok: true });
    expect(check({ now: at(Number(VECTOR.timestamp) - 300) })).toEqual({ ok: true });
    expect(check({ signature: VECTOR.signature.toUpperCase().replace('V0=', 'v0=') })).toEqual({ ok: true });
  });

  it.each([
    ['stale: more than 5 minutes old', { now: at(Number(VECTOR.timestamp) + 301) }, 'refused', /stale/],
    ['future: more than 5 minutes ahead', { now: at(Number(VECTOR.timestamp) - 301) }, 'future', /future/],
    ['another secret', { secret: 'another-secret' }, 'refused', /signature mismatch/],
    ['one byte of the body changed', { body: VECTOR.body.replace('roadrunner', 'roadrunnes') }, 'refused', /signature mismatch/],
    ['the timestamp changed (replay with a fresh timestamp)', { timestamp: '1531420619' }, 'refused', /signature mismatch/],
    ['no signature', { signature: undefined }, 'missing', /required/],
    ['no timestamp', { timestamp: undefined }, 'missing', /required/],
    ['a v1 signature', { signature: VECTOR.signature.replace('v0=', 'v1=') }, 'malformed', /v0=/],
    ['a short signature', { signature: 'v0=abcd' }, 'malformed', /v0=/],
    ['a non-numeric timestamp', { timestamp: '15314e0618' }, 'malformed', /unix seconds/],
  ] as const)('refuses %s', (_label, over, reason, message) => {
    const r = check(over as Parameters<typeof check>[0]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message).toMatch(message);
  });
});

describe('Slack app identity', () => {
  const app = { appId: 'A111', teamId: 'T111' };
  it.each([
    ['a slash command of this app', { api_app_id: 'A111', team_id: 'T111' }, null],
    ['an interaction of this app', { api_app_id: 'A111', team: { id: 'T111' } }, null],
    ['a view submission (team on the view)', { view: { app_id: 'A111', team_id: 'T111' } }, null],
    ['another app', { api_app_id: 'A999', team_id: 'T111' }, /api_app_id A999 is not this app/],
    ['no app id at all', { team_id: 'T111' }, /api_app_id \(none\)/],
    ['another workspace', { api_app_id: 'A111', team_id: 'T999' }, /team_id T999 is not this app's workspace/],
  ])('%s', (_label, body, problem) => {
    const r = identityProblem(app, requestIdentity(body));
    if (problem === null) expect(r).toBeNull();
    else expect(r).toMatch(problem);
  });

  it('accepts another workspace of the same Enterprise Grid org, and checks nothing it does not know', () => {
    expect(identityProblem({ ...app, enterpriseId: 'E1' }, requestIdentity({ api_app_id: 'A111', team_id: 'T2', enterprise_id: 'E1' }))).toBeNull();
    expect(identityProblem({ teamId: 'T111' }, requestIdentity({ api_app_id: 'A999', team_id: 'T111' }))).toBeNull();
  });
});

describe('where the app identity comes from', () => {
  const logger = pino({ level: 'silent' });
  const fakeApi = (answer: () => Promise<unknown>) => {
    const calls: string[] = [];
    return { calls, api: { call: (method: string) => (calls.push(method), answer()) } as unknown as SlackApi };
  };

  it('SLACK_APP_ID and SLACK_TEAM_ID win: no auth.test', async () => {
    const { calls, api } = fakeApi(async () => ({ ok: true, team_id: 'T0', app_id: 'A0' }));
    expect(await appIdentity(api, { appId: 'A1', teamId: 'T1' }, logger)()).toEqual({ appId: 'A1', teamId: 'T1' });
    expect(calls).toEqual([]);
  });

  it('else auth.test, asked once, and again after a failure', async () => {
    let fail = true;
    const { calls, api } = fakeApi(async () => {
      if (fail) throw new Error('slack down');
      return { ok: true, team_id: 'T0', app_id: 'A0', enterprise_id: 'E0' };
    });
    const identity = appIdentity(api, {}, logger);
    await expect(identity()).rejects.toThrow('slack down');
    fail = false;
    expect(await identity()).toEqual({ appId: 'A0', teamId: 'T0', enterpriseId: 'E0' });
    await identity();
    expect(calls).toEqual(['auth.test', 'auth.test']);
  });
});
