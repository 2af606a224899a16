import type { TeamDutyView } from '../../domain/calendar';
import { t, type Locale } from '../i18n';
import { formatDue } from './calendar-texts';

export interface OncallTextInput {
  view: TeamDutyView;
  teamName: string;
  zone: string;
  /** Staff id → display name. */
  names: Record<string, string>;
  /** Who level-1 escalations reach without a roster (the team's supervisors' names). */
  supervisors: string[];
  now: Date;
}

/**
 * One team's line for `/orderops oncall` / `@bot 值班`: on shift or not (until / from when), the
 * person on call now and next, or who is told instead. Names are escaped by the caller's `escape`.
 */
export function oncallText(locale: Locale, i: OncallTextInput, escape: (s: string) => string): string {
  const when = (d: Date) => formatDue(d.toISOString(), i.zone, locale, i.now);
  const name = (id: string) => escape(i.names[id] ?? id);
  const shift = !i.view.hasHours
    ? t(locale, 'oncall.shift.always')
    : i.view.shift
      ? t(locale, 'oncall.shift.on', { until: when(i.view.shift.until) })
      : t(locale, 'oncall.shift.off', { next: i.view.nextShiftAt ? when(i.view.nextShiftAt) : '' });
  const [now, next] = i.view.onCall;
  const duty = now
    ? t(locale, 'oncall.now', { person: name(now.person), until: when(now.until), override: now.override })
      + (next ? t(locale, 'oncall.next', { person: name(next.person), from: when(next.from) }) : '')
    : t(locale, 'oncall.none', { supervisors: i.supervisors.map(escape).join(locale === 'en' ? ', ' : '、') || t(locale, 'value.none') });
  return t(locale, 'oncall.line', { team: escape(i.teamName), shift, duty });
}
