import { verifySlackRequest } from '@slack/bolt';

/** Slack allows 5 minutes of clock difference; older requests are replays, newer ones forged. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type RequestCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'future' | 'refused'; message: string };

/**
 * Check `X-Slack-Signature` and `X-Slack-Request-Timestamp` with Bolt's own `verifySlackRequest`
 * (v0 HMAC-SHA256 over the body, constant-time, stale after 5 minutes) on the injected clock. Two
 * checks Bolt leaves out come first: both headers present and well formed, and a timestamp more
 * than 5 minutes in the future is refused too (a forged one would otherwise stay valid for as long).
 */
export function verifyRequest(input: { signingSecret: string; rawBody: Buffer; timestamp: string | undefined; signature: string | undefined; now: Date }): RequestCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing', message: 'X-Slack-Signature and X-Slack-Request-Timestamp are required' };
  if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/i.test(signature)) {
    return { ok: false, reason: 'malformed', message: 'the signature must be v0=<64 hex> and the timestamp unix seconds' };
  }
  if (Number(timestamp) - Math.floor(input.now.getTime() / 1000) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'future', message: 'the request timestamp is more than 5 minutes in the future' };
  }
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody.toString('utf8'),
      headers: { 'x-slack-signature': signature.toLowerCase(), 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: input.now.getTime(),
    });
    return { ok: true };
  } catch (e) {
    // Bolt's message says which rule failed: stale, or a signature that does not match SLACK_SIGNING_SECRET.
    return { ok: false, reason: 'refused', message: (e as Error).message };
  }
}
