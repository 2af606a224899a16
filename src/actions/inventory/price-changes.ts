import type pg from 'pg';
import type { Clock, Notice } from '../../domain/ports';
import type { ChatUser } from '../../domain/staff';
import type { InventorySettings } from '../../domain/inventory/types';
import { priceCardKey } from '../../domain/inventory/cards';
import { normalizeMoney } from '../../domain/money';
import { checkPriceDecision, decisionOf, isDecisionAction, type PriceDecision, type PriceDenial, type PriceStatus } from '../../domain/inventory/price-change';
import { withTransaction } from '../../db/pool';
import { findStaff, findStaffByChatUser } from '../../db/staff';
import { insertInventoryAudit } from '../../db/inventory-audit';
import { confirmNight, findPriceChange, lockPriceChange, type PriceChangeRow } from '../../db/inventory-prices';
import { queuePricePushes } from '../shop/price-pushes';
import { confirmNightPushes, retryPricePushes, type PushActionResult } from '../shop/price-push-actions';
import type { OutboxDeps, PushRef } from '../shop/push-deps';
import { t, type Locale } from '../../present/i18n';

/** What the price use cases need: the store, the clock, who may approve, and how to re-render a card. */
export interface PriceDeps {
  pool: pg.Pool;
  clock: Clock;
  locale: Locale;
  inventory: Pick<InventorySettings, 'team' | 'priceApproverRoles'>;
  /** Re-render every copy of a card (enqueue a card job for `price:<id>` at this version). */
  cardChanged(key: string, version: number): Promise<void>;
  /** The push outbox (absent: approved prices are recorded as "change by hand"). */
  outbox?: OutboxDeps;
}

export interface PriceRequestInput {
  sku: string;
  price: string | number;
  /** Staff id of who asks (a chat user resolved by the front, or the API caller's claim). */
  requestedBy: string;
  via: string;
  reason?: string;
  /** Hold the change until then (ISO 8601 with offset), e.g. a promotion starting at 10:00. */
  publishAt?: string;
  /** Push to this one listing only (the report's 推送主数据 for a price deviation: the master price, approved). */
  scope?: { platform: string; shop: string };
}

export type PriceRequestResult =
  | { ok: true; requestId: number; version: number; notice: Notice }
  | { ok: false; reason: 'unknown_sku' | 'invalid_price' | 'same_price' | 'pending_exists' | 'invalid_publish_at'; message: string; requestId?: number };

/**
 * Ask for a price change: stored as pending (one pending request per SKU) and posted as an approval
 * card to the inventory team. The master price does not change until an approver approves.
 */
export async function requestPriceChange(deps: PriceDeps, input: PriceRequestInput): Promise<PriceRequestResult> {
  const price = normalizeMoney(input.price);
  if (price === null) return { ok: false, reason: 'invalid_price', message: `price must be an amount like 599 or 599.00, got ${JSON.stringify(input.price)}` };
  const now = deps.clock.now();
  let publishAt: Date | null = null;
  if (input.publishAt !== undefined) {
    publishAt = /T\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$/.test(input.publishAt) ? new Date(input.publishAt) : null;
    if (!publishAt || Number.isNaN(publishAt.getTime()) || publishAt.getTime() <= now.getTime()) {
      return { ok: false, reason: 'invalid_publish_at', message: 'publish_at must be a future time in ISO 8601 with an offset, e.g. 2026-01-09T10:00:00+08:00' };
    }
  }
  const result = await withTransaction(deps.pool, async (tx): Promise<PriceRequestResult> => {
    const { rows } = await tx.query<{ price: string | null }>('SELECT price FROM skus WHERE sku = $1 FOR UPDATE', [input.sku]);
    const sku = rows[0];
    if (!sku) return { ok: false, reason: 'unknown_sku', message: `no SKU "${input.sku}" in the master record: import it first (orderops import skus or PUT /api/skus)` };
    if (sku.price === price && !input.scope) return { ok: false, reason: 'same_price', message: `${input.sku} already costs ${price}` };
    const pending = await tx.query<{ id: number }>(`SELECT id FROM price_changes WHERE sku = $1 AND status = 'pending'`, [input.sku]);
    if (pending.rows[0]) {
      return { ok: false, reason: 'pending_exists', requestId: pending.rows[0].id, message: `a price change for ${input.sku} is already waiting for approval (#${pending.rows[0].id}): decide it first` };
    }
    const ins = await tx.query<{ id: number; version: number }>(
      `INSERT INTO price_changes (sku, old_price, new_price, team, reason, publish_at, requested_by, requested_via, created_at, updated_at, scope_platform, scope_shop)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING id, version`,
      [input.sku, sku.price, price, deps.inventory.team, input.reason?.slice(0, 500) || null, publishAt, input.requestedBy, input.via, now,
        input.scope?.platform ?? null, input.scope?.shop ?? null],
    );
    const { id, version } = ins.rows[0]!;
    await insertInventoryAudit(tx, {
      actor: `staff:${input.requestedBy}`, source: input.via, entity: 'price_change', entityId: id, action: 'price.requested',
      after: { status: 'pending', version }, details: { sku: input.sku, old_price: sku.price, new_price: price, publish_at: publishAt },
    });
    return { ok: true, requestId: id, version, notice: { key: 'inventory.notice.price_requested', vars: { sku: input.sku, old: sku.price ?? '—', new: price } } };
  }, { actor: `staff:${input.requestedBy}`, via: input.via });
  if (result.ok) await deps.cardChanged(priceCardKey(result.requestId), result.version);
  return result;
}

