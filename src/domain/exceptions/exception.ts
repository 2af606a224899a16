import type { Staff } from '../staff';
import { atLeast } from '../staff';

export type ExceptionStatus = 'open' | 'claimed' | 'resolved' | 'escalated';

/** What the domain needs to decide an action on an exception. */
export interface ExceptionState {
  id: number;
  type: string;
  status: ExceptionStatus;
  assignee: string | null;
  version: number;
  escalationLevel: number;
}

export type ExceptionActionId =
  | 'exception.claim'
  | 'exception.fix_address'
  | 'exception.approve'
  | 'exception.escalate'
  | 'exception.resolve';

export const REVIEW_TYPE = 'review';
export const ADDRESS_TYPES = new Set(['vague_address', 'remark_address_change']);

/** The buttons a card shows for this state (the same on every platform). */
export function availableActions(e: Pick<ExceptionState, 'type' | 'status' | 'assignee'>): ExceptionActionId[] {
  if (e.status === 'resolved') return [];
  const actions: ExceptionActionId[] = [];
  if (!e.assignee) actions.push('exception.claim');
  if (ADDRESS_TYPES.has(e.type)) actions.push('exception.fix_address');
  if (e.type === REVIEW_TYPE) actions.push('exception.approve');
  if (e.status !== 'escalated') actions.push('exception.escalate');
  if (e.assignee) actions.push('exception.resolve');
  return actions;
}

export type Denial =
  | { reason: 'unknown_user' }
  | { reason: 'forbidden'; needs: 'supervisor' }
  | { reason: 'already_resolved' }
  | { reason: 'already_claimed'; by: string }
  | { reason: 'not_applicable' }
  | { reason: 'not_assignee'; assignee: string };

/**
 * Who may do what. Claim, fix address and resolve: any staff member (resolve: the assignee or a
 * supervisor and up). Approve and escalate: supervisor, manager or admin. Returns null when allowed.
 */
export function checkAction(action: ExceptionActionId, e: ExceptionState, actor: Staff | null): Denial | null {
  if (!actor) return { reason: 'unknown_user' };
  if (e.status === 'resolved') return { reason: 'already_resolved' };
  switch (action) {
    case 'exception.claim':
      return e.assignee ? { reason: 'already_claimed', by: e.assignee } : null;
    case 'exception.fix_address':
      return ADDRESS_TYPES.has(e.type) ? null : { reason: 'not_applicable' };
    case 'exception.approve':
      if (e.type !== REVIEW_TYPE) return { reason: 'not_applicable' };
      return atLeast(actor, 'supervisor') ? null : { reason: 'forbidden', needs: 'supervisor' };
    case 'exception.escalate':
      return atLeast(actor, 'supervisor') ? null : { reason: 'forbidden', needs: 'supervisor' };
    case 'exception.resolve':
      if (!e.assignee) return { reason: 'not_applicable' };
      if (e.assignee !== actor.id && !atLeast(actor, 'supervisor')) return { reason: 'not_assignee', assignee: e.assignee };
      return null;
  }
}
