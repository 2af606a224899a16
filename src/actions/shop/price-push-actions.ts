import type pg from 'pg';
import type { Clock, Notice } from '../../domain/ports';
import type { ChatUser, StaffRole } from '../../domain/staff';
import { priceCardKey } from '../../domain/inventory/cards';
import { withTransaction } from '../../db/pool';
import { findStaffByChatUser } from '../../db/staff';
import { insertInventoryAudit } from '../../db/inventory-audit';
import { confirmNight, lockPriceChange } from '../../db/inventory-prices';
import type { OutboxDeps, PushRef } from './push-deps';

export interface PushActionDeps {
  pool: pg.Pool;
  clock: Clock;
  inventory: { priceApproverRoles: StaffRole[] };
  cardChanged(key: string, version: number): Promise<void>;
  outbox?: OutboxDeps;
}

export interface PushActionInput {
  requestId: number;
  user: ChatUser;
  via: string;
}

export type PushActionResult =
  | { ok: true; requestId: number; version: number; pushes: number; notice: Notice }
  | { ok: false; reason: 'not_found' | 'unknown_user' | 'forbidden' | 'nothing_to_do'; notice: Notice; refresh: boolean };

/**
 * [重试 / Retry] on a price card (or `POST /api/price-changes/:id/retry`): every push of an approved
 * change that failed goes back to the outbox as a new round (a new job id), by a permitted role.
 */
export function retryPricePushes(deps: PushActionDeps, input: PushActionInput): Promise<PushActionResult> {
  return pushAction(deps, input, 'price.push_retried', async (tx, req, now) => {
    if (req.status !== 'approved') return [];
    const { rows } = await tx.query<{ id: number; round: number; platform: string }>(
      `UPDATE price_pushes SET status = 'pending', round = round + 1, attempts = 0, error_kind = NULL, error_code = NULL, lease_until = NULL, updated_at = $2
       WHERE change_id = $1 AND status = 'failed' RETURNING id, round, platform`,
      [req.id, now],
    );
    return rows;
  });
}

/**
 * [确认推送 / Push now] on a price card in the night guard's hours: the change's held pushes go out
 * (or, for a change scheduled into those hours, will go out at its publish time without holding).
 */
export function confirmNightPushes(deps: PushActionDeps, input: PushActionInput): Promise<PushActionResult> {
  return pushAction(deps, input, 'price.push_confirmed', async (tx, req, now, staffId) => {
    if (req.status !== 'approved' && req.status !== 'scheduled') return [];
    if (req.nightConfirmed && req.status === 'scheduled') return [];
    await confirmNight(tx, req.id, staffId, now);
    const { rows } = await tx.query<{ id: number; round: number; platform: string }>(
      `UPDATE price_pushes SET status = 'pending', updated_at = $2 WHERE change_id = $1 AND status = 'held' RETURNING id, round, platform`,
      [req.id, now],
    );
    // A scheduled change has no pushes yet: the confirmation itself is what it needed.
    return req.status === 'scheduled' ? [{ id: 0, round: 0, platform: '' }] : rows;
  });
}

type Step = (tx: pg.PoolClient, req: NonNullable<Awaited<ReturnType<typeof lockPriceChange>>>, now: Date, staffId: string) => Promise<{ id: number; round: number; platform: string }[]>;

async function pushAction(deps: PushActionDeps, input: PushActionInput, action: string, step: Step): Promise<PushActionResult> {
  const result = await withTransaction(deps.pool, async (tx): Promise<PushActionResult & { refs?: PushRef[] }> => {
    const req = await lockPriceChange(tx, input.requestId);
    if (!req) return { ok: false, reason: 'not_found', notice: { key: 'inventory.notice.price_not_found' }, refresh: false };
    const staff = await findStaffByChatUser(tx, input.user);
    if (!staff) return { ok: false, reason: 'unknown_user', notice: { key: 'notice.unknown_user', vars: { userId: input.user.userId } }, refresh: false };
    if (!deps.inventory.priceApproverRoles.includes(staff.role)) {
      return { ok: false, reason: 'forbidden', notice: { key: 'shop.notice.push_forbidden', vars: { roles: deps.inventory.priceApproverRoles.join(' / ') } }, refresh: false };
    }
    const now = deps.clock.now();
    const rows = await step(tx, req, now, staff.id);
    if (rows.length === 0) return { ok: false, reason: 'nothing_to_do', notice: { key: `shop.notice.${action === 'price.push_retried' ? 'nothing_to_retry' : 'nothing_to_confirm'}` }, refresh: true };
    const { rows: v } = await tx.query<{ version: number }>('UPDATE price_changes SET version = version + 1, updated_at = $2 WHERE id = $1 RETURNING version', [req.id, now]);
    const real = rows.filter((r) => r.id > 0);
    await insertInventoryAudit(tx, {
      actor: `staff:${staff.id}`, source: input.via, entity: 'price_change', entityId: req.id, action,
      details: { sku: req.sku, pushes: real.map((r) => ({ id: r.id, platform: r.platform, round: r.round })) },
    });
    return {
      ok: true, requestId: req.id, version: v[0]!.version, pushes: real.length,
      notice: { key: action === 'price.push_retried' ? 'shop.notice.retried' : 'shop.notice.confirmed', vars: { sku: req.sku, pushes: real.length } },
      refs: real.map((r) => ({ kind: 'price', id: r.id, round: r.round, platform: r.platform })),
    };
  }, { actor: `chat:${input.user.platform}:${input.user.userId}`, via: input.via });
  if (result.ok) {
    await deps.cardChanged(priceCardKey(result.requestId), result.version);
    if (result.refs && result.refs.length > 0) await deps.outbox?.pushQueued(result.refs);
    const { refs: _r, ...rest } = result;
    return rest;
  }
  return result;
}
