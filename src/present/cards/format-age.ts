import type { Locale } from '../i18n';

/** A duration as people say it: 45 分钟 / 2 小时 5 分钟 (zh-CN) or 45 min / 2 h 5 min (en). */
export function formatAge(ms: number, locale: Locale): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (locale === 'zh-CN') return h > 0 ? `${h} 小时 ${m} 分钟` : `${m} 分钟`;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
