import type { Card, Notice } from '../../domain/ports';
import { cardTexts, type CardTexts } from '../../present/cards/card-texts';
import { formatTime, t, type Locale, type Vars } from '../../present/i18n';
import type { LocalCardRow, LocalMessageKind, LocalMessageRow } from '../../integrations/local/local-store';
import { escapeHtml, htmlFormat } from './html-format';

export interface ViewOptions {
  locale: Locale;
  timezone: string;
  now: Date;
}

/** A card as the page gets it: every string of `texts` is HTML, already escaped. */
export interface LocalCardView {
  id: number;
  channel: string;
  key: string;
  kind: Card['kind'];
  /** The exception the buttons act on (exception cards only). */
  exceptionId: number | null;
  /** Raw (unescaped) order id: the page only ever puts it in a data attribute or text node. */
  orderId: string | null;
  version: number;
  /** The card's own status: open, claimed, escalated, resolved (exception); open, cleared (alerts); pending … (price). */
  status: string;
  /** True once the card needs nobody any more (resolved, cleared, pushed …). */
  done: boolean;
  type: string | null;
  rev: number;
  updatedAt: string;
  texts: CardTexts;
  /** Mentions on the card (SLA reminders), oldest first; HTML, escaped. */
  notes: { at: string; html: string }[];
}

export interface LocalMessageView {
  id: number;
  kind: LocalMessageKind;
  channel: string | null;
  /** HTML: the template is trusted, every variable is escaped. */
  html: string;
  at: string;
  /** `at` as people read it, in the configured time zone (hh:mm today, else MM-dd hh:mm). */
  time: string;
}

/** Statuses of a card that still needs someone; any other means done. */
const WAITING = new Set(['open', 'claimed', 'escalated', 'pending']);

/**
 * The card as the page shows it. A card stored by an older version of the bot may lack fields the
 * renderer now expects: it is shown as a placeholder (no buttons) until its next change re-posts it.
 */
export function cardView(row: LocalCardRow, opts: ViewOptions): LocalCardView {
  let texts: CardTexts;
  try {
    texts = cardTexts(row.card, opts, htmlFormat);
  } catch {
    texts = {
      title: escapeHtml(row.cardKey),
      severity: 'info',
      severityLabel: t(opts.locale, 'severity.info'),
      status: t(opts.locale, 'local.unrenderable'),
      overdue: false,
      fields: [],
      buttons: [],
    };
  }
  const card = row.card;
  const exception = card.kind === 'exception' ? card : undefined;
  return {
    id: row.id,
    channel: row.channel,
    key: row.cardKey,
    kind: card.kind,
    exceptionId: exception?.exceptionId ?? null,
    orderId: exception?.order?.externalId ?? null,
    version: card.version,
    status: card.status,
    done: !WAITING.has(card.status),
    type: exception?.type ?? null,
    rev: row.rev,
    updatedAt: new Date(row.updatedAt).toISOString(),
    texts,
    notes: (row.notes ?? []).map((n) => ({
      at: n.at,
      // The notice names the people itself (sla.mention); the bell marks it as a reminder.
      html: `🔔 ${noticeHtml(n.notice, opts.locale)}`,
    })),
  };
}

/** A notice in HTML (its variables are untrusted: each is escaped before the template fills in). */
export function noticeHtml(notice: Notice, locale: Locale): string {
  return t(locale, notice.key, escapeVars(notice.vars));
}

/** The same notice as plain text, for API clients. */
export function noticeText(notice: Notice, locale: Locale): string {
  return t(locale, notice.key, notice.vars ?? {});
}

export function messageView(row: LocalMessageRow, opts: ViewOptions): LocalMessageView {
  const at = new Date(row.createdAt).toISOString();
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    html: noticeHtml(row.notice, opts.locale),
    at,
    time: formatTime(at, opts.timezone, opts.locale, opts.now),
  };
}

function escapeVars(vars: Notice['vars']): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars ?? {})) out[k] = typeof v === 'string' ? escapeHtml(v) : v;
  return out;
}

/** Every label the page shows outside cards, in the configured locale (plain text). */
export const UI_KEYS = [
  'title', 'subtitle', 'act_as', 'channels', 'all_channels', 'messages', 'no_messages', 'no_cards',
  'search_placeholder', 'search', 'live', 'reconnecting', 'demo_staff', 'hide_resolved',
  'kind.private', 'kind.direct', 'kind.mention', 'role.agent', 'role.supervisor', 'role.manager', 'role.admin',
  'network_error', 'lookup_title', 'close', 'no_staff', 'more_cards',
  'command_placeholder', 'command', 'command_title',
] as const;

export function uiStrings(locale: Locale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of UI_KEYS) out[k] = t(locale, `local.${k}`);
  // The fix-address form and confirm buttons reuse the chat platforms' texts.
  for (const k of ['form.fix_address.title', 'form.fix_address.submit', 'form.fix_address.cancel', 'form.province', 'form.city', 'form.district', 'form.detail']) {
    out[k] = t(locale, k);
  }
  return out;
}
