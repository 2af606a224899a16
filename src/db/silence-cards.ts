import { silenceCardKey, type SilenceCard } from '../domain/cards/silence-card';
import type { Queryable } from './pool';

export async function loadSilenceCard(db: Queryable, alertId: number): Promise<{ card: SilenceCard; team: string } | null> {
  const { rows } = await db.query<{
    id: number; shop_id: string; source: string; team: string; status: 'open' | 'cleared'; minutes: number;
    last_order_at: Date | null; version: number; opened_at: Date; cleared_at: Date | null;
  }>('SELECT * FROM silence_alerts WHERE id = $1', [alertId]);
  const a = rows[0];
  if (!a) return null;
  return {
    team: a.team,
    card: {
      kind: 'silence', key: silenceCardKey(a.id), alertId: a.id, version: a.version, shopId: a.shop_id, source: a.source,
      status: a.status, minutes: a.minutes, lastOrderAt: a.last_order_at?.toISOString() ?? null,
      openedAt: a.opened_at.toISOString(), clearedAt: a.cleared_at?.toISOString() ?? null,
    },
  };
}
