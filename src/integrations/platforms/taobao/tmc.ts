import { gmt8ToIso } from '../common/china-time';
import { compact, jsonObjectField, obj, str, statusOf, type Json, type PlatformOrder, type PlatformStage } from '../common/platform-order';
import type { ItemError } from '../source';
import type { ShopMessage, ShopMessageQueue } from '../../../domain/platforms/ports';
import { callTop, type TaobaoPullOptions } from './pull';
import { topList } from './order-map';
import { toYuan } from '../../../domain/money';
import type { RefundStatus } from '../../../domain/orders/order';

/** A TMC message as `taobao.tmc.messages.consume` hands it out (§2.1); `content` is a JSON string. */
export interface TmcMessage {
  id: string;
  topic: string;
  userNick?: string;
  pubTime?: string;
  content: Json;
  raw: Json;
}

/** Trade topics that say where the trade is now; the others (memo, address, refunds) say only "look again". */
const TOPIC_STAGE: Record<string, PlatformStage> = {
  taobao_trade_TradeCreate: 'pending_payment',
  taobao_trade_TradeAlipayCreate: 'pending_payment',
  taobao_trade_TradeBuyerPay: 'pending',
  taobao_trade_TradeSellerShip: 'shipped',
  taobao_trade_TradePartlySellerShip: 'pending',
  taobao_trade_TradeSuccess: 'completed',
  taobao_trade_TradeClose: 'cancelled',
};

/** Refund topics (taobao_refund_*) → the order's refund state; a refund still in progress is `requested`. */
const REFUND_TOPIC: Record<string, RefundStatus> = {
  taobao_refund_RefundCreated: 'requested',
  taobao_refund_RefundCreateMessage: 'requested',
  taobao_refund_RefundBuyerModifyAgreement: 'requested',
  taobao_refund_RefundSellerAgreeAgreement: 'requested',
  taobao_refund_RefundBuyerReturnGoods: 'requested',
  taobao_refund_RefundBlockMessage: 'requested',
  taobao_refund_RefundTimeoutRemind: 'requested',
  taobao_refund_RefundSellerRefuseAgreement: 'rejected',
  taobao_refund_RefundClosed: 'withdrawn',
  taobao_refund_RefundSuccess: 'refunded',
};

export type TmcMapResult = { kind: 'order'; order: PlatformOrder } | { kind: 'skip'; why: string } | { kind: 'error'; errors: ItemError[] };

/** Read one consumed message; `content` may hold 19-digit tids, so it is parsed losslessly. */
export function readTmcMessage(raw: unknown): TmcMessage | { errors: ItemError[] } {
  const m = obj(raw);
  const id = str(m.id);
  const topic = str(m.topic);
  const errors: ItemError[] = [];
  if (!id) errors.push({ field: 'id', message: 'is required' });
  if (!topic) errors.push({ field: 'topic', message: 'is required' });
  const content = jsonObjectField(m.content, 'content', errors);
  if (errors.length > 0) return { errors };
  return { id: id!, topic: topic!, userNick: str(m.user_nick), pubTime: str(m.pub_time), content, raw: m };
}

/**
 * A trade message → a thin internal order keyed by `tid` (`partial: true`): its status where the
 * topic gives one, the payment where the content has it, nothing guessed. Thin orders carry no
 * update time: the message's publication time is not the trade's `modified`, and a whole trade
 * fetched afterwards must never look older than its own message.
 */
export function mapTmcMessage(m: TmcMessage, receivedAt: string): TmcMapResult {
  if (!m.topic.startsWith('taobao_trade_') && !m.topic.startsWith('taobao_refund_')) return { kind: 'skip', why: `topic ${m.topic} is not about trades` };
  const tid = str(m.content.tid);
  if (!tid || !/^\d{1,24}$/.test(tid)) return { kind: 'error', errors: [{ field: 'content.tid', message: 'must be the trade id (digits)' }] };
  const stage = TOPIC_STAGE[m.topic];
  const mapped = stage ? statusOf(stage) : { status: 'created' as const, stage: undefined };
  const payment = m.content.payment !== undefined ? toYuan(m.content.payment) : null;
  const refund = REFUND_TOPIC[m.topic];
  const order: PlatformOrder = compact({
    source: 'taobao',
    externalId: tid,
    channel: 'taobao',
    shop: m.userNick ?? str(m.content.seller_nick),
    createdAt: gmt8ToIso(m.pubTime) ?? receivedAt,
    status: mapped.status,
    stage: mapped.stage,
    buyer: {},
    address: {},
    items: [],
    total: payment ?? '0.00',
    currency: 'CNY',
    presale: false,
    logistics: { intercepted: false },
    platformStatus: m.topic,
    flags: [],
    partial: true,
    // A refund message names the refund's new state: recorded on the stored order even though the
    // message carries no order status (see applyRefundSignals).
    refund: refund ? compact({ status: refund, at: gmt8ToIso(m.content.modified) ?? gmt8ToIso(m.pubTime) }) : undefined,
  });
  return { kind: 'order', order };
}

/** Up to `quantity` (≤ 200) unconfirmed messages of the group (§2.1); the app's own call, no session. */
export async function consumeTmc(opts: Omit<TaobaoPullOptions, 'session'>, group: string, quantity: number): Promise<unknown[]> {
  const data = await callTop({ ...opts, session: '' }, 'taobao.tmc.messages.consume', { group_name: group, quantity: String(Math.min(200, quantity)) });
  return topList(data.messages, 'tmc_message');
}

/** Confirm what was stored; unconfirmed messages come back after a few minutes. */
export async function confirmTmc(opts: Omit<TaobaoPullOptions, 'session'>, group: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await callTop({ ...opts, session: '' }, 'taobao.tmc.messages.confirm', { group_name: group, s_message_ids: ids.join(',') });
}

/** One consumed message as the use cases see it: read, mapped, with the id to confirm it by. */
export function tmcShopMessage(raw: unknown, receivedAt: string): ShopMessage {
  const id = str(obj(raw).id);
  const headers = { topic: str(obj(raw).topic) ?? '' };
  const m = readTmcMessage(raw);
  if ('errors' in m) return { id, raw, headers, result: { kind: 'error', errors: m.errors } };
  const mapped = mapTmcMessage(m, receivedAt);
  if (mapped.kind === 'order') return { id, raw, headers, result: { kind: 'order', order: { order: mapped.order, raw: m.raw } } };
  if (mapped.kind === 'skip') return { id, raw, headers, result: { kind: 'skip' } };
  return { id, raw, headers, result: { kind: 'error', errors: mapped.errors } };
}

/**
 * Taobao's TMC as a message queue port (domain/platforms/ports.ts): the app's own queue (no seller
 * session), `quantity` messages a call.
 */
export function tmcQueue(api: Omit<TaobaoPullOptions, 'session'>, group: string, quantity: number): ShopMessageQueue {
  return {
    source: 'taobao',
    batchSize: quantity,
    consume: async (receivedAt) => (await consumeTmc(api, group, quantity)).map((raw) => tmcShopMessage(raw, receivedAt)),
    confirm: (ids) => confirmTmc(api, group, ids),
  };
}
