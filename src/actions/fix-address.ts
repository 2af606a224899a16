import { validateAddressFix, type AddressErrors, type AddressField } from '../domain/orders/address-fix';
import type { RulesConfig } from '../domain/orders/rules-types';
import { ADDRESS_TYPES, checkAction, type ExceptionStatus } from '../domain/exceptions/exception';
import type { Notice } from '../domain/ports';
import type { ChatUser } from '../domain/staff';
import { insertAudit } from '../db/audit';
import { EXCEPTION_ROW_COLUMNS, type ExceptionRow } from '../db/exception-cards';
import { withTransaction } from '../db/pool';
import { findStaffByChatUser } from '../db/staff';
import { releaseOrderIfClear, type ActionDeps } from './exception-actions';

export interface FixAddressInput {
  exceptionId: number;
  version: number;
  user: ChatUser;
  via: string;
  address: Partial<Record<AddressField, string>>;
}

export type FixAddressResult =
  | { ok: true; exceptionId: number; version: number; notice: Notice }
  | { ok: false; fieldErrors: AddressErrors }
  | { ok: false; notice: Notice; fieldErrors?: undefined };

/**
 * Save a corrected address on the order (it wins over later platform pushes), re-run the address
 * rule, and resolve every open address exception of the order. Field errors change nothing.
 */
export async function fixAddress(deps: ActionDeps & { rules: RulesConfig }, input: FixAddressInput): Promise<FixAddressResult> {
  const { address, errors } = validateAddressFix(input.address, deps.rules);
  if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };

  const result = await withTransaction(deps.pool, async (tx): Promise<FixAddressResult & { changed?: { id: number; version: number }[] }> => {
    const { rows } = await tx.query<ExceptionRow & { externalId: string }>(
      `SELECT ${EXCEPTION_ROW_COLUMNS}, o.external_id AS "externalId"
       FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1 FOR UPDATE OF e, o`,
      [input.exceptionId],
    );
    const e = rows[0];
    if (!e) return { ok: false, notice: { key: 'notice.not_found' } };
    const actor = await findStaffByChatUser(tx, input.user);
    const denial = checkAction('exception.fix_address', e, actor);
    if (denial?.reason === 'unknown_user') return { ok: false, notice: { key: 'notice.unknown_user', vars: { userId: input.user.userId } } };
    if (denial) return { ok: false, notice: { key: `notice.${denial.reason}`, vars: { orderId: e.externalId } } };
    const staff = actor!;
    const now = deps.clock.now();

    await tx.query('UPDATE orders SET address_override = $2, updated_at = now() WHERE id = $1', [e.orderId, JSON.stringify(address)]);
    await insertAudit(tx, { actor: `staff:${staff.id}`, source: input.via, entity: 'order', entityId: e.orderId, action: 'order.address_fixed', after: { address } });

    // Every open address exception of the order is answered by the same fix.
    const open = await tx.query<{ id: number; status: ExceptionStatus; version: number }>(
      `SELECT id, status, version FROM exceptions WHERE order_id = $1 AND type = ANY($2) AND status <> 'resolved' FOR UPDATE`,
      [e.orderId, [...ADDRESS_TYPES]],
    );
    const changed: { id: number; version: number }[] = [];
    for (const x of open.rows) {
      await tx.query(
        `UPDATE exceptions SET status = 'resolved', resolved_at = $2, resolution = $3, assignee = coalesce(assignee, $4),
           version = version + 1, updated_at = $2 WHERE id = $1`,
        [x.id, now, `address fixed by ${staff.name}`, staff.id],
      );
      await insertAudit(tx, {
        actor: `staff:${staff.id}`, source: input.via, entity: 'exception', entityId: x.id, action: 'exception.fix_address',
        before: { status: x.status, version: x.version }, after: { status: 'resolved', version: x.version + 1 }, details: { address },
      });
      changed.push({ id: x.id, version: x.version + 1 });
    }
    await releaseOrderIfClear(tx, e.orderId, staff, input.via);
    const mine = changed.find((c) => c.id === e.id);
    return { ok: true, exceptionId: e.id, version: mine?.version ?? e.version, notice: { key: 'notice.address_fixed', vars: { orderId: e.externalId } }, changed };
  }, { actor: `chat:${input.user.platform}:${input.user.userId}`, via: input.via });

  if (result.ok && 'changed' in result && result.changed) {
    for (const c of result.changed) await deps.cards.changed(c.id, c.version);
    const { changed: _c, ...rest } = result;
    return rest;
  }
  return result;
}
