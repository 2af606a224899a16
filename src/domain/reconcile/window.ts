/** [since, until], both ends inclusive as the platforms treat them. */
export interface TimeWindow {
  since: Date;
  until: Date;
}

/** Platforms index an update a little after it happens: scheduled windows stop this long before now. */
export const SETTLE_MS = 60_000;
/** A scheduled run reaches back at most this far for the unfinished part of an earlier run. */
export const MAX_CATCH_UP_MS = 3 * 24 * 3600_000;

/**
 * The window of a scheduled run: the sliding window ending a minute before now, reaching further
 * back to where an unfinished earlier run stopped (so a failed page is retried by the next run,
 * not lost), but never past MAX_CATCH_UP_MS — older gaps are left to `orderops reconcile`.
 */
export function scheduledWindow(now: Date, windowMinutes: number, resumeFrom: Date | null): TimeWindow {
  const until = new Date(now.getTime() - SETTLE_MS);
  let since = until.getTime() - windowMinutes * 60_000;
  if (resumeFrom && resumeFrom.getTime() < since && resumeFrom.getTime() >= until.getTime() - MAX_CATCH_UP_MS) since = resumeFrom.getTime();
  return { since: new Date(since), until };
}

export type WindowCheck = { ok: true; window: TimeWindow } | { ok: false; reason: string };

/** A requested window, checked: it must have a length; an end in the future is brought back to now. */
export function checkWindow(since: Date, until: Date, now: Date): WindowCheck {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) return { ok: false, reason: 'since and until must be valid times' };
  const end = until.getTime() > now.getTime() ? now : until;
  if (!(end.getTime() > since.getTime())) {
    return { ok: false, reason: `the window is empty: since (${since.toISOString()}) must be before until (${end.toISOString()})` };
  }
  return { ok: true, window: { since, until: end } };
}

/** How far through the window a page is (0–1), for progress bars. */
export function windowProgress(window: TimeWindow, reachedIso: string): number {
  const span = window.until.getTime() - window.since.getTime();
  if (span <= 0) return 1;
  return Math.min(1, Math.max(0, (new Date(reachedIso).getTime() - window.since.getTime()) / span));
}
