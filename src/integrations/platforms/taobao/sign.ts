import { createHash, createHmac } from 'node:crypto';

/** TOP `sign_method` values (§2.2). */
export type TopSignMethod = 'md5' | 'hmac' | 'hmac-sha256';

/** Every parameter except `sign`, sorted by name (ASCII), concatenated as name+value. */
export function topSignString(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
}

/**
 * Taobao TOP sign, upper-case hex: md5(secret+str+secret) | HMAC-MD5(secret, str) |
 * HMAC-SHA256(secret, str). Pinned by V6 (the official example) and V7.
 */
export function topSign(params: Record<string, string>, secret: string, method: TopSignMethod): string {
  const s = topSignString(params);
  const digest =
    method === 'md5' ? createHash('md5').update(secret + s + secret).digest('hex')
    : method === 'hmac' ? createHmac('md5', secret).update(s).digest('hex')
    : createHmac('sha256', secret).update(s).digest('hex');
  return digest.toUpperCase();
}
