import { CARD_LIMITS, type ExceptionCard } from '../../domain/cards/exception-card';
import { truncate } from '../../domain/privacy/mask';
import { renderReasons } from '../i18n/message';
import type { BacklogCard } from '../../domain/cards/backlog-card';
import type { Card } from '../../domain/ports';
import type { SilenceCard } from '../../domain/cards/silence-card';
import { DIGEST_REASON_CHARS, type DigestCard } from '../../domain/cards/digest-card';
import type { ExceptionActionId } from '../../domain/exceptions/exception';
import { consistencyCardTexts, lowStockCardTexts, priceCardTexts } from './inventory-card-texts';
import { reconcileCardTexts } from './reconcile-card-texts';
import { formatDue } from '../calendar/calendar-texts';
import { handoffCardTexts } from './handoff-card-texts';
import { formatAge } from './format-age';

export { formatAge } from './format-age';
import { formatTime, t, typeLabel, type Locale, type Vars } from '../i18n';
import type { PlatformFormat, RenderOptions, CardButton, CardTexts } from './card-types';

export type { PlatformFormat, RenderOptions, CardButton, CardTexts } from './card-types';

const STYLE: Record<ExceptionActionId, CardButton['style']> = {
  'exception.claim': 'primary',
  'exception.fix_address': 'default',
  'exception.approve': 'primary',
  'exception.escalate': 'danger',
  'exception.resolve': 'default',
};

export function exceptionCardTexts(card: ExceptionCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const o = card.order;
  const time = (iso: string) => formatTime(iso, timezone, locale, now);
  const tt = (key: string, vars?: Vars) => t(locale, key, vars);
  const actor = card.assignee ? fmt.mention(card.assignee) : '';

  let status: string;
  switch (card.status) {
    case 'open':
      status = tt('status.open');
      break;
    case 'claimed':
      status = tt('status.claimed', { actor, time: card.claimedAt ? time(card.claimedAt) : '' });
      break;
    case 'escalated':
      status = tt('status.escalated', { level: Math.max(1, card.escalationLevel), actor });
      break;
    case 'resolved':
      status = tt('status.resolved', { time: card.resolvedAt ? time(card.resolvedAt) : '', resolution: card.resolution ? e(card.resolution) : '' });
      break;
  }
  const overdue = card.status === 'open' && new Date(card.claimDueAt).getTime() < now.getTime();

  const items = o.items.map((i) => tt('value.item', { sku: e(i.sku), qty: i.qty, name: e(i.name) }));
  if (o.moreItems > 0) items.push(tt('value.more_items', { count: o.moreItems }));
  const partial = o.paid !== null && o.paid !== o.total;
  const none = tt('value.none');
  const fields = [
    { key: 'order', label: tt('field.order'), value: e(o.externalId) },
    { key: 'shop', label: tt('field.shop'), value: e([o.shop, o.channel].filter(Boolean).join(' / ')) || none },
    { key: 'reason', label: tt('field.reason'), value: e(truncate(renderReasons(locale, card.reasons), CARD_LIMITS.reason)) },
    { key: 'amount', label: tt('field.amount'), value: tt('value.amount', { total: e(o.total), currency: e(o.currency), paid: e(o.paid ?? ''), partial }) },
    { key: 'items', label: tt('field.items'), value: items.join('\n') },
    { key: 'buyer', label: tt('field.buyer'), value: e(o.buyer) || none },
    { key: 'phone', label: tt('field.phone'), value: e(o.phone) || none },
    { key: 'address', label: tt('field.address'), value: e(o.address) || none },
    { key: 'remark', label: tt('field.remark'), value: e(o.remark) || none },
    { key: 'due', label: tt('field.due'), value: dueValue(card, locale, timezone, now) },
  ];
  if (o.tags.length > 0) fields.splice(1, 0, { key: 'tags', label: tt('field.tags'), value: e(o.tags.join(', ')) });
  const esc = card.escalation;
  if (esc.notified.length > 0 || esc.unrouted.length > 0) {
    const lines = [];
    if (esc.notified.length > 0) {
      const sent = esc.notified.map((n) => tt('notify.person', { name: e(n.name), channels: n.channels.map((c) => channelLabel(locale, c)).join(', ') }));
      lines.push(tt('value.notified', { sent: sent.join('; ') }));
    }
    if (esc.unrouted.length > 0) lines.push(tt('value.unrouted', { reasons: e(esc.unrouted.join('; ')) }));
    fields.push({ key: 'escalation', label: tt('field.escalation'), value: lines.join('\n') });
  }

  return {
    title: tt('card.title', { type: e(typeLabel(locale, card.type)), orderId: e(o.externalId) }),
    severity: card.severity,
    severityLabel: tt(`severity.${card.severity}`),
    status: overdue ? `${status} · ${tt('status.overdue')}` : status,
    overdue,
    fields,
    buttons: card.actions.map((action) => ({
      action,
      label: tt(`button.${action}`),
      style: STYLE[action],
      ...(action === 'exception.escalate'
        ? { confirm: { title: tt('confirm.escalate.title'), text: tt('confirm.escalate.text'), ok: tt('confirm.ok'), cancel: tt('confirm.cancel') } }
        : {}),
    })),
  };
}

