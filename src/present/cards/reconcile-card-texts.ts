import type { ReconcileCard } from '../../domain/reconcile/card';
import { formatTime, t, type Locale, type Vars } from '../i18n';
import type { CardTexts, PlatformFormat, RenderOptions } from './card-types';

const tt = (locale: Locale, key: string, vars?: Vars) => t(locale, `reconcile.${key}`, vars);

/** A platform's name as people say it (抖店, 淘宝/天猫 …); an unknown source shows as given. */
export function sourceLabel(locale: Locale, source: string): string {
  const label = tt(locale, `source.${source}`);
  return label === `reconcile.source.${source}` ? source : label;
}

/**
 * The reconcile card: "platform has N, we had M, K recovered", the window, the first recovered
 * orders and, when the run could not finish, the problem and where it resumes. No buttons.
 */
export function reconcileCardTexts(card: ReconcileCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const time = (iso: string) => formatTime(iso, timezone, locale, now);
  const figures = { platform: card.platformCount, had: card.hadBefore, ingested: card.ingested };

  let status: string;
  let severity: CardTexts['severity'];
  switch (card.status) {
    case 'recovered':
      status = tt(locale, 'status.recovered', figures);
      severity = 'warning';
      break;
    case 'open':
      status = tt(locale, 'status.open', figures);
      severity = 'critical';
      break;
    case 'cleared':
      status = tt(locale, 'status.cleared', { ...figures, run: card.clearedBy ?? '', time: card.clearedAt ? time(card.clearedAt) : '' });
      severity = 'info';
      break;
  }

  const fields: CardTexts['fields'] = [
    { key: 'window', label: tt(locale, 'field.window'), value: tt(locale, 'value.window', { since: time(card.since), until: time(card.until), pages: card.pages }) },
  ];
  if (card.recovered.length > 0) {
    const more = card.ingested > card.recovered.length ? [tt(locale, 'value.more', { count: card.ingested })] : [];
    fields.push({ key: 'recovered', label: tt(locale, 'field.recovered'), value: [...card.recovered.map(e), ...more].join('\n') });
  }
  if (card.updated > 0) fields.push({ key: 'updated', label: tt(locale, 'field.updated'), value: tt(locale, 'value.updated', { count: card.updated }) });
  if (card.status !== 'recovered') {
    const lines = card.problems.map(e);
    if (card.itemErrors > 0) lines.unshift(tt(locale, 'value.item_errors', { count: card.itemErrors }));
    if (card.attempts > 1 && card.lastError) lines.push(tt(locale, 'value.last_error', { count: card.attempts, error: e(card.lastError) }));
    if (lines.length > 0) fields.push({ key: 'problems', label: tt(locale, 'field.problems'), value: lines.join('\n') });
  }
  if (card.status === 'open' && card.resumeFrom) {
    fields.push({
      key: 'resume',
      label: tt(locale, 'field.resume'),
      value: tt(locale, 'value.resume', { time: time(card.resumeFrom), source: e(card.source), shop: e(card.shopId), since: e(card.resumeFrom) }),
    });
  }
  return {
    title: tt(locale, 'title', { shop: e(card.shopName), source: e(sourceLabel(locale, card.source)) }),
    severity,
    severityLabel: t(locale, `severity.${severity}`),
    status,
    overdue: false,
    fields,
    buttons: [],
  };
}
