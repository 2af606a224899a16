/**
 * What orderops.yml decides about platform signals (`ship_by:`, `tracking:`), after defaults.
 * Hours may be fractions (0.5 = 30 min); they become milliseconds here, never an integer column.
 */
export interface ShipByRule {
  /** Hours after payment when the platform gives no ship-by time; null: no default (only the platform's). */
  defaultHours: number | null;
  /** Warn this many hours before the deadline. */
  warnHours: number;
  /** The seller's own note on what lateness costs on this platform (shown on the card); null: the built-in note. */
  penaltyNote: string | null;
}

export interface SignalSettings {
  /** Keyed by the order's channel (taobao, tmall, jd, pinduoduo, douyin, miniapp, shopify, or any other). */
  shipBy: Record<string, ShipByRule>;
  tracking: {
    /** Shipped and tracked, but no carrier pickup (揽收) this many hours later → pickup_overdue. */
    pickupHours: number;
    /** No tracking update this many hours → tracking_stalled. */
    stalledHours: number;
    /** The order's carrier as platforms name it → 快递100's company code (added to the built-in table). */
    carrierCodes: Record<string, string>;
  };
}

/**
 * Defaults the seller must check against their own platform agreements (ops-signals-and-calendar.md
 * §1): 48 h after payment on the Chinese platforms, 2 days for Shopify; warn 6 h ahead, 12 h for
 * Tmall and JD, where lateness costs most.
 */
export const DEFAULT_SHIP_BY: Record<string, ShipByRule> = {
  taobao: { defaultHours: 48, warnHours: 6, penaltyNote: null },
  tmall: { defaultHours: 48, warnHours: 12, penaltyNote: null },
  jd: { defaultHours: 48, warnHours: 12, penaltyNote: null },
  pinduoduo: { defaultHours: 48, warnHours: 6, penaltyNote: null },
  douyin: { defaultHours: 48, warnHours: 6, penaltyNote: null },
  miniapp: { defaultHours: 48, warnHours: 6, penaltyNote: null },
  shopify: { defaultHours: 48, warnHours: 6, penaltyNote: null },
};

export const DEFAULT_SIGNALS: SignalSettings = {
  shipBy: DEFAULT_SHIP_BY,
  tracking: { pickupHours: 24, stalledHours: 48, carrierCodes: {} },
};

/** Exception types this area raises; processing's rule engine leaves them alone. */
export const SIGNAL_TYPES = ['ship_overdue', 'refund_pending', 'pickup_overdue', 'tracking_stalled', 'delivery_refused'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];
export const isSignalType = (t: string): t is SignalType => (SIGNAL_TYPES as readonly string[]).includes(t);
