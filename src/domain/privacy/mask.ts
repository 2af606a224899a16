import type { Address } from '../orders/order';

/**
 * Personal data as shown in channel posts: enough to recognise an order, not enough to reach the
 * buyer. 13812345678 → 138****5678; +86 138 1234 5678 → 138****5678.
 */
export function maskPhone(phone: string | undefined | null): string {
  if (!phone) return '';
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length >= 3) return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  return '****';
}

/** Province, city and district stay; the street detail keeps its first characters only. */
export function maskAddress(a: Address | undefined | null): string {
  if (!a) return '';
  const region = [a.province, a.city, a.district].filter(Boolean).join(' ');
  const detail = [...(a.detail ?? '').trim()];
  const shown = detail.length === 0 ? '' : detail.length <= 4 ? `${detail[0]}***` : `${detail.slice(0, 3).join('')}****`;
  return [region, shown].filter(Boolean).join(' ');
}

/** 王五 → 王*; Alice Smith → A****. */
export function maskName(name: string | undefined | null): string {
  if (!name) return '';
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.min(Math.max(chars.length - 1, 1), 4))}`;
}

/** Cut untrusted text to at most `max` characters (not UTF-16 units), marking the cut. */
export function truncate(text: string | undefined | null, max: number, marker = '…'): string {
  if (!text) return '';
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join('') + marker;
}
