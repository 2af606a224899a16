import type pg from 'pg';
import { checkAction, type Denial, type ExceptionActionId, type ExceptionStatus } from '../domain/exceptions/exception';
import type { Notice } from '../domain/ports';
import type { Clock } from '../domain/ports';
import type { ChatUser, Staff } from '../domain/staff';
import { insertAudit } from '../db/audit';
import { EXCEPTION_ROW_COLUMNS, type ExceptionRow } from '../db/exception-cards';
import { withTransaction } from '../db/pool';
import { findStaff, findStaffByChatUser } from '../db/staff';
import { typeLabel, type Locale } from '../present/i18n';
import type { InventorySettings } from '../domain/inventory/types';
import { holdUnitsForRelease } from './inventory/release-stock-out';

/** What a chat action needs: the store, the clock, and how to tell the cards and people. */
export interface ActionDeps {
  pool: pg.Pool;
  clock: Clock;
  locale: Locale;
  /** Re-render every copy of the exception's card (all platforms) from Postgres. */
  cards: { changed(exceptionId: number, version: number): Promise<void> };
  /** Notify the team's supervisors and managers of a manual escalation. */
  escalations: { escalated(exceptionId: number, version: number, actorId: string): Promise<void> };
  /** With inventory: releasing a stock-out order reserves its units first (or is refused). */
  inventory?: InventorySettings;
}

export interface ActionInput {
  action: Exclude<ExceptionActionId, 'exception.fix_address'>;
  exceptionId: number;
  /** The version the clicked card showed; a different current version means the card was stale. */
  version: number;
  user: ChatUser;
  /** slack, feishu, local, api */
  via: string;
}

export type ActionResult =
  | { ok: true; exceptionId: number; version: number; notice: Notice }
  | { ok: false; reason: Denial['reason'] | 'stale' | 'not_found' | 'stock_still_out'; notice: Notice; refresh: boolean };

const VERB: Record<ActionInput['action'], { zh: string; en: string }> = {
  'exception.claim': { zh: '认领', en: 'claim' },
  'exception.approve': { zh: '审核通过', en: 'approve' },
  'exception.escalate': { zh: '升级', en: 'escalate' },
  'exception.resolve': { zh: '标记解决', en: 'resolve' },
};

/**
 * Claim, approve, escalate or resolve — the same use case whichever platform the click came from.
 * The exception row is locked, so of many concurrent claimers exactly one wins; a denial or a stale
 * card changes nothing. After commit every copy of the card is re-rendered from Postgres.
 */
export async function performExceptionAction(deps: ActionDeps, input: ActionInput): Promise<ActionResult> {
  const result = await withTransaction(
    deps.pool,
    async (tx): Promise<ActionResult> => {
      const { rows } = await tx.query<ExceptionRow & { externalId: string }>(
        `SELECT ${EXCEPTION_ROW_COLUMNS}, o.external_id AS "externalId"
         FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1 FOR UPDATE OF e`,
        [input.exceptionId],
      );
      const e = rows[0];
      if (!e) return { ok: false, reason: 'not_found', notice: { key: 'notice.not_found' }, refresh: false };
      const actor = await findStaffByChatUser(tx, input.user);
      const orderId = e.externalId;
      const denial = checkAction(input.action, e, actor);
      if (denial) return { ok: false, reason: denial.reason, notice: await denialNotice(tx, deps.locale, denial, input, orderId), refresh: denial.reason === 'already_claimed' || denial.reason === 'already_resolved' };
      if (e.version !== input.version) return { ok: false, reason: 'stale', notice: { key: 'notice.stale' }, refresh: true };

      const staff = actor as Staff;
      const now = deps.clock.now();
      const next = transition(input.action, e, staff, now);
      if (next.status === 'resolved' && e.type === 'stock_out') {
        const refused = await holdUnitsForRelease(tx, deps.inventory, e.orderId, now);
        if (refused) return { ok: false, reason: 'stock_still_out', notice: refused, refresh: false };
      }
      await tx.query(
        // A manual escalation already told the supervisors: it counts as the first level-1 ping.
        `UPDATE exceptions SET status = $2, assignee = $3, claimed_at = $4, resolved_at = $5, resolution = $6,
           escalation_level = $7, version = version + 1, updated_at = $8,
           level1_sent = CASE WHEN $9 THEN greatest(level1_sent, 1) ELSE level1_sent END,
           next_escalation_at = CASE WHEN $2 = 'resolved' THEN NULL ELSE next_escalation_at END
         WHERE id = $1`,
        [e.id, next.status, next.assignee, next.claimedAt, next.resolvedAt, next.resolution, next.escalationLevel, now, input.action === 'exception.escalate'],
      );
      await insertAudit(tx, {
        actor: `staff:${staff.id}`, source: input.via, entity: 'exception', entityId: e.id, action: input.action,
        before: { status: e.status, assignee: e.assignee, version: e.version, escalation_level: e.escalationLevel },
        after: { status: next.status, assignee: next.assignee, version: e.version + 1, escalation_level: next.escalationLevel },
      });
      if (next.status === 'resolved') await releaseOrderIfClear(tx, e.orderId, staff, input.via);
      const notice: Record<ActionInput['action'], string> = {
        'exception.claim': 'notice.claimed',
        'exception.approve': 'notice.approved',
        'exception.escalate': 'notice.escalated',
        'exception.resolve': 'notice.resolved',
      };
      return { ok: true, exceptionId: e.id, version: e.version + 1, notice: { key: notice[input.action], vars: { orderId, type: typeLabel(deps.locale, e.type) } } };
    },
    { actor: `chat:${input.user.platform}:${input.user.userId}`, via: input.via },
  );
  if (result.ok) {
    await deps.cards.changed(result.exceptionId, result.version);
    if (input.action === 'exception.escalate') {
      const actor = await findStaffByChatUser(deps.pool, input.user);
      await deps.escalations.escalated(result.exceptionId, result.version, actor!.id);
    }
  } else if (result.refresh) {
    const { rows } = await deps.pool.query<{ version: number }>('SELECT version FROM exceptions WHERE id = $1', [input.exceptionId]);
    if (rows[0]) await deps.cards.changed(input.exceptionId, rows[0].version);
  }
  return result;
}

