/** A stage backed up with idle orders: one card per stage (and shop), updated in place, closed when cleared. */
export interface BacklogCard {
  kind: 'backlog';
  key: string;
  alertId: number;
  version: number;
  stage: string;
  shop: string;
  team: string;
  status: 'open' | 'cleared';
  count: number;
  peak: number;
  thresholdMinutes: number;
  oldestAt: string | null;
  openedAt: string;
  clearedAt: string | null;
  /** The most urgent idle orders (a few: least time to ship-by first), as the platform knows them. */
  oldest: { source: string; externalId: string; since: string; shipBy?: string | null }[];
}

export const backlogCardKey = (alertId: number): string => `backlog:${alertId}`;

/** One stage's measured backlog at a check. */
export interface BacklogReading {
  stage: string;
  shop: string;
  count: number;
  oldestAt: Date;
  oldest: { source: string; externalId: string; since: string; shipBy?: string | null }[];
}

export interface OpenAlert {
  id: number;
  stage: string;
  shop: string;
  count: number;
  oldestAt: Date | null;
}

export type BacklogChange =
  | { kind: 'open'; reading: BacklogReading }
  | { kind: 'update'; alertId: number; reading: BacklogReading }
  | { kind: 'clear'; alertId: number };

/**
 * Compare this check's readings with the open alerts: a new backed-up stage opens an alert, a
 * changed one updates it (count or oldest order moved), a drained one clears it. Unchanged → nothing,
 * so a quiet minute makes no API call.
 */
export function diffBacklog(readings: BacklogReading[], open: OpenAlert[]): BacklogChange[] {
  const key = (s: { stage: string; shop: string }) => `${s.stage}\u0000${s.shop}`;
  const byKey = new Map(open.map((a) => [key(a), a]));
  const changes: BacklogChange[] = [];
  const seen = new Set<string>();
  for (const r of readings) {
    if (r.count <= 0) continue;
    seen.add(key(r));
    const a = byKey.get(key(r));
    if (!a) changes.push({ kind: 'open', reading: r });
    else if (a.count !== r.count || a.oldestAt?.getTime() !== r.oldestAt.getTime()) changes.push({ kind: 'update', alertId: a.id, reading: r });
  }
  for (const a of open) if (!seen.has(key(a))) changes.push({ kind: 'clear', alertId: a.id });
  return changes;
}
