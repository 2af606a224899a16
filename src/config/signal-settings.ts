import { DEFAULT_SHIP_BY, DEFAULT_SIGNALS, type ShipByRule, type SignalSettings } from '../domain/signals/settings';
import type { FileConfig } from './schema';

/** `ship_by:` and `tracking:` with defaults: a channel's keys override the built-in rule key by key. */
export function toSignals(f: FileConfig): SignalSettings {
  const shipBy: Record<string, ShipByRule> = { ...DEFAULT_SHIP_BY };
  for (const [channel, r] of Object.entries(f.ship_by ?? {})) {
    const base = DEFAULT_SHIP_BY[channel] ?? { defaultHours: null, warnHours: 6, penaltyNote: null };
    shipBy[channel] = {
      defaultHours: r.default_hours !== undefined ? r.default_hours : base.defaultHours,
      warnHours: r.warn_hours ?? base.warnHours,
      penaltyNote: r.penalty_note !== undefined ? r.penalty_note : base.penaltyNote,
    };
  }
  const t = f.tracking ?? {};
  return {
    shipBy,
    tracking: {
      pickupHours: t.pickup_hours ?? DEFAULT_SIGNALS.tracking.pickupHours,
      stalledHours: t.stalled_hours ?? DEFAULT_SIGNALS.tracking.stalledHours,
      carrierCodes: t.carrier_codes ?? {},
    },
  };
}
