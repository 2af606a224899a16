/**
 * Buyer text that cannot disguise itself. Every front's escape (Slack mrkdwn, Feishu card markdown,
 * the local page's HTML) and the command line run buyer-supplied text through `neutralise` first,
 * so one place decides what a remark may do to the text around it:
 *
 * - Bidi controls (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C) are made
 *   visible as `[U+202E]`: "…‮00.995" can no longer show as "599.00…", and a person sees that the
 *   buyer tried.
 * - ANSI/VT escape sequences (CSI, OSC, and other ESC sequences, 7- and 8-bit) are removed: a remark
 *   cannot recolour, clear or retitle a terminal.
 * - C0 and C1 control characters and DEL are removed, except tab and line feed (CR LF → LF).
 * - Zero-width and invisible characters used for spoofing (U+200B, U+200C, U+2060–U+2064, U+FEFF,
 *   U+180E, U+00AD, tag characters U+E0000–U+E007F) are removed; a zero-width joiner stays only
 *   between two pictographs (emoji sequences such as 👩‍💻).
 * - Line and paragraph separators (U+2028, U+2029) become a line feed.
 *
 * @example neutralise('\u202e00.995') // → '[U+202E]00.995'
 */
export function neutralise(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text
    .replace(ANSI, '')
    .replace(/\r\n?/g, '\n')
    .replace(SEPARATORS, '\n')
    .replace(BIDI, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .replace(ZWJ_ALONE, '')
    .replace(INVISIBLE, '')
    .replace(CONTROLS, '');
}

/** Any character `neutralise` would change (a quick test so clean text is returned as is). */
const SUSPECT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\udb40[\udc00-\udc7f]/;

// ESC [ params final | ESC ] … BEL/ST | ESC P/X/^/_ … ST | ESC + one char; the 8-bit CSI (U+009B) and OSC (U+009D).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[\s\S]?/g;
const SEPARATORS = /[\u2028\u2029]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const ZWJ_ALONE = /(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/gu;
const INVISIBLE = /[\u00ad\u180e\u200b\u200c\u2060-\u2064\ufeff]|\udb40[\udc00-\udc7f]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
