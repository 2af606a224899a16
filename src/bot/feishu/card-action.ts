import { isCardDecisionAction } from '../../domain/inventory/price-change';
import type pg from 'pg';
import { performExceptionAction, type ActionDeps } from '../../actions/exception-actions';
import { fixAddress } from '../../actions/fix-address';
import { loadExceptionCardInput } from '../../db/exception-cards';
import { findStaffByChatUser } from '../../db/staff';
import { buildExceptionCard } from '../../domain/cards/exception-card';
import type { AddressField } from '../../domain/orders/address-fix';
import type { RulesConfig } from '../../domain/orders/rules-types';
import type { Notice } from '../../domain/ports';
import type { ChatUser } from '../../domain/staff';
import { t, type Locale } from '../../present/i18n';
import type { InventoryActions } from '../../actions/inventory';
import type { FrontDeps } from '../front';
import { ADDRESS_FIELDS, type FeishuActionValue, type FeishuCardJson, type FeishuCardOptions } from '../../integrations/feishu/feishu-card';
import type { FeishuEnvelope } from './feishu-verify';

export interface CardActionDeps {
  pool: pg.Pool;
  actions: ActionDeps;
  /** Price-change decisions (`price.approve` / `price.reject` on a price card). */
  inventory: Pick<InventoryActions, 'handlePriceAction'>;
  /** "Offer to the incoming shift" on a handoff card. */
  handoffs?: FrontDeps['handoffs'];
  rules: RulesConfig;
  locale: Locale;
  /** The exception's card as it is now in Postgres, laid out for Feishu. */
  render(card: ReturnType<typeof buildExceptionCard>, form?: FeishuCardOptions['form']): FeishuCardJson;
}

type ToastType = 'success' | 'info' | 'warning' | 'error';
export type CardAnswer = { toast?: { type: ToastType; content: string }; card?: { type: 'raw'; data: FeishuCardJson } };

const ACTIONS = new Set(['exception.claim', 'exception.fix_address', 'exception.approve', 'exception.escalate', 'exception.resolve']);

/** A button value as Feishu sends it: our object, or that object as a JSON string. */
function valueObject(v: unknown): Record<string, unknown> | null {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
}

/** The button's value, checked: only our own object shape is acted on. */
export function parseActionValue(v: unknown): FeishuActionValue | null {
  const o = valueObject(v);
  if (!o) return null;
  if (o.orderops !== 'exception' || typeof o.action !== 'string' || !ACTIONS.has(o.action)) return null;
  if (!Number.isSafeInteger(o.exception_id) || !Number.isSafeInteger(o.version)) return null;
  if (o.step !== undefined && o.step !== 'open' && o.step !== 'submit' && o.step !== 'close') return null;
  return o as unknown as FeishuActionValue;
}

/** A handoff card's button value: `{orderops: 'handoff', action: 'handoff.offer', request_id, version}`. */
export function parseHandoffValue(v: unknown): { request_id: number; version: number } | null {
  const o = valueObject(v);
  if (!o || o.orderops !== 'handoff' || o.action !== 'handoff.offer') return null;
  if (!Number.isSafeInteger(o.request_id) || !Number.isSafeInteger(o.version)) return null;
  return { request_id: o.request_id as number, version: o.version as number };
}

/** A price card's button value: `{orderops: 'price', action, request_id, version}` (approve, reject, retry, confirm_push, report.push_master). */
export function parsePriceValue(v: unknown): { action: string; request_id: number; version: number } | null {
  const o = valueObject(v);
  if (!o) return null;
  if (o.orderops !== 'price' || typeof o.action !== 'string' || !isCardDecisionAction(o.action)) return null;
  if (!Number.isSafeInteger(o.request_id) || !Number.isSafeInteger(o.version)) return null;
  return { action: o.action, request_id: o.request_id as number, version: o.version as number };
}

interface CardEvent {
  operator?: { open_id?: string; union_id?: string };
  action?: { value?: unknown; tag?: string; name?: string; form_value?: Record<string, unknown> };
}

/**
 * A click on one of our cards (card.action.trigger): run the shared use case, then answer with a
 * toast and the card re-rendered from Postgres (the card.sync job PATCHes every copy as well).
 */
