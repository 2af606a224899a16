import type { HandoffCard, HandoffItem } from '../../domain/cards/handoff-card';
import { claimsToOffer } from '../../domain/cards/handoff-card';
import { formatDue } from '../calendar/calendar-texts';
import { t, typeLabel } from '../i18n';
import { formatAge } from './format-age';
import type { CardTexts, PlatformFormat, RenderOptions } from './card-types';

/**
 * The shift handoff card: what the incoming shift takes over. One button offers every claim whose
 * owner is off shift to the incoming shift (the claims go back to the queue with a fresh claim clock).
 */
export function handoffCardTexts(card: HandoffCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const zone = card.zone;
  const at = (iso: string) => formatDue(iso, zone, locale, now);
  const line = (i: HandoffItem) => t(locale, 'handoff.item', {
    orderId: e(i.externalId), type: e(typeLabel(locale, i.type)), owner: i.owner ? e(i.owner) : '',
    age: formatAge(new Date(card.shiftStart).getTime() - new Date(i.openedAt).getTime(), locale),
    critical: i.severity === 'critical', needsNewOwner: i.needsNewOwner && card.status === 'open',
  });
  const list = (items: HandoffItem[], total: number) => [...items.map(line), ...(total > items.length ? [t(locale, 'handoff.more', { count: total - items.length })] : [])].join('\n');
  const fields: CardTexts['fields'] = [];
  const add = (key: string, items: HandoffItem[], total: number) => {
    if (total > 0) fields.push({ key, label: t(locale, `handoff.field.${key}`, { count: total }), value: list(items, total) });
  };
  add('claimed', card.claimed, card.counts.claimed);
  add('unclaimed', card.unclaimed, card.counts.unclaimed);
  add('breached', card.breached, card.counts.breached);
  add('off_shift', card.offShift, card.counts.offShift);
  if (card.backlog.length > 0) {
    fields.push({
      key: 'backlog', label: t(locale, 'handoff.field.backlog'),
      value: card.backlog.map((b) => t(locale, 'handoff.backlog', { stage: t(locale, `stage.${b.stage}`), count: b.count, age: b.oldestAt ? formatAge(now.getTime() - new Date(b.oldestAt).getTime(), locale) : '' })).join('\n'),
    });
  }
  if (card.calendarGaps.length > 0) fields.push({ key: 'calendar', label: t(locale, 'handoff.field.calendar'), value: t(locale, 'calendar.missing_years', { years: card.calendarGaps.join(', ') }) });
  if (fields.length === 0) fields.push({ key: 'nothing', label: t(locale, 'handoff.field.nothing'), value: t(locale, 'handoff.nothing') });
  const offer = claimsToOffer(card);
  const status = card.offered
    ? t(locale, 'handoff.status.offered', { by: e(card.offered.by), time: at(card.offered.at), count: card.offered.count })
    : t(locale, 'handoff.status.open', { needs: offer.length, onCall: card.onCall ? e(card.onCall) : '' });
  return {
    title: t(locale, 'handoff.title', { team: e(card.team), start: at(card.shiftStart), end: at(card.shiftEnd) }),
    severity: offer.length > 0 && card.status === 'open' ? 'warning' : 'info',
    severityLabel: t(locale, offer.length > 0 && card.status === 'open' ? 'severity.warning' : 'severity.info'),
    status,
    overdue: false,
    fields,
    buttons: [],
    decisionButtons: card.status === 'open' && offer.length > 0
      ? [{ action: 'handoff.offer', label: t(locale, 'handoff.button.offer', { count: offer.length }), style: 'primary', value: { requestId: card.alertId, version: card.version } }]
      : [],
  };
}
