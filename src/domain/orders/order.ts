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

/** Fulfilment stages, in order. Backlog alerts count orders idle in each. */
export const ORDER_STAGES = ['pending', 'reviewed', 'printed', 'packed', 'shipped', 'delivered'] as const;
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
}