export interface PriceDecisionInput {
  requestId: number;
  /** The version the clicked card showed; another current version means the card was stale. */
  version: number;
  user: ChatUser;
  decision: PriceDecision;
  /** slack, feishu, local, api */
  via: string;
  /** Confirm at once that the pushes may go out in the night guard's hours. */
  confirmNight?: boolean;
}

export type PriceDecisionResult =
  | { ok: true; requestId: number; version: number; status: PriceStatus; pushes: number; notice: Notice; refs?: PushRef[] }
  | { ok: false; reason: PriceDenial['reason'] | 'not_found'; notice: Notice; refresh: boolean };

/**
 * Approve or reject a price change — the same use case from every chat platform and the API. The
 * request row is locked, so of two concurrent decisions exactly one wins; the other is told who
 * decided. On approval the master price changes (or waits for its publish time) and a push is
 * queued once per platform/shop listing the SKU. Every decision is in the audit trail.
 *
 * @example
 *   // in a chat front, for a click on a price card button:
 *   await decidePriceChange(deps, { requestId, version, user, decision: 'approve', via: 'slack' });
 */
export async function decidePriceChange(deps: PriceDeps, input: PriceDecisionInput): Promise<PriceDecisionResult> {
  const result = await withTransaction(deps.pool, async (tx): Promise<PriceDecisionResult> => {
    const req = await lockPriceChange(tx, input.requestId);
    if (!req) return { ok: false, reason: 'not_found', notice: { key: 'inventory.notice.price_not_found' }, refresh: false };
    const actor = await findStaffByChatUser(tx, input.user);
    const denial = checkPriceDecision(req, actor, deps.inventory.priceApproverRoles, input.version);
    if (denial) return { ok: false, reason: denial.reason, notice: await denialNotice(tx, deps.locale, denial, input), refresh: denial.reason === 'stale' || denial.reason === 'already_decided' };
    const staff = actor!;
    const now = deps.clock.now();
    let status: PriceStatus = 'rejected';
    let pushes = 0;
    let refs: PushRef[] = [];
    let held = false;
    if (input.decision === 'approve') {
      const later = req.publishAt !== null && req.publishAt.getTime() > now.getTime();
      status = later ? 'scheduled' : 'approved';
      if (input.confirmNight) await confirmNight(tx, req.id, staff.id, now);
      if (!later) ({ queued: pushes, refs, held } = await applyPrice(tx, deps.outbox, { ...req, nightConfirmed: input.confirmNight === true || req.nightConfirmed }, now));
    }
    const { rows } = await tx.query<{ version: number }>(
      `UPDATE price_changes SET status = $2, decided_by = $3, decided_via = $4, decided_at = $5, updated_at = $5,
         published_at = CASE WHEN $2 = 'approved' THEN $5 ELSE published_at END, version = version + 1
       WHERE id = $1 RETURNING version`,
      [req.id, status, staff.id, input.via, now],
    );
    const version = rows[0]!.version;
    await insertInventoryAudit(tx, {
      actor: `staff:${staff.id}`, source: input.via, entity: 'price_change', entityId: req.id, action: `price.${input.decision === 'approve' ? 'approved' : 'rejected'}`,
      before: { status: req.status, version: req.version, price: req.oldPrice }, after: { status, version, price: status === 'approved' ? req.newPrice : req.oldPrice },
      details: { sku: req.sku, new_price: req.newPrice, pushes_queued: pushes },
    });
    const vars = { sku: req.sku, price: req.newPrice, pushes, publishAt: req.publishAt?.toISOString() ?? '' };
    const key = status === 'approved' ? (held ? 'shop.notice.price_approved_held' : 'inventory.notice.price_approved')
      : status === 'scheduled' ? 'inventory.notice.price_scheduled' : 'inventory.notice.price_rejected';
    return { ok: true, requestId: req.id, version, status, pushes, notice: { key, vars }, refs };
  }, { actor: `chat:${input.user.platform}:${input.user.userId}`, via: input.via });
  if (result.ok) {
    await deps.cardChanged(priceCardKey(result.requestId), result.version);
    if (result.refs && result.refs.length > 0) await deps.outbox?.pushQueued(result.refs);
  } else if (result.refresh) {
    const current = await findPriceChange(deps.pool, input.requestId);
    if (current) await deps.cardChanged(priceCardKey(current.id), current.version);
  }
  return result;
}

