import { lastWindowOpen, withinWindow, type TimeWindow } from '../sla/policy';

/** A shop with no orders for too long during its active hours: its push may be broken silently. */
export interface SilenceCard {
  kind: 'silence';
  key: string;
  alertId: number;
  version: number;
  shopId: string;
  source: string;
  status: 'open' | 'cleared';
  minutes: number;
  lastOrderAt: string | null;
  openedAt: string;
  clearedAt: string | null;
}

export const silenceCardKey = (alertId: number): string => `silence:${alertId}`;

export type SilenceDecision = 'open' | 'clear' | 'none';

/**
 * Whether a shop's alert opens, clears or stays as it is. Silent = no order for `minutes`, judged
 * only inside the active hours (a shop that sleeps at night is not silent at night). An open alert
 * clears as soon as an order arrives after it opened.
 */
export function decideSilence(p: {
  now: Date;
  lastOrderAt: Date | null;
  minutes: number;
  activeHours: TimeWindow | null;
  timezone: string;
  open: { openedAt: Date } | null;
}): SilenceDecision {
  if (p.open) return p.lastOrderAt && p.lastOrderAt.getTime() > p.open.openedAt.getTime() ? 'clear' : 'none';
  if (!withinWindow(p.activeHours, p.timezone, p.now)) return 'none';
  // With active hours the quiet time counts from the window's latest opening, not from last night.
  const quietSince = Math.max(p.lastOrderAt?.getTime() ?? -Infinity, lastWindowOpen(p.activeHours, p.timezone, p.now));
  return p.now.getTime() - quietSince > p.minutes * 60_000 ? 'open' : 'none';
}

