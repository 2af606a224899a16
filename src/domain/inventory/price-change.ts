import { atLeast, type Staff, type StaffRole } from '../staff';

export type PriceStatus = 'pending' | 'scheduled' | 'approved' | 'rejected';
export type PriceDecision = 'approve' | 'reject';
/**
 * Button action ids of the price approval card (namespaced like exception.*): the decision, a retry
 * of the platforms whose push failed, and the night guard's confirmation of held pushes.
 */
export type PriceActionId = 'price.approve' | 'price.reject' | 'price.retry' | 'price.confirm_push';
export const PRICE_ACTIONS: readonly PriceActionId[] = ['price.approve', 'price.reject', 'price.retry', 'price.confirm_push'];
export type PriceDecisionAction = 'price.approve' | 'price.reject';

export const isPriceAction = (id: string): id is PriceActionId => (PRICE_ACTIONS as readonly string[]).includes(id);

/**
 * Every button that carries a `{requestId, version}` value: the price card's, and the consistency
 * report's 推送主数据 per deviation (`report.push_master`: requestId = the report, version = the
 * line's position on the card, 1-based).
 */
export type CardDecisionAction = PriceActionId | 'report.push_master';
export const isCardDecisionAction = (id: string): id is CardDecisionAction => isPriceAction(id) || id === 'report.push_master';
export const isDecisionAction = (id: string): id is PriceDecisionAction => id === 'price.approve' || id === 'price.reject';
export const decisionOf = (action: PriceDecisionAction): PriceDecision => (action === 'price.approve' ? 'approve' : 'reject');

/** What the card knows of its pushes, for its buttons. */
export interface PushState {
  /** A push failed for good (a person may retry it). */
  failed: boolean;
  /** Pushes wait for the night-guard confirmation (or will, at a publish time in those hours). */
  awaitingConfirmation: boolean;
}

/** The buttons a price card shows in this state. */
export function priceActions(status: PriceStatus, pushes: PushState = { failed: false, awaitingConfirmation: false }): PriceActionId[] {
  if (status === 'pending') return ['price.approve', 'price.reject'];
  const out: PriceActionId[] = [];
  if (pushes.awaitingConfirmation && (status === 'approved' || status === 'scheduled')) out.push('price.confirm_push');
  if (pushes.failed && status === 'approved') out.push('price.retry');
  return out;
}

export type PriceDenial =
  | { reason: 'unknown_user' }
  | { reason: 'forbidden'; roles: StaffRole[] }
  | { reason: 'already_decided'; status: PriceStatus; by: string | null }
  | { reason: 'stale' };

/**
 * Who may decide: an active staff member whose role is one of the configured approver roles
 * (default supervisor, manager, admin), on a request still pending, from a card showing its current
 * version. Returns null when allowed.
 */
export function checkPriceDecision(
  req: { status: PriceStatus; version: number; decidedBy: string | null },
  actor: Pick<Staff, 'role'> | null,
  roles: StaffRole[],
  version: number,
): PriceDenial | null {
  if (!actor) return { reason: 'unknown_user' };
  if (!roles.includes(actor.role)) return { reason: 'forbidden', roles };
  if (req.status !== 'pending') return { reason: 'already_decided', status: req.status, by: req.decidedBy };
  if (req.version !== version) return { reason: 'stale' };
  return null;
}

/** Roles from a minimum ("supervisor and up"), for config defaults and messages. */
export function rolesFrom(min: StaffRole): StaffRole[] {
  return (['agent', 'supervisor', 'manager', 'admin'] as const).filter((r) => atLeast({ role: r }, min));
}
