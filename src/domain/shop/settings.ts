import { withinWindow, type TimeWindow } from '../sla/policy';
import type { StaffRole } from '../staff';

/** Platforms orderops pushes to (their order channel names) and the seller's own webhook. */
export const PUSH_PLATFORMS = ['douyin', 'taobao', 'pinduoduo', 'jd', 'shopify', 'webhook'] as const;
export type PushPlatform = (typeof PUSH_PLATFORMS)[number];

/** `shop_sync:` in orderops.yml, after defaults. */
export interface ShopSyncSettings {
  /** Push approved prices and sellable stock to the shops (off: nothing leaves, cards say so). */
  enabled: boolean;
  /**
   * Calls per second each platform's API takes from this app (set per app in each console;
   * shared by every copy of the bot through the queue's Redis limiter).
   */
  rateLimits: Record<PushPlatform, number>;
  /** A storm of stock changes is sent at most once per SKU and listing per this many seconds. */
  stockCoalesceSeconds: number;
  /** Tries of one push before it is marked failed (throttling waits do not count). */
  attempts: number;
  /** Pushes due in this local window wait for an explicit confirmation (避免凌晨误操作). */
  nightGuard: { enabled: boolean; window: TimeWindow };
  /** Listing pulls: every `everyMinutes`, and `beforeReportMinutes` before the daily report. */
  listings: { enabled: boolean; everyMinutes: number; beforeReportMinutes: number };
  /** The pools' order channel the seller's own webhook (mini-program/ERP) sells as. */
  webhookChannel: string;
  /** Who may set a channel pool from chat or the CLI (`/orderops pool …`). */
  poolRoles: StaffRole[];
}

export const DEFAULT_SHOP_SYNC: ShopSyncSettings = {
  enabled: true,
  rateLimits: { douyin: 10, taobao: 10, pinduoduo: 50, jd: 10, shopify: 2, webhook: 20 },
  stockCoalesceSeconds: 5,
  attempts: 8,
  nightGuard: { enabled: true, window: { from: '00:00', to: '06:00' } },
  listings: { enabled: true, everyMinutes: 60, beforeReportMinutes: 15 },
  webhookChannel: 'generic',
  poolRoles: ['supervisor', 'manager', 'admin'],
};

/** Whether a push at `at` falls in the guarded night hours and so needs a confirmation. */
export function needsNightConfirmation(g: ShopSyncSettings['nightGuard'], timezone: string, at: Date): boolean {
  return g.enabled && g.window.from !== g.window.to && withinWindow(g.window, timezone, at);
}

/** "09:00" minus 15 minutes → "08:45" (wrapping past midnight): when the pre-report pull runs. */
export function minutesBefore(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number);
  const t = ((((h ?? 0) * 60 + (m ?? 0) - minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}
