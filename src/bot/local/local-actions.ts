import { performExceptionAction, type ActionInput } from '../../actions/exception-actions';
import { fixAddress } from '../../actions/fix-address';
import type { AddressErrors, AddressField } from '../../domain/orders/address-fix';
import type { ExceptionActionId } from '../../domain/exceptions/exception';
import type { Notice } from '../../domain/ports';
import type { FrontDeps } from '../front';

export const LOCAL_ACTIONS: readonly ExceptionActionId[] = [
  'exception.claim', 'exception.fix_address', 'exception.approve', 'exception.escalate', 'exception.resolve',
];
const ADDRESS_FIELDS: readonly AddressField[] = ['province', 'city', 'district', 'detail'];
const STAFF_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

export interface LocalActionRequest {
  action: ExceptionActionId;
  exceptionId: number;
  version: number;
  staff: string;
  address?: Partial<Record<AddressField, string>>;
}

/** Strict: every field checked, unknown fields refused, each problem said in words. */
export function parseActionRequest(body: unknown): { ok: true; value: LocalActionRequest } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('body must be a JSON object: {"action", "exceptionId", "version", "staff", "address"?}');
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['action', 'exceptionId', 'version', 'staff', 'address'].includes(k));
  if (unknown.length > 0) return fail(`unknown field "${unknown.join('", "')}": send action, exceptionId, version, staff and (for exception.fix_address) address`);
  if (typeof b.action !== 'string' || !(LOCAL_ACTIONS as readonly string[]).includes(b.action)) {
    return fail(`${b.action === undefined ? 'missing action' : `unknown action ${JSON.stringify(b.action)}`}: use one of ${LOCAL_ACTIONS.join(', ')}`);
  }
  for (const k of ['exceptionId', 'version'] as const) {
    const v = b[k];
    if (v === undefined) return fail(`missing ${k}: send the ${k === 'version' ? 'version the card shows' : "card's exception id"}`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > 2_147_483_647) return fail(`${k} must be a positive whole number, got ${JSON.stringify(v)}`);
  }
  if (b.staff === undefined) return fail('missing staff: send the id of the staff member you act as');
  if (typeof b.staff !== 'string' || !STAFF_ID.test(b.staff)) return fail('staff must be a staff id: 1–64 letters, digits, _ . -');
  const action = b.action as ExceptionActionId;
  let address: LocalActionRequest['address'];
  if (action === 'exception.fix_address') {
    const a = b.address;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) return fail('missing address: exception.fix_address needs {"province", "city", "district", "detail"}');
    const extra = Object.keys(a).filter((k) => !(ADDRESS_FIELDS as readonly string[]).includes(k));
    if (extra.length > 0) return fail(`unknown address field "${extra.join('", "')}": use ${ADDRESS_FIELDS.join(', ')}`);
    address = {};
    for (const f of ADDRESS_FIELDS) {
      const v = (a as Record<string, unknown>)[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || v.length > 500) return fail(`address.${f} must be text of at most 500 characters`);
      address[f] = v;
    }
  } else if (b.address !== undefined) {
    return fail(`address is only for exception.fix_address, not ${action}`);
  }
  return { ok: true, value: { action, exceptionId: b.exceptionId as number, version: b.version as number, staff: b.staff, address } };
}

export type LocalActionOutcome =
  | { status: 200; ok: true; notice: Notice; exceptionId: number; version: number }
  | { status: 403 | 404 | 409 | 422; ok: false; reason: string; notice?: Notice; fieldErrors?: AddressErrors };

const STATUS: Record<string, 403 | 404 | 409 | 422> = {
  unknown_user: 403, forbidden: 403, not_assignee: 403,
  not_found: 404,
  already_claimed: 409, already_resolved: 409, stale: 409,
  not_applicable: 422, field_errors: 422, stock_still_out: 409,
};

/**
 * Run a click from the local page through the same use cases as Slack and Feishu (role checks,
 * atomic claim, stale detection, audit trail, card re-render, escalation DMs all happen there).
 */
export async function runLocalAction(deps: Pick<FrontDeps, 'actions' | 'rules'>, req: LocalActionRequest): Promise<LocalActionOutcome> {
  const user = { platform: 'local' as const, userId: req.staff };
  if (req.action === 'exception.fix_address') {
    const r = await fixAddress({ ...deps.actions, rules: deps.rules }, { exceptionId: req.exceptionId, version: req.version, user, via: 'local', address: req.address ?? {} });
    if (r.ok) return { status: 200, ok: true, notice: r.notice, exceptionId: r.exceptionId, version: r.version };
    if (r.fieldErrors) return { status: 422, ok: false, reason: 'field_errors', fieldErrors: r.fieldErrors };
    const reason = r.notice.key.replace(/^notice\./, '');
    return { status: STATUS[reason] ?? 422, ok: false, reason, notice: r.notice };
  }
  const r = await performExceptionAction(deps.actions, {
    action: req.action as ActionInput['action'], exceptionId: req.exceptionId, version: req.version, user, via: 'local',
  });
  if (r.ok) return { status: 200, ok: true, notice: r.notice, exceptionId: r.exceptionId, version: r.version };
  return { status: STATUS[r.reason] ?? 422, ok: false, reason: r.reason, notice: r.notice };
}