/** "截止 周一 09:30 前认领 · 周一 10:00 前解决（工作时间）": due times in the team's zone, with the weekday. */
function dueValue(card: ExceptionCard, locale: Locale, timezone: string, now: Date): string {
  const zone = card.dueZone ?? timezone;
  return t(locale, 'calendar.due.value', {
    claimDue: formatDue(card.claimDueAt, zone, locale, now),
    resolveDue: formatDue(card.resolveDueAt, zone, locale, now),
    business: card.slaClock === 'business' ? t(locale, 'calendar.due.business') : '',
  });
}

/** The texts of any card kind: renderers call this and lay out the result. */
export function cardTexts(card: Card, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  switch (card.kind) {
    case 'exception':
      return exceptionCardTexts(card, opts, fmt);
    case 'backlog':
      return backlogCardTexts(card, opts, fmt);
    case 'lowstock':
      return lowStockCardTexts(card, opts, fmt);
    case 'consistency':
      return consistencyCardTexts(card, opts, fmt);
    case 'price':
      return priceCardTexts(card, opts, fmt);
    case 'reconcile':
      return reconcileCardTexts(card, opts, fmt);
    case 'silence':
      return silenceCardTexts(card, opts, fmt);
    case 'digest':
      return digestCardTexts(card, opts, fmt);
    case 'handoff':
      return handoffCardTexts(card, opts, fmt);
  }
}

/**
 * A storm digest: how many exceptions of one type joined, how many still wait, the newest few.
 * No buttons: members are handled through their own cards once released, or /order lookups.
 */
export function digestCardTexts(card: DigestCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const time = (iso: string) => formatTime(iso, timezone, locale, now);
  const type = e(typeLabel(locale, card.type));
  const status = card.status === 'open'
    ? t(locale, 'digest.status.open', { members: card.members, unclaimed: card.unclaimed, unresolved: card.unresolved })
    : t(locale, 'digest.status.cleared', {
      time: card.clearedAt ? time(card.clearedAt) : '', members: card.members, unresolved: card.unresolved,
      waiting: Math.max(0, card.unresolved - card.released), releaseAfter: card.releaseAfter,
    });
  const fields = [];
  if (card.newest.length > 0) {
    fields.push({
      key: 'newest',
      label: t(locale, 'digest.field.newest', { shown: card.newest.length, members: card.members }),
      value: card.newest.map((l) => t(locale, 'digest.item', {
        orderId: e(l.externalId), source: e(l.source), shop: e(l.shop), reason: e(truncate(renderReasons(locale, l.reasons), DIGEST_REASON_CHARS)), time: time(l.at),
        done: l.status === 'resolved', claimed: l.status === 'claimed' || l.status === 'escalated',
      })).join('\n'),
    });
  }
  fields.push({ key: 'since', label: t(locale, 'backlog.field.since'), value: t(locale, 'digest.value.window', { from: time(card.openedAt), last: time(card.lastJoinedAt) }) });
  if (card.released > 0) fields.push({ key: 'released', label: t(locale, 'digest.field.released'), value: String(card.released) });
  return {
    title: t(locale, 'digest.title', { type, members: card.members }),
    severity: card.status === 'open' || card.unresolved > card.released ? 'warning' : 'info',
    severityLabel: t(locale, card.status === 'open' || card.unresolved > card.released ? 'severity.warning' : 'severity.info'),
    status,
    overdue: false,
    fields,
    buttons: [],
  };
}

