import { digestDone } from '../../domain/cards/digest-card';
import { cardTexts, type CardButton, type CardTexts } from '../../present/cards/card-texts';
import type { ExceptionCard } from '../../domain/cards/exception-card';
import type { Card, Clock, Notice } from '../../domain/ports';
import type { Staff } from '../../domain/staff';
import type { ExceptionActionId } from '../../domain/exceptions/exception';
import type { AddressErrors, AddressField } from '../../domain/orders/address-fix';
import { t, type Locale } from '../../present/i18n';
import { renderReasons } from '../../present/i18n/message';
import { escapeFeishu, feishuFormat, mentionFeishu, unescapeFeishu } from './feishu-format';

/** What a button sends back (`action.value` of card.action.trigger): always an object. */
export interface FeishuActionValue {
  orderops: 'exception';
  action: ExceptionActionId;
  exception_id: number;
  version: number;
  /** Fix address only: open the form, submit it, or close it again. */
  step?: 'open' | 'submit' | 'close';
}

export type FeishuCardJson = Record<string, unknown> & { schema: '2.0' };

export interface FeishuCardOptions {
  locale: Locale;
  /** Show the Fix address form (after its button), with errors from the last submit. */
  form?: { errors?: AddressErrors; values?: Partial<Record<AddressField, string>> };
}

const HEADER: Record<ExceptionCard['severity'], string> = { info: 'blue', warning: 'orange', critical: 'red' };
const BUTTON_TYPE: Record<CardButton['style'], string> = { primary: 'primary_filled', danger: 'danger', default: 'default' };
export const ADDRESS_FIELDS: AddressField[] = ['province', 'city', 'district', 'detail'];
const FIELD_MAX: Record<AddressField, number> = { province: 32, city: 32, district: 32, detail: 200 };
export const FORM_NAME = 'orderops_fix_address';
export const FORM_SUBMIT_NAME = 'orderops_fix_address_submit';

const plain = (content: string) => ({ tag: 'plain_text', content });

/**
 * A card (exception or backlog) as Feishu card JSON 2.0, laid out from the shared CardTexts (every
 * string in them is already escaped for Feishu markdown). `update_multi` so it can be PATCHed later.
 */
export function renderFeishuCard(card: Card, texts: CardTexts, opts: FeishuCardOptions): FeishuCardJson {
  const tt = (key: string) => t(opts.locale, key);
  const sep = opts.locale === 'en' ? ': ' : '：';
  const ex = card.kind === 'exception' ? card : undefined;
  const value = (x: ExceptionCard, action: ExceptionActionId, step?: FeishuActionValue['step']): FeishuActionValue => ({
    orderops: 'exception', action, exception_id: x.exceptionId, version: x.version, ...(step ? { step } : {}),
  });
  const formOpen = ex !== undefined && opts.form !== undefined && ex.actions.includes('exception.fix_address');
  const done = card.kind === 'exception' ? card.status === 'resolved' : card.kind === 'digest' ? digestDone(card) : card.status === 'cleared';
  const colour = done ? 'green' : HEADER[texts.severity];

  const elements: Record<string, unknown>[] = [{ tag: 'markdown', content: texts.status }];
  if (texts.fields.length > 0) elements.push({ tag: 'markdown', content: texts.fields.map((f) => `**${f.label}**${sep}${f.value}`).join('\n') });
  if (ex && formOpen) elements.push(addressForm(opts, value(ex, 'exception.fix_address', 'submit')));

  const buttons: Record<string, unknown>[] = ex
    ? texts.buttons.map((b) => {
        const closing = formOpen && b.action === 'exception.fix_address';
        return {
          tag: 'column',
          width: 'auto',
          elements: [
            {
              tag: 'button',
              text: plain(closing ? tt('form.fix_address.cancel') : b.label),
              type: closing ? 'default' : BUTTON_TYPE[b.style],
              behaviors: [{ type: 'callback', value: value(ex, b.action, b.action === 'exception.fix_address' ? (closing ? 'close' : 'open') : undefined) }],
              ...(b.confirm ? { confirm: { title: plain(b.confirm.title), text: plain(b.confirm.text) } } : {}),
            },
          ],
        };
      })
    : [];
  // Price-change cards: Approve / Reject, decided by the shared price use case.
  for (const d of texts.decisionButtons ?? []) {
    buttons.push({
      tag: 'column',
      width: 'auto',
      elements: [
        {
          tag: 'button',
          text: plain(d.label),
          type: BUTTON_TYPE[d.style],
          behaviors: [{ type: 'callback', value: { orderops: d.action.startsWith('handoff.') ? 'handoff' : 'price', action: d.action, request_id: d.value.requestId, version: d.value.version } }],
        },
      ],
    });
  }
  if (buttons.length > 0) elements.push({ tag: 'column_set', flex_mode: 'flow', horizontal_spacing: '8px', columns: buttons });
  // Our own links (a report's CSV); the label is a template text, escaped like any other.
  if (texts.links && texts.links.length > 0) {
    elements.push({ tag: 'markdown', content: texts.links.map((l) => `[${escapeFeishu(l.label)}](${l.url})`).join('  ') });
  }

  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill' },
    header: {
      // plain_text is never parsed, so it gets the characters back rather than entities.
      title: plain(unescapeFeishu(texts.title)),
      template: colour,
      text_tag_list: [{ tag: 'text_tag', text: plain(texts.severityLabel), color: colour }],
    },
    body: { elements },
  };
}

