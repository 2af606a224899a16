import Handlebars from 'handlebars';
import { en } from './en';
import { zhCN } from './zh-CN';
import { CATALOGUES } from './catalogues';

export type Locale = 'zh-CN' | 'en';

const SOURCES: Record<Locale, Record<string, string>> = mergeCatalogues({ 'zh-CN': zhCN, en });

/** The core texts plus every feature catalogue; two areas defining one key is a programming error. */
function mergeCatalogues(core: Record<Locale, Record<string, string>>): Record<Locale, Record<string, string>> {
  const out: Record<Locale, Record<string, string>> = { 'zh-CN': { ...core['zh-CN'] }, en: { ...core.en } };
  for (const [area, cat] of Object.entries(CATALOGUES)) {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, text] of Object.entries(cat[locale])) {
        if (key in out[locale]) throw new Error(`i18n: key ${key} of catalogue ${area} is already defined`);
        out[locale][key] = text;
      }
    }
  }
  return out;
}
// An isolated instance, no HTML escaping: each platform escapes variables for its own markup
// before they reach a template.
const hb = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

export type Vars = Record<string, string | number | boolean | null | undefined>;

/** The text for `key` in `locale` (falling back to English, then to the key itself). */
export function t(locale: Locale, key: string, vars: Vars = {}): string {
  const id = `${locale}\u0000${key}`;
  let tpl = compiled.get(id);
  if (!tpl) {
    const src = SOURCES[locale][key] ?? SOURCES.en[key];
    if (src === undefined) return key;
    tpl = hb.compile(src, { noEscape: true, strict: false });
    compiled.set(id, tpl);
  }
  return tpl(vars);
}

/** A type label: known types are translated, custom keyword groups show their own name. */
export function typeLabel(locale: Locale, type: string): string {
  const key = `type.${type}`;
  return SOURCES[locale][key] ?? SOURCES.en[key] ?? type;
}

/** hh:mm (today) or MM-dd hh:mm in the configured time zone. */
export function formatTime(iso: string, timeZone: string, locale: Locale, now: Date = new Date()): string {
  const d = new Date(iso);
  const day = (x: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(x);
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  if (day(d) === day(now)) return time;
  const date = new Intl.DateTimeFormat('en-CA', { timeZone, month: '2-digit', day: '2-digit' }).format(d);
  return `${date} ${time}`;
}

/** Every key must exist in both languages: checked by a unit test. */
export const MESSAGE_KEYS = { 'zh-CN': Object.keys(SOURCES['zh-CN']), en: Object.keys(SOURCES.en) };
