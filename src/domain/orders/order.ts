/**
 * The internal order: what every source (generic JSON, Douyin, Shopify …) is mapped onto.
 * Money is kept as a decimal string in the currency's unit ("599.00"), never a float.
 */
export const ORDER_STATUSES = [
  'created',
  'pending_payment',
  'payment_failed',
  'partially_paid',
  'paid',
  'completed',
  'cancelled',
  'refunded',
  'closed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Fulfilment stages, in order (称重 weighed between packed and shipped). Backlog alerts count orders idle in each. */
export const ORDER_STAGES = ['pending', 'reviewed', 'printed', 'packed', 'weighed', 'shipped', 'delivered'] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

const STATUS_RANK: Record<OrderStatus, number> = {
  created: 0,
  pending_payment: 0,
  payment_failed: 1,
  partially_paid: 2,
  paid: 3,
  completed: 4,
  cancelled: 5,
  refunded: 5,
  closed: 5,
};

export function statusRank(s: OrderStatus): number {
  return STATUS_RANK[s];
}

export function stageRank(s: OrderStage): number {
  return ORDER_STAGES.indexOf(s);
}

export function isTerminalStatus(s: OrderStatus): boolean {
  return STATUS_RANK[s] === 5;
}

/** The platform's refund / after-sales state of the order: requested (退款中) until refunded, rejected or withdrawn. */
export const REFUND_STATUSES = ['requested', 'refunded', 'rejected', 'withdrawn'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Why a platform says an order must not ship yet (shop-platforms.md §7.2). */
export type HoldReason =
  | 'risk_review'
  | 'group_pending'
  | 'presale_unpaid'
  | 'address_change'
  | 'refund_pending'
  | 'intercept'
  | 'platform_hold';

export interface OrderItem {
  sku: string;
  qty: number;
  price?: string;
  name?: string;
}

export interface Address {
  province?: string;
  city?: string;
  district?: string;
  detail?: string;
}

export interface Buyer {
  name?: string;
  phone?: string;
  vip?: boolean;
}

export interface Order {
  source: string;
  externalId: string;
  channel: string;
  shop?: string;
  createdAt: string;
  /** The platform's own last-update time, when it sends one; decides which of two posts is newer. */
  updatedAt?: string;
  status: OrderStatus;
  stage?: OrderStage;
  buyer: Buyer;
  address: Address;
  items: OrderItem[];
  total: string;
  paid?: string;
  currency: string;
  remark?: string;
  sellerRemark?: string;
  presale: boolean;
  /** Presale balance deadline; past it with paid < total is a payment exception. */
  balanceDueAt?: string;
  logistics: { intercepted: boolean; carrier?: string; trackingNo?: string };
  /** Event times as the platform gives them (ISO 8601 with offset); stored in orders.paid_at, ship_by_at, shipped_at. */
  paidAt?: string;
  /** The platform's promised ship-by time (Douyin exp_ship_time, Pinduoduo last_ship_time …). */
  shipBy?: string;
  shippedAt?: string;
  /** The platform's refund / after-sales state; absent on a whole order means none. */
  refund?: { status: RefundStatus; at?: string };
  /** The platform says the order must not ship yet. */
  holdReason?: HoldReason;
}
