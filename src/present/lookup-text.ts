import type { LookupResult } from '../domain/orders/lookup';
import type { PlatformFormat } from './cards/card-texts';
import { formatTime, t, typeLabel, type Locale } from './i18n';
import { renderReasons } from './i18n/message';

/** The `/order` answer as lines of text, escaped for one platform (shared by Slack, Feishu, local). */
export function lookupText(r: LookupResult, opts: { locale: Locale; timezone: string; now?: Date }, fmt: Pick<PlatformFormat, 'escape'>): string {
  const { locale, timezone } = opts;
  const e = fmt.escape;
  if (r.kind === 'usage') return t(locale, 'lookup.usage');
  if (r.kind === 'not_staff') return t(locale, 'lookup.not_staff');
  if (r.kind === 'not_found') return t(locale, 'lookup.not_found', { query: e(r.query) });
  const lines: string[] = [];
  if (r.released) lines.push(t(locale, 'lookup.released', { count: r.released }));
  if (r.total > r.orders.length) lines.push(t(locale, 'lookup.many', { count: r.total, shown: r.orders.length }));
  for (const o of r.orders) {
    lines.push(t(locale, 'lookup.order', { orderId: e(o.externalId), source: e(o.source), status: o.status, stage: o.stage, total: o.total, currency: e(o.currency) }));
    if (o.exceptions.length === 0) lines.push(t(locale, 'lookup.no_exceptions'));
    for (const x of o.exceptions) {
      lines.push(t(locale, 'lookup.exception', { type: e(typeLabel(locale, x.type)), status: x.status, assignee: x.assignee ? e(x.assignee) : '', reason: renderReasons(locale, x.reasons, e) }));
    }
    for (const ev of o.timeline) lines.push(t(locale, 'lookup.event', { time: formatTime(ev.at.toISOString(), timezone, locale, opts.now), text: e(ev.text) }));
  }
  return lines.join('\n');
}
