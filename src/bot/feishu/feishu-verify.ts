import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Verification of what reaches `POST /feishu/events`, done here rather than by the SDK (which
 * signs a re-serialised body, compares with `===`, never checks the token or the time, and answers
 * 200 on failure). Every check works on the exact bytes received.
 */
export interface FeishuVerifyConfig {
  appId: string;
  verificationToken?: string;
  encryptKey?: string;
  /** How far X-Lark-Request-Timestamp may be from our clock. */
  windowSeconds: number;
}

export type FeishuEnvelope = Record<string, unknown>;

export type VerifyResult =
  | { ok: true; body: FeishuEnvelope; challenge?: string }
  | { ok: false; status: 400 | 401; reason: string };

export const SIGNATURE_HEADERS = {
  timestamp: 'x-lark-request-timestamp',
  nonce: 'x-lark-request-nonce',
  signature: 'x-lark-signature',
} as const;

/** hex SHA-256 of timestamp + nonce + encrypt key + raw body (Feishu's "签名校验"; not an HMAC). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(rawBody).digest('hex');
}

/** Equal-length digests make the comparison constant-time whatever the inputs' lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** AES-256-CBC, key = SHA-256(encrypt key), base64(IV ‖ ciphertext), PKCS#7 padding. */
export function decryptFeishu(encrypt: string, encryptKey: string): string {
  const buf = Buffer.from(encrypt, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) throw new Error('ciphertext is not IV + whole AES blocks');
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

const header = (h: IncomingHttpHeaders, name: string): string => {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** Signature and freshness of a signed request; null when both hold. */
export function checkSignature(raw: Buffer, headers: IncomingHttpHeaders, encryptKey: string, nowMs: number, windowSeconds: number): string | null {
  const ts = header(headers, SIGNATURE_HEADERS.timestamp);
  const nonce = header(headers, SIGNATURE_HEADERS.nonce);
  const sig = header(headers, SIGNATURE_HEADERS.signature).trim().toLowerCase();
  if (!/^\d{1,13}$/.test(ts)) return 'malformed X-Lark-Request-Timestamp';
  if (Math.abs(nowMs - Number(ts) * 1000) > windowSeconds * 1000) return 'stale X-Lark-Request-Timestamp (outside the freshness window)';
  if (!/^[0-9a-f]{64}$/.test(sig)) return 'malformed X-Lark-Signature';
  const expected = Buffer.from(feishuSignature(ts, nonce, encryptKey, raw), 'hex');
  return timingSafeEqual(expected, Buffer.from(sig, 'hex')) ? null : 'X-Lark-Signature does not match the body';
}

const isObject = (v: unknown): v is FeishuEnvelope => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(text: string): FeishuEnvelope | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** The verification token a body carries: v2 `header.token`, v1 / url_verification top-level `token`. */
export function tokenOf(body: FeishuEnvelope): string | undefined {
  const h = body.header;
  const v = isObject(h) && typeof h.token === 'string' ? h.token : body.token;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Verify one request. With an encrypt key: signature and freshness over the raw bytes when the
 * signature headers are present, an encrypted body always, and only the url_verification
 * challenge (which Feishu sends unsigned) may come without a signature. Always: the verification
 * token (when configured) and the app id. Any failure is a 401 with nothing else done.
 */
export function verifyFeishuRequest(raw: Buffer, headers: IncomingHttpHeaders, cfg: FeishuVerifyConfig, nowMs: number): VerifyResult {
  const fail = (status: 400 | 401, reason: string): VerifyResult => ({ ok: false, status, reason });
  if (raw.length === 0) return fail(400, 'empty body');
  const signed = Boolean(header(headers, SIGNATURE_HEADERS.signature));
  let body: FeishuEnvelope | null;
  if (cfg.encryptKey) {
    if (signed) {
      const bad = checkSignature(raw, headers, cfg.encryptKey, nowMs, cfg.windowSeconds);
      if (bad) return fail(401, bad);
    }
    const outer = parse(raw.toString('utf8'));
    if (!outer) return fail(400, 'body is not a JSON object');
    if (typeof outer.encrypt !== 'string') return fail(401, 'an encrypt key is configured: the body must be {"encrypt": …}');
    let plain: string;
    try {
      plain = decryptFeishu(outer.encrypt, cfg.encryptKey);
    } catch {
      return fail(401, 'body does not decrypt with FEISHU_ENCRYPT_KEY');
    }
    body = parse(plain);
    if (!body) return fail(401, 'decrypted body is not a JSON object');
    if (!signed && body.type !== 'url_verification') return fail(401, 'missing X-Lark-Signature');
  } else {
    body = parse(raw.toString('utf8'));
    if (!body) return fail(400, 'body is not a JSON object');
    if (typeof body.encrypt === 'string') return fail(401, 'encrypted body but FEISHU_ENCRYPT_KEY is not set');
  }
  if (cfg.verificationToken) {
    const token = tokenOf(body);
    if (token === undefined || !sameSecret(token, cfg.verificationToken)) return fail(401, 'verification token does not match');
  } else if (!cfg.encryptKey) {
    return fail(401, 'neither FEISHU_VERIFICATION_TOKEN nor FEISHU_ENCRYPT_KEY is set: nothing can be verified');
  }
  const appId = appIdOf(body);
  if (appId !== undefined && appId !== cfg.appId) return fail(401, 'app_id is not this app');
  if (body.type === 'url_verification') {
    return typeof body.challenge === 'string' ? { ok: true, body, challenge: body.challenge } : fail(400, 'url_verification without a challenge');
  }
  return { ok: true, body };
}

export function appIdOf(body: FeishuEnvelope): string | undefined {
  const h = body.header;
  const v = isObject(h) ? h.app_id : body.app_id;
  return typeof v === 'string' ? v : undefined;
}
