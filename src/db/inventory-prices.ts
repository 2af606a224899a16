import type { StaffRef } from '../domain/cards/exception-card';
import { priceCardKey, type PriceCard, type PricePushLine } from '../domain/inventory/cards';
import { priceActions, type PriceStatus } from '../domain/inventory/price-change';
import type { Queryable } from './pool';

export interface PriceChangeRow {
  id: number;
  sku: string;
  oldPrice: string | null;
  newPrice: string;
  status: PriceStatus;
  team: string;
  reason: string | null;
  publishAt: Date | null;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  publishedAt: Date | null;
  version: number;
  /** Someone confirmed that its pushes may go out in the night guard's hours. */
  nightConfirmed: boolean;
  /** Pushed to this one listing only (a report deviation's 推送主数据), else to every listing. */
  scope: { platform: string; shop: string } | null;
}

const COLUMNS = `id, sku, old_price AS "oldPrice", new_price AS "newPrice", status, team, reason, publish_at AS "publishAt",
  requested_by AS "requestedBy", decided_by AS "decidedBy", decided_at AS "decidedAt", published_at AS "publishedAt", version,
  night_confirmed_at IS NOT NULL AS "nightConfirmed",
  CASE WHEN scope_platform IS NULL THEN NULL ELSE json_build_object('platform', scope_platform, 'shop', scope_shop) END AS scope`;

export async function lockPriceChange(tx: Queryable, id: number): Promise<PriceChangeRow | null> {
  const { rows } = await tx.query<PriceChangeRow>(`SELECT ${COLUMNS} FROM price_changes WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

export async function findPriceChange(db: Queryable, id: number): Promise<PriceChangeRow | null> {
  const { rows } = await db.query<PriceChangeRow>(`SELECT ${COLUMNS} FROM price_changes WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Record that the change's pushes may go out in the night guard's hours (who, when). */
export async function confirmNight(tx: Queryable, changeId: number, staffId: string, now: Date): Promise<void> {
  await tx.query('UPDATE price_changes SET night_confirmed_by = $2, night_confirmed_at = $3 WHERE id = $1 AND night_confirmed_at IS NULL', [changeId, staffId, now]);
}

export async function pushesOf(db: Queryable, changeId: number): Promise<PricePushLine[]> {
  const { rows } = await db.query<PricePushLine>(
    `SELECT platform, shop, status, detail, attempts, error_kind AS "errorKind", pushed_at AS "pushedAt"
     FROM price_pushes WHERE change_id = $1 ORDER BY platform, shop`,
    [changeId],
  );
  return rows;
}

const STAFF_REF = `json_build_object('id', st.id, 'name', st.name, 'slackUserId', st.slack_user_id, 'feishuOpenId', st.feishu_open_id)`;

export async function loadPriceCard(db: Queryable, id: number): Promise<{ card: PriceCard; team: string } | null> {
  const { rows } = await db.query<PriceChangeRow & { name: string | null; decidedRef: StaffRef | null; requesterName: string | null }>(
    `SELECT p.id, p.sku, p.old_price AS "oldPrice", p.new_price AS "newPrice", p.status, p.team, p.reason, p.publish_at AS "publishAt",
       p.requested_by AS "requestedBy", p.decided_by AS "decidedBy", p.decided_at AS "decidedAt", p.published_at AS "publishedAt", p.version, s.name,
       CASE WHEN p.scope_platform IS NULL THEN NULL ELSE json_build_object('platform', p.scope_platform, 'shop', p.scope_shop) END AS scope,
       CASE WHEN st.id IS NULL THEN NULL ELSE ${STAFF_REF} END AS "decidedRef", rq.name AS "requesterName"
     FROM price_changes p JOIN skus s ON s.sku = p.sku
     LEFT JOIN staff st ON st.id = p.decided_by
     LEFT JOIN staff rq ON rq.id = p.requested_by
     WHERE p.id = $1`,
    [id],
  );
  const p = rows[0];
  if (!p) return null;
  const pushes = await pushesOf(db, p.id);
  return {
    team: p.team,
    card: {
      kind: 'price', key: priceCardKey(p.id), alertId: p.id, requestId: p.id, version: p.version, status: p.status, sku: p.sku,
      name: p.name ? p.name.slice(0, 200) : null, oldPrice: p.oldPrice, newPrice: p.newPrice, reason: p.reason ? p.reason.slice(0, 500) : null,
      publishAt: p.publishAt?.toISOString() ?? null, requestedBy: p.requesterName ?? p.requestedBy, scope: p.scope,
      decidedBy: p.decidedRef ?? (p.decidedBy ? { id: p.decidedBy, name: p.decidedBy, slackUserId: null, feishuOpenId: null } : null),
      decidedAt: p.decidedAt?.toISOString() ?? null, publishedAt: p.publishedAt?.toISOString() ?? null,
      pushes, actions: priceActions(p.status, { failed: pushes.some((x) => x.status === 'failed'), awaitingConfirmation: pushes.some((x) => x.status === 'held') }),
    },
  };
}
