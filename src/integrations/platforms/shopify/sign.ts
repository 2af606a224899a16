import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body with the app's client secret (§6.1, V1). */
export function shopifyHmac(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export type HmacCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

/**
 * Constant-time check over the exact bytes received; a re-serialised body (V2) or a hex header
 * fails. Several secrets may be given while one is being rotated (Shopify keeps signing with the
 * old one for up to an hour).
 */
export function verifyShopifyHmac(secrets: string[], body: Buffer, headerValue: string | undefined): HmacCheck {
  if (!headerValue) return { ok: false, reason: 'missing' };
  const v = headerValue.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(v)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(v, 'base64');
  for (const secret of secrets) {
    if (timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given)) return { ok: true };
  }
  return { ok: false, reason: 'mismatch' };
}
