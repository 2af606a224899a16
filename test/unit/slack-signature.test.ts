import { signSlackRequest, verifySlackSignature } from '../../src/bot/slack/verify-signature';

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
  verifySlackSignature({
    signingSecret: over.secret ?? VECTOR.secret,
    rawBody: over.body ?? VECTOR.body,
    timestamp: 'timestamp' in over ? over.timestamp : VECTOR.timestamp,
    signature: 'signature' in over ? over.signature : VECTOR.signature,
    now: over.now ?? at(Number(VECTOR.timestamp) + 10),
  });

describe('Slack request signatures', () => {
  it('signs Slack\'s known-good test vector to the documented signature', () => {
    expect(signSlackRequest(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(signSlackRequest(VECTOR.secret, VECTOR.timestamp, Buffer.from(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('accepts the vector within the window, on either side', () => {
    expect(check()).toEqual({ ok: true });
    expect(check({ now: at(Number(VECTOR.timestamp) + 300) })).toEqual({ ok: true });
    expect(check({ now: at(Number(VECTOR.timestamp) - 300) })).toEqual({ ok: true });
    expect(check({ signature: VECTOR.signature.toUpperCase().replace('V0=', 'v0=') })).toEqual({ ok: true });
  });

  it.each([
    ['stale: more than 5 minutes old', { now: at(Number(VECTOR.timestamp) + 301) }, 'stale'],
    ['future: more than 5 minutes ahead', { now: at(Number(VECTOR.timestamp) - 301) }, 'future'],
    ['another secret', { secret: 'another-secret' }, 'mismatch'],
    ['one byte of the body changed', { body: VECTOR.body.replace('roadrunner', 'roadrunnes') }, 'mismatch'],
    ['the timestamp changed (replay with a fresh timestamp)', { timestamp: '1531420619' }, 'mismatch'],
    ['no signature', { signature: undefined }, 'missing'],
    ['no timestamp', { timestamp: undefined }, 'missing'],
    ['a v1 signature', { signature: VECTOR.signature.replace('v0=', 'v1=') }, 'malformed'],
    ['a short signature', { signature: 'v0=abcd' }, 'malformed'],
    ['a non-numeric timestamp', { timestamp: '15314e0618' }, 'malformed'],
  ] as const)('refuses %s', (_label, over, reason) => {
    const r = check(over as Parameters<typeof check>[0]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
  });
});
