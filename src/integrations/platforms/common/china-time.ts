/**
 * Platform times → ISO 8601 with an offset. Chinese platforms send Unix seconds or
 * "yyyy-MM-dd HH:mm:ss" in GMT+8 (no DST); both become "…+08:00" so the wall-clock stays readable.
 */
const GMT8_MS = 8 * 3600_000;

/** Unix seconds (number or digit string) → "2023-11-15T06:13:20+08:00"; 0/empty → undefined. */
export function unixToIso(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n * 1000 + GMT8_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** "2024-06-01 12:00:00" (GMT+8, optional .SSS) → "2024-06-01T12:00:00+08:00"; else undefined. */
export function gmt8ToIso(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d{1,3})?$/.exec(v.trim());
  if (!m || m[1] === '1970-01-01') return undefined;
  return Number.isNaN(Date.parse(`${m[1]}T${m[2]}+08:00`)) ? undefined : `${m[1]}T${m[2]}+08:00`;
}

/** An ISO 8601 string with an offset, as given; undefined when absent or unparseable. */
export function isoOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
}

/** Date → "yyyy-MM-dd HH:mm:ss" in GMT+8 (Taobao, PDD, JD request parameters). */
export function formatGmt8(d: Date, withMillis = false): string {
  const iso = new Date(d.getTime() + GMT8_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMillis ? 23 : 19)}`;
}

export const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

export interface TimeWindow {
  since: Date;
  until: Date;
}

/**
 * Cut [since, until] into consecutive windows no longer than `maxMs` (a platform's span limit).
 * Neighbours share their edge instant: platforms treat both ends as inclusive, and an order seen
 * twice is deduplicated by the upsert, whereas a gap would lose it. With `aligned`, cuts fall on
 * GMT+8 multiples of maxMs (whole days for Taobao), so no window straddles a calendar day.
 */
export function splitWindow(w: TimeWindow, maxMs: number, aligned = false): TimeWindow[] {
  const out: TimeWindow[] = [];
  let start = w.since.getTime();
  const end = w.until.getTime();
  if (!(end > start)) return [];
  while (start < end) {
    const next = aligned ? (Math.floor((start + GMT8_MS) / maxMs) + 1) * maxMs - GMT8_MS : start + maxMs;
    const stop = Math.min(next, end);
    out.push({ since: new Date(start), until: new Date(stop) });
    start = stop;
  }
  return out;
}

export const windowIso = (w: TimeWindow): { since: string; until: string } => ({
  since: w.since.toISOString(),
  until: w.until.toISOString(),
});

/** The earliest of several ISO times (the tightest promise when sub-orders each have one). */
export function earliestIso(times: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const t of times) if (t && (best === undefined || Date.parse(t) < Date.parse(best))) best = t;
  return best;
}

/** An ISO time plus whole days, kept in GMT+8 wall-clock form. */
export function addDaysIso(iso: string, days: number): string | undefined {
  const ms = Date.parse(iso) + days * 86_400_000;
  return Number.isFinite(ms) ? new Date(ms + GMT8_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00') : undefined;
}