interface Next {
  status: ExceptionStatus;
  assignee: string | null;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  resolution: string | null;
  escalationLevel: number;
}

function transition(action: ActionInput['action'], e: ExceptionRow, actor: Staff, now: Date): Next {
  const base: Next = { status: e.status, assignee: e.assignee, claimedAt: e.claimedAt, resolvedAt: e.resolvedAt, resolution: e.resolution, escalationLevel: e.escalationLevel };
  switch (action) {
    case 'exception.claim':
      // An escalated exception stays marked escalated when someone finally takes it.
      return { ...base, status: e.status === 'escalated' ? 'escalated' : 'claimed', assignee: actor.id, claimedAt: now };
    case 'exception.escalate':
      return { ...base, status: 'escalated', escalationLevel: Math.max(1, e.escalationLevel) };
    case 'exception.approve':
      return { ...base, status: 'resolved', assignee: e.assignee ?? actor.id, resolvedAt: now, resolution: `approved by ${actor.name}` };
    case 'exception.resolve':
      return { ...base, status: 'resolved', resolvedAt: now, resolution: `resolved by ${actor.name}` };
  }
}

/** When the last open exception of an order is resolved, the order is released for fulfilment. */
export async function releaseOrderIfClear(tx: pg.PoolClient, orderId: number, actor: Staff, via: string): Promise<void> {
  const { rows } = await tx.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM exceptions WHERE order_id = $1 AND status <> 'resolved'`,
    [orderId],
  );
  if ((rows[0]?.open ?? 0) > 0) return;
  const upd = await tx.query(
    `UPDATE orders SET review_status = 'approved',
       stage = CASE WHEN stage = 'pending' AND status IN ('paid', 'completed') THEN 'reviewed' ELSE stage END,
       stage_changed_at = CASE WHEN stage = 'pending' AND status IN ('paid', 'completed') THEN now() ELSE stage_changed_at END
     WHERE id = $1 AND review_status <> 'approved'`,
    [orderId],
  );
  if (upd.rowCount) {
    await insertAudit(tx, { actor: `staff:${actor.id}`, source: via, entity: 'order', entityId: orderId, action: 'order.released', after: { review_status: 'approved' } });
  }
}

async function denialNotice(db: pg.PoolClient, locale: Locale, d: Denial, input: ActionInput, orderId: string): Promise<Notice> {
  switch (d.reason) {
    case 'unknown_user':
      return { key: 'notice.unknown_user', vars: { userId: input.user.userId } };
    case 'forbidden':
      return { key: 'notice.forbidden', vars: { action: locale === 'en' ? VERB[input.action].en : VERB[input.action].zh } };
    case 'already_claimed':
      return { key: 'notice.already_claimed', vars: { orderId, by: (await findStaff(db, d.by))?.name ?? d.by } };
    case 'not_assignee':
      return { key: 'notice.not_assignee', vars: { assignee: (await findStaff(db, d.assignee))?.name ?? d.assignee } };
    case 'already_resolved':
      return { key: 'notice.already_resolved', vars: { orderId } };
    case 'not_applicable':
      return { key: 'notice.not_applicable' };
  }
}