export async function handleCardAction(deps: CardActionDeps, envelope: FeishuEnvelope): Promise<CardAnswer> {
  const event = (envelope.event ?? {}) as CardEvent;
  const toast = (type: ToastType, n: Notice): CardAnswer['toast'] => ({ type, content: t(deps.locale, n.key, n.vars).slice(0, 500) });
  const price = parsePriceValue(event.action?.value);
  if (price) {
    const who = await operator(deps.pool, event.operator);
    if (!who) return { toast: toast('error', { key: 'feishu.toast.unknown_action' }) };
    // The card.sync job PATCHes the card after a decision; the clicker gets the answer as a toast.
    const r = await deps.inventory.handlePriceAction({ action: price.action, requestId: price.request_id, version: price.version, user: who, via: 'feishu' });
    return { toast: toast(r.ok ? 'success' : 'error', r.notice) };
  }
  const handoff = parseHandoffValue(event.action?.value);
  if (handoff && deps.handoffs) {
    const who = await operator(deps.pool, event.operator);
    if (!who) return { toast: toast('error', { key: 'feishu.toast.unknown_action' }) };
    const r = await deps.handoffs.offer({ handoffId: handoff.request_id, version: handoff.version, user: who, via: 'feishu' });
    return { toast: toast(r.ok ? 'success' : 'error', r.notice) };
  }
  const value = parseActionValue(event.action?.value);
  if (!value) return { toast: toast('error', { key: 'feishu.toast.unknown_action' }) };
  const user = await operator(deps.pool, event.operator);
  if (!user) return { toast: toast('error', { key: 'feishu.toast.unknown_action' }) };
  const fresh = async (form?: FeishuCardOptions['form']): Promise<CardAnswer['card']> => {
    const input = await loadExceptionCardInput(deps.pool, value.exception_id);
    return input ? { type: 'raw', data: deps.render(buildExceptionCard(input), form) } : undefined;
  };

  if (value.action === 'exception.fix_address') {
    const formValue = event.action?.form_value;
    if (value.step === 'submit' || formValue) {
      const address: Partial<Record<AddressField, string>> = {};
      for (const f of ADDRESS_FIELDS) {
        const v = formValue?.[f];
        if (typeof v === 'string') address[f] = v.slice(0, 500);
      }
      const r = await fixAddress({ ...deps.actions, rules: deps.rules }, { exceptionId: value.exception_id, version: value.version, user, via: 'feishu', address });
      if (r.ok) return { toast: toast('success', r.notice), card: await fresh() };
      if (r.fieldErrors) return { toast: toast('error', { key: 'feishu.toast.form_errors' }), card: await fresh({ errors: r.fieldErrors, values: address }) };
      return { toast: toast('error', r.notice), card: await fresh() };
    }
    if (value.step === 'close') return { card: await fresh() };
    // Opening the form changes the card everyone sees: staff only, and only on a current card.
    if (!(await findStaffByChatUser(deps.pool, user))) return { toast: toast('error', { key: 'notice.unknown_user', vars: { userId: user.userId } }) };
    const input = await loadExceptionCardInput(deps.pool, value.exception_id);
    if (!input) return { toast: toast('error', { key: 'notice.not_found' }) };
    const card = buildExceptionCard(input);
    if (card.version !== value.version || !card.actions.includes('exception.fix_address')) {
      return { toast: toast('info', { key: 'notice.stale' }), card: { type: 'raw', data: deps.render(card) } };
    }
    return { card: { type: 'raw', data: deps.render(card, {}) } };
  }

  const r = await performExceptionAction(deps.actions, { action: value.action, exceptionId: value.exception_id, version: value.version, user, via: 'feishu' });
  if (r.ok) return { toast: toast('success', r.notice), card: await fresh() };
  const type: ToastType = r.reason === 'stale' ? 'info' : r.reason === 'already_claimed' || r.reason === 'already_resolved' ? 'warning' : 'error';
  return r.refresh ? { toast: toast(type, r.notice), card: await fresh() } : { toast: toast(type, r.notice) };
}

/**
 * Who clicked. Staff are listed by open_id; a union_id (on_…) in the staff list matches too, for
 * teams that share one staff list across several Feishu apps.
 */
async function operator(pool: pg.Pool, op: CardEvent['operator']): Promise<ChatUser | null> {
  if (!op?.open_id) return null;
  const byOpenId: ChatUser = { platform: 'feishu', userId: op.open_id };
  if (op.union_id && !(await findStaffByChatUser(pool, byOpenId))) {
    const byUnion: ChatUser = { platform: 'feishu', userId: op.union_id };
    if (await findStaffByChatUser(pool, byUnion)) return byUnion;
  }
  return byOpenId;
}