function addressForm(opts: FeishuCardOptions, submit: FeishuActionValue): Record<string, unknown> {
  const tt = (key: string) => t(opts.locale, key);
  const errors = opts.form?.errors ?? {};
  const inner: Record<string, unknown>[] = [{ tag: 'markdown', content: `**${tt('form.fix_address.title')}**` }];
  for (const f of ADDRESS_FIELDS) {
    // The street detail is personal data: it is not echoed back into a card the whole group sees.
    const prefill = f === 'detail' ? undefined : opts.form?.values?.[f];
    inner.push({
      tag: 'input',
      name: f,
      required: f !== 'district',
      max_length: FIELD_MAX[f],
      width: 'fill',
      label: plain(tt(`form.${f}`)),
      placeholder: plain(tt(`form.${f}`)),
      ...(prefill ? { default_value: prefill.slice(0, FIELD_MAX[f]) } : {}),
    });
    const err = errors[f];
    if (err?.length) inner.push({ tag: 'markdown', content: `<font color='red'>${renderReasons(opts.locale, err, escapeFeishu)}</font>` });
  }
  inner.push({
    tag: 'button',
    name: FORM_SUBMIT_NAME,
    text: plain(tt('form.fix_address.submit')),
    type: 'primary_filled',
    form_action_type: 'submit',
    behaviors: [{ type: 'callback', value: submit }],
  });
  return { tag: 'form', name: FORM_NAME, elements: inner };
}

/** A one-off card with one markdown block (DMs, lookup replies); the text is already escaped. */
export function markdownCard(content: string): FeishuCardJson {
  return { schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'markdown', content }] } };
}

/** What every Feishu rendering needs: the configured locale, time zone and clock. */
export interface FeishuRenderOptions {
  locale: Locale;
  timezone: string;
  clock: Clock;
}

/** A card of any kind as Card JSON 2.0 from the shared texts (`form`: the open Fix address form). */
export function feishuCard(card: Card, o: FeishuRenderOptions, form?: FeishuCardOptions['form']): FeishuCardJson {
  return renderFeishuCard(card, cardTexts(card, { locale: o.locale, timezone: o.timezone, now: o.clock.now() }, feishuFormat), { locale: o.locale, form });
}

/** A notice as a one-block card; its text variables escaped for Feishu markdown. */
export function feishuNotice(notice: Notice, locale: Locale): FeishuCardJson {
  return markdownCard(t(locale, notice.key, escapeVars(notice.vars)));
}

/** A notice whose {{people}} becomes real mentions (a template without it gets them in front). */
export function feishuMention(people: Staff[], notice: Notice, locale: Locale): FeishuCardJson {
  const who = people.map(mentionFeishu).join(' ');
  const text = t(locale, notice.key, { ...escapeVars(notice.vars), people: who });
  return markdownCard(text.includes(who) ? text : `${who} ${text}`);
}

function escapeVars(vars: Notice['vars']): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(vars ?? {})) out[k] = typeof v === 'string' ? escapeFeishu(v) : v;
  return out;
}
