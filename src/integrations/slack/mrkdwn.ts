import { neutralise } from '../../present/neutralise';
import type { PlatformFormat } from '../../present/cards/card-texts';
import { t, type Locale } from '../../present/i18n';
import type { StaffRef } from '../../domain/cards/exception-card';
import type { Notice } from '../../domain/ports';

/**
 * Make untrusted text inert in Slack markup (neutralised first: no bidi tricks, controls or ANSI escapes): `&`, `<` and `>` become entities, so `<!channel>`,
 * `<@U123>` and `<https://x|label>` show as text and never mention or link. Nothing else is
 * encoded (Slack decodes only these three).
 */
export function escapeMrkdwn(text: string): string {
  return neutralise(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<@U…>` for staff with a Slack id, else their name (escaped). */
export function slackMention(staff: Pick<StaffRef, 'name' | 'slackUserId'>): string {
  return staff.slackUserId && SLACK_USER_ID.test(staff.slackUserId) ? `<@${staff.slackUserId}>` : escapeMrkdwn(staff.name);
}

export const slackFormat: PlatformFormat = { escape: escapeMrkdwn, mention: slackMention };

/**
 * Cut text to at most `max` UTF-16 units (Slack's limits are character counts, so this errs safe),
 * marking the cut. Never leaves half an entity (`&am`), half a mention (`<@U12`) or half a
 * surrogate pair behind.
 */
export function clip(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - marker.length));
  cut = cut.replace(/&[a-z]{0,4}$/, '').replace(/<[^<>]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + marker;
}

/**
 * A notice as Slack mrkdwn: string variables are escaped before the template is filled.
 * `markup` holds variables that are already Slack markup (mentions this code built).
 */
export function noticeText(locale: Locale, notice: Notice, markup: Record<string, string> = {}): string {
  const vars: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(notice.vars ?? {})) vars[k] = typeof v === 'string' ? escapeMrkdwn(v) : v;
  return t(locale, notice.key, { ...vars, ...markup });
}
