import type { StormPolicy } from '../domain/cards/digest-card';
import type { RulesConfig } from '../domain/orders/rules-types';
import type { SlaPolicy, TimeWindow } from '../domain/sla/policy';
import type { ChannelRules } from '../domain/sla/plan';
import type { InventorySettings } from '../domain/inventory/types';
import type { ShopSettings } from '../domain/reconcile/shop';
import type { ShopSyncSettings } from '../domain/shop/settings';
import type { ErpWebhookSettings } from './shop-sync-settings';
import type { CalendarSettings, HoursSpec } from '../domain/calendar';
import type { SignalSettings } from '../domain/signals/settings';

export type StaffRole = 'agent' | 'supervisor' | 'manager' | 'admin';

export interface StaffMember {
  id: string;
  name: string;
  role: StaffRole;
  team?: string;
  slack?: string;
  feishu?: string;
  email?: string;
  phone?: string;
  /** Their own shift within the team (default: the team's hours). */
  hours?: HoursSpec;
}

/** Everything orderops.yml decides, after validation and defaults. */
export interface Settings {
  timezone: string;
  locale: 'zh-CN' | 'en';
  intake: { maxBatch: number; maxConcurrentFlushes: number; maxPending: number };
  processing: { concurrency: number; sweepSeconds: number };
  /** Each team's display name and where its cards go on each platform. */
  teams: Record<string, TeamSettings>;
  staff: StaffMember[];
  rules: RulesConfig;
  escalation: SlaPolicy & ChannelRules;
  backlog: {
    enabled: boolean;
    intervalSeconds: number;
    perShop: boolean;
    listOldest: number;
    stages: Record<BacklogStage, { thresholdMinutes: number; team: string }>;
  };
  /** Pinduoduo's message service (a WebSocket the bot holds open, `pdd_pmc:`); needs PDD_CLIENT_ID/SECRET. */
  pddPmc: { enabled: boolean };
  /** Taobao's message service (TMC) polled over HTTP (`taobao_tmc:`); needs TAOBAO_APP_KEY/SECRET. */
  taobaoTmc: { enabled: boolean; group: string; pollSeconds: number; quantity: number };
  /** When a storm of exceptions turns into digest cards instead of one card each (`storm:`). */
  storm: StormPolicy;
  /** Channel pools, low stock, the daily consistency report and price approval. */
  inventory: InventorySettings;
  /** The shops reconciled against their platform's order list (`shops:`). */
  shops: ShopSettings[];
  /** Pushes of prices and stock to the shops, listing pulls and the night guard (`shop_sync:`). */
  shopSync: ShopSyncSettings;
  /** The signed outbound webhook to the seller's ERP / mini-program (`erp_webhook:`); null when not configured. */
  erpWebhook: ErpWebhookSettings | null;
  /** Holidays, 调休, team hours, time zones and on-call rosters (`calendar:` and each team's keys). */
  calendar: CalendarSettings;
  /** Ship-by deadlines per channel and carrier tracking (`ship_by:`, `tracking:`). */
  signals: SignalSettings;
}

export type BacklogStage = 'pending' | 'reviewed' | 'printed' | 'packed' | 'weighed';

export const DEFAULT_SMS_WINDOW: TimeWindow = { from: '08:00', to: '22:00' };

export interface TeamSettings {
  name: string;
  slack_channel?: string;
  feishu_chat?: string;
  /** Handoff cards at shift starts (default true; teams with hours only). */
  handoff_card?: boolean;
}

export const DEFAULT_TEAMS: Record<string, TeamSettings> = {
  service: { name: '客服组' },
  finance: { name: '财务组' },
  warehouse: { name: '仓储组' },
  review: { name: '审核组' },
};
