import { neutralise } from '../../present/neutralise';
import type { PlatformFormat } from '../../present/cards/card-texts';
import type { StaffRef } from '../../domain/cards/exception-card';

/**
 * Characters that Feishu card markdown (JSON 2.0) reads as markup, written as the numeric entities
 * Feishu documents. `&` goes first so no entity in the input can decode back into a tag: a remark
 * of `<at id=all></at>` or `&#60;at id=all&#62;` stays text and pings nobody; `[x](url)` is no
 * link; `*`, `_`, `~`, backticks and `#` style nothing.
 */
const ENTITIES: Record<string, string> = {
  '&': '&#38;',
  '<': '&#60;',
  '>': '&#62;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '#': '&#35;',
  '|': '&#124;',
  $: '&#36;',
  '\\': '&#92;',
};
const SPECIAL = /[&<>[\]()*_~`#|$\\]/g;

/** Make untrusted text inert in Feishu card markdown: no mentions, tags, links or styling. */
export function escapeFeishu(text: string): string {
  return (
    neutralise(text)
      // One line per value: a buyer's line break cannot start a list, quote or heading.
      .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
      .replace(SPECIAL, (c) => ENTITIES[c]!)
      // A bare URL would be auto-linked: a zero-width space after the scheme keeps it text.
      .replace(/([a-z][a-z0-9+.-]{1,15}):(?=\/\/)/gi, '$1\u200b:')
      .replace(/\bwww\./gi, 'www\u200b.')
  );
}

const DECODE: Record<string, string> = Object.fromEntries(Object.entries(ENTITIES).map(([c, e]) => [e, c]));

/** Back to the characters, for `plain_text` fields (which Feishu never parses). */
export function unescapeFeishu(text: string): string {
  return text.replace(/&#\d+;/g, (e) => DECODE[e] ?? e);
}

const OPEN_ID = /^ou_[A-Za-z0-9_-]{1,64}$/;

/** `<at id=ou_…></at>` for staff with a valid open_id, else their escaped name. */
export function mentionFeishu(staff: StaffRef): string {
  return staff.feishuOpenId && OPEN_ID.test(staff.feishuOpenId) ? `<at id=${staff.feishuOpenId}></at>` : escapeFeishu(staff.name);
}

export const feishuFormat: PlatformFormat = { escape: escapeFeishu, mention: mentionFeishu };
