import type { types } from '@slack/bolt';
import { t, type Locale } from '../../../present/i18n';
import { renderFieldErrors } from '../../../present/i18n/message';
import type { AddressErrors, AddressField } from '../../../domain/orders/address-fix';
import { clip } from '../mrkdwn';
import type { ButtonRef } from './button-value';
import { SLACK_LIMITS as L } from './limits';

export const FIX_ADDRESS_CALLBACK = 'exception.fix_address';
/** Input blocks are keyed by field name: `response_action: errors` is keyed by block_id. */
export const ADDRESS_FIELDS: readonly AddressField[] = ['province', 'city', 'district', 'detail'];
const VALUE_ACTION = 'value';
const MAX_LENGTH: Record<AddressField, number> = { province: 32, city: 32, district: 32, detail: 200 };

/** What the modal carries from the click to the submission. */
export interface AddressModalMeta extends ButtonRef {
  /** The channel of the card, for the confirmation afterwards. */
  channel?: string;
}

/**
 * The Fix address form. Built from the click alone (no database read), so it can be opened
 * within the trigger_id's 3 seconds; `context` is the card's own header, to say which order.
 */
export function fixAddressModal(locale: Locale, meta: AddressModalMeta, context?: string): types.ModalView {
  const tt = (key: string) => t(locale, key);
  const blocks: types.KnownBlock[] = [];
  if (context) blocks.push({ type: 'context', elements: [{ type: 'plain_text', text: clip(context, L.header), emoji: true }] });
  for (const f of ADDRESS_FIELDS) {
    blocks.push({
      type: 'input',
      block_id: f,
      optional: f === 'district',
      label: { type: 'plain_text', text: clip(tt(`form.${f}`), L.inputLabel) },
      element: { type: 'plain_text_input', action_id: VALUE_ACTION, max_length: MAX_LENGTH[f] },
    });
  }
  return {
    type: 'modal',
    callback_id: FIX_ADDRESS_CALLBACK,
    private_metadata: JSON.stringify({ e: meta.exceptionId, v: meta.version, c: meta.channel }),
    title: { type: 'plain_text', text: clip(tt('form.fix_address.title'), L.modalTitle) },
    submit: { type: 'plain_text', text: clip(tt('form.fix_address.submit'), L.modalButton) },
    close: { type: 'plain_text', text: clip(tt('form.fix_address.cancel'), L.modalButton) },
    blocks,
  };
}

/** A modal that only says something (the form's answer when the fix could not be applied). */
export function noticeModal(locale: Locale, text: string): types.ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: clip(t(locale, 'form.fix_address.title'), L.modalTitle) },
    close: { type: 'plain_text', text: clip(t(locale, 'slack.modal.close'), L.modalButton) },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, L.sectionText) } }],
  };
}

export function parseAddressMeta(privateMetadata: string | undefined): AddressModalMeta | undefined {
  try {
    const m = JSON.parse(privateMetadata ?? '') as { e?: unknown; v?: unknown; c?: unknown };
    if (!Number.isSafeInteger(m.e) || !Number.isSafeInteger(m.v)) return undefined;
    return { exceptionId: m.e as number, version: m.v as number, channel: typeof m.c === 'string' ? m.c : undefined };
  } catch {
    return undefined;
  }
}

/** The typed address from `view.state.values` (missing inputs are empty strings). */
export function readAddress(values: Record<string, Record<string, { value?: string | null }>> | undefined): Partial<Record<AddressField, string>> {
  const out: Partial<Record<AddressField, string>> = {};
  for (const f of ADDRESS_FIELDS) out[f] = values?.[f]?.[VALUE_ACTION]?.value ?? '';
  return out;
}

/** Field errors for `response_action: errors`, keyed by input block_id. */
export function addressErrors(errors: AddressErrors, locale: Locale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, text] of Object.entries(renderFieldErrors(locale, errors))) if (text) out[f] = clip(text, 300);
  return out;
}
