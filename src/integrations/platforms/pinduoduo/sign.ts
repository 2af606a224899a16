import { createHash } from 'node:crypto';

/**
 * Pinduoduo API sign (§3.2, V8): upper-case hex md5(client_secret + sorted name+value pairs +
 * client_secret) over every parameter except `sign`.
 */
export function pddSign(params: Record<string, string>, clientSecret: string): string {
  const s = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHash('md5').update(clientSecret + s + clientSecret).digest('hex').toUpperCase();
}

/**
 * The message-service WebSocket URL (§3.1, V10 — ⚠ community-derived): sign is base64 of the
 * lowercase hex md5 of client_id + timestamp_ms + client_secret (of the hex text, not the digest).
 */
export function pddMessageUrl(clientId: string, timestampMs: number, clientSecret: string, base = 'wss://message-api.pinduoduo.com'): string {
  const hex = createHash('md5').update(`${clientId}${timestampMs}${clientSecret}`).digest('hex');
  const sign = Buffer.from(hex, 'utf8').toString('base64');
  return `${base}/message/${clientId}/${timestampMs}/${sign}`;
}
