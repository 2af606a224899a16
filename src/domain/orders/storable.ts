/**
 * What Postgres can store, decided before anything reaches it. Pure functions, no I/O.
 *
 * - Text: Postgres text and jsonb cannot hold U+0000, and jsonb refuses a lone UTF-16 surrogate
 *   (`\ud800` without its pair). Buyers paste such text; a paid order is never refused for it, so the
 *   text is made storable (NUL removed, a lone surrogate → U+FFFD) and the request bytes are kept.
 * - Nesting: a payload nested thousands of levels deep overflows every recursive walker (ours,
 *   JSON.stringify, Postgres's jsonb parser): refused beyond MAX_JSON_DEPTH, with the path.
 * - Instants: timestamptz cannot hold year 0000, and an order from before 1970 or after 9999 is not
 *   an order: refused with the field.
 */

/** Deepest nesting of objects/arrays a payload may have (platform payloads use fewer than 10). */
export const MAX_JSON_DEPTH = 32;

/** The earliest and latest instant an order's times may name (ms since the epoch). */
export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// A high surrogate not followed by a low one, or a low one not preceded by a high one (code units:
// no `u` flag on purpose).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** True when `s` holds a NUL or a lone surrogate. */
export function textNeedsRepair(s: string): boolean {
  return s.includes('\u0000') || LONE_SURROGATE.test(s);
}

/** `s` with NUL removed and each lone surrogate replaced by U+FFFD; other text unchanged. */
export function storableText(s: string): string {
  return textNeedsRepair(s) ? s.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\ufffd') : s;
}

/** A JSON path for messages: `items.0.name`, `(order)` for the root. */
export function jsonPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(order)' : path.map(String).join('.');
}

/**
 * The path of the first object/array nested deeper than `maxDepth`, or null. The walk never goes
 * below `maxDepth`, so a value nested a million levels deep is measured without exhausting the
 * stack; the path is only built for a value that is too deep (this runs for every request).
 *
 * @example tooDeep({ a: { b: {} } }, 2) // → 'a.b'
 */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const path: (string | number)[] = [];
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (depth >= maxDepth) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (walk(v[i], depth + 1)) {
          path.push(i);
          return true;
        }
      }
      return false;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (walk(o[k], depth + 1)) {
        path.push(k);
        return true;
      }
    }
    return false;
  };
  return walk(value, 0) ? shortPath(path.reverse()) : null;
}

function shortPath(path: (string | number)[]): string {
  if (path.length <= 8) return jsonPath(path);
  return `${jsonPath(path.slice(0, 4))}.…(${path.length - 6} more).${jsonPath(path.slice(-2))}`;
}

/**
 * A copy of `value` whose every string and key is storable, and the paths that changed. The same
 * object comes back when nothing needed repair. `value` must already be within MAX_JSON_DEPTH.
 *
 * @example makeStorable({ remark: 'a\u0000b' }) // → { value: { remark: 'ab' }, repaired: ['remark'] }
 */
export function makeStorable<T>(value: T): { value: T; repaired: string[] } {
  const repaired: string[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!textNeedsRepair(v)) return v;
      repaired.push(jsonPath(path));
      return storableText(v);
    }
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((c, i) => walk(c, [...path, i]));
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) {
      const key = storableText(k);
      if (key !== k) repaired.push(`${jsonPath([...path, key])} (key)`);
      out[key] = walk(c, [...path, key]);
    }
    return out;
  };
  const out = walk(value, []) as T;
  return repaired.length === 0 ? { value, repaired } : { value: out, repaired };
}

export type InstantProblem = 'unparseable' | 'out_of_range';

// The shape every source writes (2026-01-08T20:01:02+08:00), in a year no offset can push out of
// range: accepted without parsing — this runs for every order of a storm. Anything else is parsed;
// a string of this shape that is still not a time (2026-02-30…) is refused by Postgres and isolated.
const PLAIN = /^(\d{4})-\d\d-\d\dT/;

/** Why an ISO 8601 instant cannot be an order's time, or null when it can. */
export function instantProblem(iso: string): InstantProblem | null {
  const plain = PLAIN.exec(iso);
  if (plain && plain[1]! > '1970' && plain[1]! < '9999') return null;
  // Year 0000 and 5+-digit years are out of range however Date.parse reads them.
  const year = /^([+-]?\d+)-/.exec(iso.trim())?.[1];
  if (year !== undefined && (year.length !== 4 || year === '0000')) return 'out_of_range';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 'unparseable';
  return ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS ? 'out_of_range' : null;
}

/**
 * Every instant field of an order (createdAt, updatedAt and any other top-level `…At` string) that
 * cannot be stored, with why.
 */
export function orderInstantProblems(order: object): { field: string; problem: InstantProblem }[] {
  let out: { field: string; problem: InstantProblem }[] | undefined;
  const o = order as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v !== 'string' || !k.endsWith('At')) continue;
    const problem = instantProblem(v);
    if (problem) (out ??= []).push({ field: k, problem });
  }
  return out ?? NONE;
}
const NONE: { field: string; problem: InstantProblem }[] = [];