/**
 * A click on a price card button, as a chat front receives it: one call routes it.
 * @example if (isPriceAction(actionId)) return handlePriceAction(deps, { action: actionId, requestId, version, user, via: 'slack' });
 */
export async function handlePriceAction(
  deps: PriceDeps,
  click: { action: string; requestId: number; version: number; user: ChatUser; via: string },
): Promise<PriceDecisionResult | PushActionResult> {
  if (click.action === 'price.retry') return retryPricePushes(deps, click);
  if (click.action === 'price.confirm_push') return confirmNightPushes(deps, click);
  if (!isDecisionAction(click.action)) return { ok: false, reason: 'not_found', notice: { key: 'inventory.notice.price_not_found' }, refresh: false };
  return decidePriceChange(deps, { requestId: click.requestId, version: click.version, user: click.user, decision: decisionOf(click.action), via: click.via });
}

/** Approved changes whose publish time has come take effect (run by the inventory sweep). */
export async function publishDuePriceChanges(deps: PriceDeps): Promise<number> {
  const now = deps.clock.now();
  const { rows: due } = await deps.pool.query<{ id: number }>(
    `SELECT id FROM price_changes WHERE status = 'scheduled' AND publish_at <= $1 ORDER BY publish_at LIMIT 100`,
    [now],
  );
  let n = 0;
  for (const { id } of due) {
    const done = await withTransaction(deps.pool, async (tx) => {
      const req = await lockPriceChange(tx, id);
      if (!req || req.status !== 'scheduled') return null;
      const { queued: pushes, refs } = await applyPrice(tx, deps.outbox, req, now);
      const { rows } = await tx.query<{ version: number }>(
        `UPDATE price_changes SET status = 'approved', published_at = $2, updated_at = $2, version = version + 1 WHERE id = $1 RETURNING version`,
        [id, now],
      );
      await insertInventoryAudit(tx, {
        actor: 'system', source: 'schedule', entity: 'price_change', entityId: id, action: 'price.published',
        after: { status: 'approved', price: req.newPrice }, details: { sku: req.sku, pushes_queued: pushes },
      });
      return { version: rows[0]!.version, refs };
    }, { actor: 'system', via: 'schedule' });
    if (done !== null) {
      n++;
      await deps.cardChanged(priceCardKey(id), done.version);
      if (done.refs.length > 0) await deps.outbox?.pushQueued(done.refs);
    }
  }
  return n;
}

/** The master price changes and its pushes are written to the outbox, in the same transaction. */
async function applyPrice(
  tx: pg.PoolClient, outbox: OutboxDeps | undefined, req: Pick<PriceChangeRow, 'id' | 'sku' | 'newPrice' | 'nightConfirmed' | 'scope'>, now: Date,
): Promise<{ queued: number; refs: PushRef[]; held: boolean }> {
  await tx.query('UPDATE skus SET price = $2, price_updated_at = $3, updated_at = $3 WHERE sku = $1', [req.sku, req.newPrice, now]);
  return queuePricePushes(tx, outbox, { id: req.id, sku: req.sku, price: req.newPrice, nightConfirmed: req.nightConfirmed, scope: req.scope }, now);
}

async function denialNotice(tx: pg.PoolClient, locale: Locale, d: PriceDenial, input: PriceDecisionInput): Promise<Notice> {
  switch (d.reason) {
    case 'unknown_user':
      return { key: 'notice.unknown_user', vars: { userId: input.user.userId } };
    case 'forbidden':
      return { key: 'inventory.notice.price_forbidden', vars: { roles: d.roles.map((r) => t(locale, `local.role.${r}`)).join(' / ') } };
    case 'already_decided':
      return {
        key: 'inventory.notice.price_already_decided',
        vars: { status: t(locale, `inventory.price.word.${d.status}`), by: d.by ? (await findStaff(tx, d.by))?.name ?? d.by : '' },
      };
    case 'stale':
      return { key: 'inventory.notice.price_stale' };
  }
}
