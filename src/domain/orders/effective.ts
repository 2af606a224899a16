import type { Address } from './order';

/** The order as the bot knows it after its own decisions, for the warehouse/ERP. */
export interface EffectiveOrder {
  status: string;
  stage: string;
  review_status: string;
  /** Held before the warehouse (an open exception): do not ship yet. */
  held: boolean;
  priority: number;
  address: Address;
  /** The address was corrected in chat (修改地址): ship to this one, not the platform's. */
  address_corrected: boolean;
}

/** What the platform itself sent, shown beside the effective order. */
export interface PlatformOriginal {
  status: string;
  address: Address;
  platform_status?: string;
}

export interface OrderFacts {
  status: string;
  stage: string;
  review_status: string;
  priority: number;
  address_override: Address | null;
  data: { address?: Address; status?: string; platformStatus?: string };
}

/**
 * The effective order (corrected address, hold, priority, stage) and the platform's original beside
 * it. A corrected address wins over the platform's; `held` means an exception keeps it from the
 * warehouse (review_status held, or still waiting for review).
 *
 * @example effectiveOrder(row).effective.address // the address to ship to
 */
export function effectiveOrder(o: OrderFacts): { effective: EffectiveOrder; original: PlatformOriginal } {
  const platformAddress = o.data.address ?? {};
  return {
    effective: {
      status: o.status,
      stage: o.stage,
      review_status: o.review_status,
      held: o.review_status === 'held' || o.review_status === 'pending',
      priority: o.priority,
      address: o.address_override ?? platformAddress,
      address_corrected: o.address_override !== null,
    },
    original: {
      status: o.data.status ?? o.status,
      address: platformAddress,
      ...(o.data.platformStatus !== undefined ? { platform_status: o.data.platformStatus } : {}),
    },
  };
}
