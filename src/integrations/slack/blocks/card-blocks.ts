import type { types } from '@slack/bolt';
import { cardTexts, type CardButton, type CardTexts, type RenderOptions } from '../../../present/cards/card-texts';
import type { ExceptionCard } from '../../../domain/cards/exception-card';
import type { Card } from '../../../domain/ports';
import { clip, slackFormat } from '../mrkdwn';
import { encodeButtonValue, encodeDecisionValue } from './button-value';
import { SLACK_LIMITS as L, blockTextLength } from './limits';

export interface SlackMessage {
  /** Fallback for notifications: no mentions in it, so an update never pings anyone again. */
  text: string;
  blocks: types.KnownBlock[];
}

/** Message metadata that lets `findCard` recognise a card after a post whose outcome was unknown. */
export const CARD_EVENT_TYPE = 'orderops_card';

export function cardMetadata(card: Card): { event_type: string; event_payload: Record<string, string | number> } {
  const payload: Record<string, string | number> = { card_key: card.key };
  if (card.kind === 'exception') payload.exception_id = card.exceptionId;
  else payload.alert_id = card.alertId;
  // How many exceptions a digest covers at this version (read by bench:cards to time each member).
  if (card.kind === 'digest') payload.members = card.members;
  payload.version = card.version;
  return { event_type: CARD_EVENT_TYPE, event_payload: payload };
}

const SEVERITY_EMOJI: Record<ExceptionCard['severity'], string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** Free text the buyer or platform wrote can be long; everything else is short by nature. */
const LONG_FIELDS = new Set(['reason', 'items', 'remark', 'address', 'oldest', 'newest']);
const SHORT_FIELD_MAX = 500;

/** A card (exception, backlog) as Block Kit: header, status, a label/value table, context, buttons. */
export function cardMessage(card: Card, opts: RenderOptions): SlackMessage {
  return layoutCard(card, cardTexts(card, opts, slackFormat));
}

export function layoutCard(card: Card, texts: CardTexts): SlackMessage {
  const fields = fitFields(texts.fields);
  const ref = card.kind === 'exception' ? card.exceptionId : card.alertId;
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: plain(`${SEVERITY_EMOJI[texts.severity]} ${texts.title}`, L.header) },
    { type: 'section', block_id: 'status', text: { type: 'mrkdwn', text: clip(texts.status || '—', L.sectionText) } },
  ];
  // Labels are ours (mrkdwn, bold); values are the buyer's and the platform's, so plain_text:
  // Slack neither parses mentions and links nor applies *bold* or _italics_ in them.
  for (let i = 0; i < fields.length; i += L.fieldsPerSection / 2) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + L.fieldsPerSection / 2).flatMap((f) => [
        { type: 'mrkdwn' as const, text: clip(`*${f.label}*`, L.field) },
        plain(f.value, L.field, false),
      ]),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${texts.severityLabel} · #${ref} · v${card.version}` }] });
  if (card.kind === 'exception' && texts.buttons.length > 0) {
    blocks.push({
      type: 'actions',
      // A new block_id per version, as Slack recommends for messages that change.
      block_id: clip(`${card.key}:v${card.version}`, L.blockId, ''),
      elements: texts.buttons.slice(0, L.actionsElements).map((b) => button(b, card)),
    });
  }
  if (texts.decisionButtons && texts.decisionButtons.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: clip(`${card.key}:v${card.version}`, L.blockId, ''),
      elements: texts.decisionButtons.slice(0, L.actionsElements).map((b) => ({
        type: 'button' as const,
        action_id: b.action,
        text: plain(b.label, L.buttonText),
        value: encodeDecisionValue(b.value),
        ...(b.style !== 'default' ? { style: b.style } : {}),
      })),
    });
  }
  if (texts.links && texts.links.length > 0) {
    // Our own URLs (the CSV of a report); the label is escaped like any text.
    blocks.push({ type: 'context', elements: texts.links.slice(0, 5).map((l) => ({ type: 'mrkdwn' as const, text: clip(`<${l.url}|${slackFormat.escape(l.label)}>`, L.field) })) });
  }
  return { text: clip(`${texts.severityLabel}: ${texts.title}`, L.fallbackText), blocks: blocks.slice(0, L.blocksPerMessage) };
}

function button(b: CardButton, card: ExceptionCard): types.Button {
  return {
    type: 'button',
    action_id: b.action,
    text: plain(b.label, L.buttonText),
    value: encodeButtonValue({ exceptionId: card.exceptionId, version: card.version }),
    ...(b.style !== 'default' ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: plain(b.confirm.title, L.confirmTitle),
            text: plain(b.confirm.text, L.confirmText),
            confirm: plain(b.confirm.ok, L.confirmButton),
            deny: plain(b.confirm.cancel, L.confirmButton),
            style: 'danger' as const,
          },
        }
      : {}),
  };
}

function plain(text: string, max: number, emoji = true): types.PlainTextElement {
  return { type: 'plain_text', text: clip(text || '—', max), emoji };
}

/**
 * Clip each value to its field's budget, then, if the whole card would still be too long for
 * Slack, shorten the longest values until it fits.
 */
function fitFields(fields: CardTexts['fields']): CardTexts['fields'] {
  const out = fields.map((f) => ({ ...f, value: clip(f.value || '—', LONG_FIELDS.has(f.key) ? L.field : SHORT_FIELD_MAX) }));
  // Room for the header, status, labels, context and buttons (each clipped to its own limit).
  const budget = L.messageText - L.header - 1000 - out.reduce((n, f) => n + f.label.length + 2, 0);
  let total = blockTextLength(out.map((f) => ({ text: f.value })));
  while (total > budget) {
    const longest = out.reduce((a, b) => (b.value.length > a.value.length ? b : a));
    const target = Math.max(200, longest.value.length - (total - budget));
    const before = longest.value.length;
    longest.value = clip(longest.value, target);
    total -= before - longest.value.length;
    if (before === longest.value.length) break;
  }
  return out;
}
