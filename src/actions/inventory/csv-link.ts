import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a card's CSV link keeps working. */
export const CSV_LINK_DAYS = 30;

const mac = (token: string, reportId: number, exp: number) =>
  createHmac('sha256', token).update(`orderops.consistency.csv:${reportId}:${exp}`).digest('hex');

/**
 * The card's "list more" link. A chat click opens a browser, which cannot send the API's bearer
 * header, so the link carries an expiring HMAC made with ORDEROPS_API_TOKEN instead; the API accepts
 * either. Without a public URL the link is the bare path (fetch it with the bearer token).
 * @example csvLink({ publicUrl: 'https://ops.example.com', apiToken }, 12, now)
 *   // https://ops.example.com/api/reports/consistency/12.csv?exp=1767830400&sig=…
 */
export function csvLink(o: { publicUrl?: string; apiToken?: string }, reportId: number, now: Date): string | null {
  const path = `/api/reports/consistency/${reportId}.csv`;
  if (!o.apiToken) return null;
  if (!o.publicUrl) return path;
  const exp = Math.floor(now.getTime() / 1000) + CSV_LINK_DAYS * 86_400;
  return `${o.publicUrl.replace(/\/+$/, '')}${path}?exp=${exp}&sig=${mac(o.apiToken, reportId, exp)}`;
}

export function verifyCsvLink(token: string, reportId: number, exp: string | undefined, sig: string | undefined, now: Date): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return false;
  if (Number(exp) * 1000 < now.getTime()) return false;
  return timingSafeEqual(Buffer.from(mac(token, reportId, Number(exp)), 'hex'), Buffer.from(sig, 'hex'));
}
