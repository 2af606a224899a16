import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Douyin shop (抖店) signatures, shop-platforms.md §1.2 and §1.5. Pinned by vectors V3 (push),
 * V4 (push, HMAC variant — unverified) and V5 (API).
 */

/** Push `event-sign`: lowercase hex md5(app_key + raw body + app_secret). */
export function eventSign(appKey: string, body: Buffer | string, appSecret: string): string {
  return createHash('md5').update(appKey).update(body).update(appSecret).digest('hex');
}

/** The `sign-method: hmac-sha256` push variant (⚠ format unconfirmed): HMAC-SHA256(secret, key+body+secret). */
export function eventSignHmac(appKey: string, body: Buffer | string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(appKey).update(body).update(appSecret).digest('hex');
}

export type PushCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

/**
 * Constant-time check of a push. `app-id`, when sent, must be our app key (refused before hashing);
 * `sign-method: hmac-sha256` selects the HMAC variant, anything else md5.
 */
export function verifyPush(
  creds: { appKey: string; appSecret: string },
  body: Buffer,
  sign: string | undefined,
  appId: string | undefined,
  signMethod?: string,
): PushCheck {
  if (!sign) return { ok: false, reason: 'missing' };
  if (appId !== undefined && appId !== creds.appKey) return { ok: false, reason: 'mismatch' };
  const hmac = signMethod?.trim().toLowerCase() === 'hmac-sha256';
  const given = sign.trim().toLowerCase();
  if (!(hmac ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{32}$/).test(given)) return { ok: false, reason: 'malformed' };
  const expected = (hmac ? eventSignHmac : eventSign)(creds.appKey, body, creds.appSecret);
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex')) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/**
 * `param_json`: keys sorted recursively, no spaces, no HTML escaping (JSON.stringify never
 * escapes <, > or &). Arrays keep their order.
 * @example sortedJson({ size: 100, page: 0 }) // '{"page":0,"size":100}'
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

export interface ApiSignInput {
  appKey: string;
  appSecret: string;
  method: string;
  paramJson: string;
  timestamp: string;
  v?: string;
  signMethod?: 'hmac-sha256' | 'md5';
}

/** API `sign`: hex HMAC-SHA256(secret, secret + app_key… + method… + param_json… + timestamp… + v… + secret). */
export function apiSign(i: ApiSignInput): string {
  const s = `${i.appSecret}app_key${i.appKey}method${i.method}param_json${i.paramJson}timestamp${i.timestamp}v${i.v ?? '2'}${i.appSecret}`;
  return i.signMethod === 'md5' ? createHash('md5').update(s).digest('hex') : createHmac('sha256', i.appSecret).update(s).digest('hex');
}
