/**
 * Text helpers for the rule engine: normalisation, keyword matching with exclusions, and house-number
 * detection in Chinese/English address details. Pure functions, no I/O.
 */
import type { KeywordGroup } from './rules-types';

/** NFKC folds full-width digits/letters/punctuation (９０号 → 90号, ，→ ,) so rules see one form. */
export function normalizeText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const phrases = new Map<string, string>();

/** normalizeText of the rule set's own words (keywords, landmarks): the same few strings for every order, so remembered. */
export function normalizePhrase(s: string): string {
  let n = phrases.get(s);
  if (n === undefined) {
    n = normalizeText(s);
    if (phrases.size < 10_000) phrases.set(s, n);
  }
  return n;
}

/** Start offsets of every occurrence of `needle` in `hay` (overlapping ones included). */
function occurrences(hay: string, needle: string): number[] {
  const out: number[] = [];
  if (needle === '') return out;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) out.push(i);
  return out;
}

/**
 * The keyword of `group` found in `text`, or null. An occurrence that lies inside an occurrence of an
 * exclude phrase does not count ("不急，慢慢发" has no 急), but another occurrence elsewhere still does.
 * When several keywords match, the earliest in the text wins, then the longest (加急 over 急), so the
 * reason quotes what the buyer actually wrote.
 */
export function matchKeywords(text: string | undefined | null, group: KeywordGroup): string | null {
  if (!text) return null;
  const hay = normalizeText(text);
  if (hay === '') return null;
  const excluded: Array<[number, number]> = [];
  for (const phrase of group.exclude) {
    const p = normalizePhrase(phrase);
    for (const at of occurrences(hay, p)) excluded.push([at, at + p.length]);
  }
  let best: { keyword: string; at: number; len: number } | null = null;
  for (const keyword of group.keywords) {
    const k = normalizePhrase(keyword);
    for (const at of occurrences(hay, k)) {
      const end = at + k.length;
      if (excluded.some(([s, e]) => s <= at && end <= e)) continue;
      if (!best || at < best.at || (at === best.at && k.length > best.len)) best = { keyword, at, len: k.length };
      break; // later occurrences of the same keyword cannot be earlier
    }
  }
  return best ? best.keyword : null;
}

const ZH_NUM = '〇零一二三四五六七八九十百千两';
// Units after a number that make a deliverable address: 90号, 3幢, 501室, 2单元, 12弄, 三楼 …
// `号(?!线)` keeps "3号线地铁站" (a metro line) from counting as a house number.
const UNIT = '(?:号楼|号院|号(?!线)|栋|幢|座|楼|层|室|单元|户|弄|巷|排|组)';
const HOUSE_PATTERNS: RegExp[] = [
  new RegExp(`[0-9]+[a-z]?\\s*${UNIT}`),
  new RegExp(`[${ZH_NUM}]+\\s*${UNIT}`),
  // 3-501, 3-2-501 (building-unit-room shorthand)
  /[0-9]+\s*[-–—]\s*[0-9]+/,
  // English forms; \b is ASCII-only in JS, so these also work right after Chinese text.
  /\b(?:no|rm|apt|bldg|ste)\.?\s*[0-9]+/,
  /\b(?:room|unit|building|suite|flat|floor|block|tower|house)\s*[0-9]+/,
  /#\s*[0-9]+/,
  // "123 Main St" — a leading street number before a word.
  /(?:^|[\s,])[0-9]+[a-z]?\s+[a-z]{2,}/,
];

/** True when the address detail carries a house/building/room number in any common form. */
export function hasHouseNumber(detail: string | undefined | null): boolean {
  if (!detail) return false;
  const d = normalizeText(detail);
  return HOUSE_PATTERNS.some((re) => re.test(d));
}
