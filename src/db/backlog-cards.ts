import { backlogCardKey, type BacklogCard } from '../domain/cards/backlog-card';
import type { Queryable } from './pool';

/** A backlog alert as its card shows it, with the team whose channel gets it. */
export async function loadBacklogCard(db: Queryable, alertId: number): Promise<{ card: BacklogCard; team: string } | null> {
  const { rows } = await db.query<{
    id: number; stage: string; shop: string; team: string; status: 'open' | 'cleared'; idle_count: number; peak_count: number;
    threshold_minutes: number; oldest_at: Date | null; opened_at: Date; cleared_at: Date | null; version: number;
    oldest: { source: string; externalId: string; since: string }[];
  }>('SELECT * FROM backlog_alerts WHERE id = $1', [alertId]);
  const a = rows[0];
  if (!a) return null;
  return {
    team: a.team,
    card: {
      kind: 'backlog', key: backlogCardKey(a.id), alertId: a.id, version: a.version, stage: a.stage, shop: a.shop, team: a.team,
      status: a.status, count: a.idle_count, peak: a.peak_count, thresholdMinutes: a.threshold_minutes,
      oldestAt: a.oldest_at?.toISOString() ?? null, openedAt: a.opened_at.toISOString(), clearedAt: a.cleared_at?.toISOString() ?? null,
      oldest: a.oldest,
    },
  };
}
