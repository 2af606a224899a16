/**
 * Something the domain wants a person to read, as a message key and its parameters — never prose.
 * The presentation layer (src/present/i18n) renders it per locale; parameters that carry buyer text
 * are escaped by each front before the template is filled.
 *
 * A parameter may itself be a message (or a list of them, joined by the locale's list separator),
 * for reasons that name several things: "address lacks province, street address".
 *
 * @example
 *   const reason: MessageRef = { key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } };
 *   renderMessage('en', reason) // → 'address names only a landmark "小区门口", no house number'
 */
export interface MessageRef {
  key: string;
  params?: Record<string, MessageParam>;
}

export type MessageParam = string | number | boolean | MessageRef | MessageRef[];

/** Shorthand for building a MessageRef. @example msg('reason.payment.failed') */
export function msg(key: string, params?: Record<string, MessageParam>): MessageRef {
  return params ? { key, params } : { key };
}

/**
 * The key a stored free text is shown under: exception reasons written before reasons were keys
 * (the `reason` column of old rows) render as themselves in every locale.
 */
export const TEXT_KEY = 'reason.text';

/** A stored text as a message (see TEXT_KEY). */
export const textMessage = (text: string): MessageRef => ({ key: TEXT_KEY, params: { text } });

/**
 * The same message with every text parameter cut to `max` characters (nested messages too), so a
 * card built from buyer text keeps within a platform's limits whatever the locale adds around it.
 */
export function clipMessage(ref: MessageRef, max: number): MessageRef {
  if (!ref.params) return ref;
  const params: Record<string, MessageParam> = {};
  for (const [k, v] of Object.entries(ref.params)) params[k] = clipParam(v, max);
  return { key: ref.key, params };
}

function clipParam(v: MessageParam, max: number): MessageParam {
  if (typeof v === 'string') {
    const chars = [...v];
    return chars.length <= max ? v : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
  }
  if (Array.isArray(v)) return v.slice(0, 20).map((r) => clipMessage(r, max));
  if (typeof v === 'object') return clipMessage(v, max);
  return v;
}

/** Every text parameter of a message, nested ones included (what the buyer, the platform or config supplied). */
export function messageTexts(ref: MessageRef): string[] {
  const out: string[] = [];
  const walk = (v: MessageParam): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((r) => walk(r));
    else if (typeof v === 'object') Object.values(v.params ?? {}).forEach(walk);
  };
  Object.values(ref.params ?? {}).forEach(walk);
  return out;
}
