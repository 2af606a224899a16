import type { StaffRef } from '../domain/cards/exception-card';
import { consistencyCardKey, type ConsistencyCard, type DeviationLine } from '../domain/inventory/cards';
import { consistencyRate, meetsGoal } from '../domain/inventory/consistency';
import type { Card } from '../domain/ports';
import { loadReport, previousReport } from './inventory-report';
import { loadLowStockCard } from './inventory-alerts';
import { loadPriceCard } from './inventory-prices';
import type { Queryable } from './pool';

/**
 * The inventory cards by key kind (lowstock:<alertId>, consistency:<reportId>, price:<requestId>),
 * with the team whose channel shows them; null for another kind or a missing row.
 */
export async function loadInventoryCard(db: Queryable, kind: string, id: number): Promise<{ card: Card; team: string } | null> {
  switch (kind) {
    case 'lowstock':
      return loadLowStockCard(db, id);
    case 'consistency':
      return loadConsistencyCard(db, id);
    case 'price':
      return loadPriceCard(db, id);
    default:
      return null;
  }
}

/**
 * Inventory cards missing, uncertain or behind on a platform (a card job lost while Redis was
 * away): re-enqueued by the inventory sweep. Cleared low-stock alerts that never got a card stay
 * unannounced, like resolved exceptions.
 */
export async function staleInventoryCards(db: Queryable, platform: string, graceSeconds: number, limit: number): Promise<{ key: string; version: number }[]> {
  const { rows } = await db.query<{ key: string; version: number }>(
    `WITH cards AS (
       SELECT 'lowstock:' || id AS key, version, updated_at AS at, status = 'open' AS live FROM low_stock_alerts WHERE opened_at > now() - interval '7 days'
       UNION ALL
       SELECT 'consistency:' || id, version, generated_at, true FROM consistency_reports WHERE trigger = 'schedule' AND generated_at > now() - interval '2 days'
       UNION ALL
       SELECT 'price:' || id, version, updated_at, true FROM price_changes WHERE created_at > now() - interval '7 days'
     )
     SELECT c.key, c.version FROM cards c LEFT JOIN chat_messages m ON m.card_key = c.key AND m.platform = $1
     WHERE c.at < now() - make_interval(secs => $2)
       AND ((m.id IS NULL AND c.live) OR m.state = 'posting' OR (m.state = 'posted' AND m.rendered_version < c.version))
     ORDER BY c.at LIMIT $3`,
    [platform, graceSeconds, limit],
  );
  return rows;
}

export async function loadConsistencyCard(db: Queryable, reportId: number): Promise<{ card: ConsistencyCard; team: string } | null> {
  const r = await loadReport(db, reportId);
  if (!r) return null;
  const prev = await previousReport(db, r.reportDate);
  const owners = [...new Set(r.worst.map((w) => w.owner).filter((o): o is string => !!o))];
  const refs = new Map<string, StaffRef>();
  if (owners.length > 0) {
    const { rows } = await db.query<StaffRef>(
      `SELECT id, name, slack_user_id AS "slackUserId", feishu_open_id AS "feishuOpenId" FROM staff WHERE active AND id = ANY($1::text[])`,
      [owners],
    );
    for (const s of rows) refs.set(s.id, s);
  }
  const worst: DeviationLine[] = r.worst.map(({ owner, score: _s, seenAt: _t, ...w }) => ({
    ...w, owner: owner ? refs.get(owner) ?? null : null, ownerId: owner && !refs.has(owner) ? owner : null,
  }));
  const deviating = r.checked - r.consistent;
  return {
    team: r.team,
    card: {
      kind: 'consistency', key: consistencyCardKey(r.id), alertId: r.id, reportId: r.id, version: r.version, status: 'open',
      date: r.reportDate, generatedAt: r.generatedAt, checked: r.checked, consistent: r.consistent,
      rate: consistencyRate(r.consistent, r.checked), goal: r.goal, meetsGoal: meetsGoal(r.consistent, r.checked, r.goal),
      unknownSkus: r.unknownSkus,
      previous: prev ? { date: prev.reportDate, rate: consistencyRate(prev.consistent, prev.checked) } : null,
      byPlatform: r.byPlatform, worst, moreCount: Math.max(deviating - worst.length, 0), csvUrl: r.csvUrl,
    },
  };
}