/** A shop gone quiet: no buttons; it says since when and closes when orders resume. */
export function silenceCardTexts(card: SilenceCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const last = card.lastOrderAt ? formatTime(card.lastOrderAt, timezone, locale, now) : t(locale, 'value.none');
  return {
    title: t(locale, 'silence.title', { shop: e(card.shopId), source: e(card.source) }),
    severity: card.status === 'open' ? 'warning' : 'info',
    severityLabel: t(locale, card.status === 'open' ? 'severity.warning' : 'severity.info'),
    status: card.status === 'open'
      ? t(locale, 'silence.status.open', { minutes: Math.round(card.minutes), last })
      : t(locale, 'silence.status.cleared', { time: card.clearedAt ? formatTime(card.clearedAt, timezone, locale, now) : '' }),
    overdue: false,
    fields: [
      { key: 'last', label: t(locale, 'silence.field.last'), value: last },
      { key: 'since', label: t(locale, 'backlog.field.since'), value: formatTime(card.openedAt, timezone, locale, now) },
    ],
    buttons: [],
  };
}

/** One listed order of a backlog card, with its time left to ship-by (or how late it is). */
function backlogItem(o: BacklogCard['oldest'][number], now: Date, locale: Locale, e: (s: string) => string, age: string): string {
  if (!o.shipBy) return t(locale, 'backlog.item', { orderId: e(o.externalId), source: e(o.source), age });
  const ms = new Date(o.shipBy).getTime() - now.getTime();
  const left = ms >= 0 ? t(locale, 'signal.backlog.left', { left: formatAge(ms, locale) }) : t(locale, 'signal.backlog.late', { late: formatAge(-ms, locale) });
  return t(locale, 'signal.backlog.item', { orderId: e(o.externalId), source: e(o.source), age, left });
}

/** The backlog card's strings: no buttons, the most urgent few orders listed. */
export function backlogCardTexts(card: BacklogCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const stage = t(locale, `stage.${card.stage}`);
  const age = (iso: string | null) => (iso ? formatAge(now.getTime() - new Date(iso).getTime(), locale) : '');
  const status = card.status === 'open'
    ? t(locale, 'backlog.status.open', { count: card.count, stage: e(stage), minutes: card.thresholdMinutes, age: age(card.oldestAt) })
    : t(locale, 'backlog.status.cleared', { time: card.clearedAt ? formatTime(card.clearedAt, timezone, locale, now) : '', peak: card.peak });
  const fields = card.status === 'open' && card.oldest.length > 0
    ? [{ key: 'oldest', label: t(locale, 'backlog.field.oldest'), value: card.oldest.map((o) => backlogItem(o, now, locale, e, age(o.since))).join('\n') }]
    : [];
  fields.push({ key: 'since', label: t(locale, 'backlog.field.since'), value: formatTime(card.openedAt, timezone, locale, now) });
  return {
    title: t(locale, 'backlog.title', { stage: e(stage), shop: e(card.shop) }),
    severity: card.status === 'open' ? 'warning' : 'info',
    severityLabel: t(locale, card.status === 'open' ? 'severity.warning' : 'severity.info'),
    status,
    overdue: false,
    fields,
    buttons: [],
  };
}

/** A notification channel's short label (`dm` → DM, `feishu_urgent` → 加急 / urgent); unknown ids as they are. */
function channelLabel(locale: Locale, channel: string): string {
  const key = `notify.channel.${channel}`;
  const label = t(locale, key);
  return label === key ? channel : label;
}
