import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack allows 5 minutes of clock difference; older requests are replays, newer ones forged. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch'; message: string };

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed by the signing secret. */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/**
 * Check `X-Slack-Signature` and `X-Slack-Request-Timestamp` over the exact bytes received.
 * Unlike Bolt, a timestamp more than 5 minutes in the future is refused too.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: Buffer | string;
  timestamp: string | undefined;
  signature: string | undefined;
  now: Date;
  toleranceSeconds?: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing', message: 'X-Slack-Signature and X-Slack-Request-Timestamp are required' };
  if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/i.test(signature)) {
    return { ok: false, reason: 'malformed', message: 'the signature must be v0=<64 hex> and the timestamp unix seconds' };
  }
  const skew = Math.floor(input.now.getTime() / 1000) - Number(timestamp);
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (skew > tolerance) return { ok: false, reason: 'stale', message: 'the request timestamp is more than 5 minutes old' };
  if (skew < -tolerance) return { ok: false, reason: 'future', message: 'the request timestamp is more than 5 minutes in the future' };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody).slice(3), 'hex');
  const given = Buffer.from(signature.slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch', message: 'the signature does not match this body and SLACK_SIGNING_SECRET' };
  }
  return { ok: true };
}
