/**
 * The tracking subscription port: ask a tracking service to watch a parcel and push its updates
 * to our webhook. One implementation today, 快递100's subscription (src/integrations/tracking).
 *
 * @example
 *   const r = await subscriber.subscribe({ carrierCode: 'zhongtong', trackingNo: '73100000000001', phone: '5678' });
 *   if (!r.ok && r.permanent) // record r.reason on the shipment; a retry would not help
 */
export interface TrackingSubscriber {
  readonly provider: 'kuaidi100';
  /** Resolves for a definite answer; throws (TrackingUnavailableError) when a retry may help. */
  subscribe(req: { carrierCode: string; trackingNo: string; phone?: string }): Promise<SubscribeResult>;
}

export type SubscribeResult = { ok: true; already?: boolean } | { ok: false; permanent: true; reason: string };

/** The tracking service could not be reached or answered with a transient error: retry later. */
export class TrackingUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackingUnavailableError';
  }
}

/** A parcel state in our words, from any carrier feed. */
export const TRACKING_STATES = ['awaiting_pickup', 'picked_up', 'in_transit', 'delivering', 'delivered', 'problem', 'refused', 'returned', 'cancelled'] as const;
export type TrackingState = (typeof TRACKING_STATES)[number];

/**
 * 快递100 `state` (basic and resultv2 advanced codes, ops-signals-and-calendar.md §3.1) → our state.
 * 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投, 8/10–13 清关, 14 拒签;
 * 101 已下单, 102 待揽收, 103 已揽收, 1001–1003 在途, 501 投柜/驿站, 301–304 签收, 401 已销单.
 */
export function kuaidi100State(code: string | undefined): TrackingState | null {
  if (code === undefined || !/^\d+$/.test(code)) return null;
  const n = Number(code);
  if (n === 14) return 'refused';
  if (n === 4 || n === 6) return 'returned';
  if (n === 1 || n === 103) return 'picked_up';
  if (n === 101 || n === 102) return 'awaiting_pickup';
  if (n === 3 || (n >= 301 && n <= 399)) return 'delivered';
  if (n === 5 || (n >= 501 && n <= 599)) return 'delivering';
  if (n === 2 || (n >= 201 && n <= 299)) return 'problem';
  if (n === 401) return 'cancelled';
  return 'in_transit';
}
