import type { MessageParam, MessageRef } from '../../domain/message';
import { t, type Locale, type Vars } from './index';

const same = (s: string): string => s;

/**
 * A domain message in `locale`. Text parameters go through `escape` (each front's escaper: Slack
 * mrkdwn, Feishu markdown, HTML) before they fill the template; nested messages are rendered the
 * same way and lists are joined by the locale's `list.separator`.
 * @example renderMessage('en', { key: 'reason.remark.buyer', params: { keyword: '急' } }) // 'buyer remark contains "急"'
 */
export function renderMessage(locale: Locale, ref: MessageRef, escape: (s: string) => string = same): string {
  const vars: Vars = {};
  for (const [k, v] of Object.entries(ref.params ?? {})) vars[k] = param(locale, v, escape);
  return t(locale, ref.key, vars);
}

function param(locale: Locale, v: MessageParam, escape: (s: string) => string): string | number | boolean {
  if (typeof v === 'string') return escape(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((r) => renderMessage(locale, r, escape)).join(t(locale, 'list.separator'));
  return renderMessage(locale, v, escape);
}

/** An exception's reasons, one sentence each, joined by the locale's `reason.separator`. */
export function renderReasons(locale: Locale, reasons: readonly MessageRef[], escape: (s: string) => string = same): string {
  return reasons.map((r) => renderMessage(locale, r, escape)).join(t(locale, 'reason.separator'));
}

/** Each field's reasons as one text (the Fix address form on every front). */
export function renderFieldErrors<F extends string>(locale: Locale, errors: Partial<Record<F, readonly MessageRef[]>>, escape: (s: string) => string = same): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const [f, refs] of Object.entries(errors) as [F, readonly MessageRef[] | undefined][]) {
    if (refs && refs.length > 0) out[f] = renderReasons(locale, refs, escape);
  }
  return out;
}
