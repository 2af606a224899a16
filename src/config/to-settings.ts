import { DEFAULT_STORM } from '../domain/cards/digest-card';
import type { FileConfig } from './schema';
import { DEFAULT_SMS_WINDOW, DEFAULT_TEAMS, type BacklogStage, type Settings } from './settings';
import { toRules } from './rules-settings';
import { toInventory } from './inventory-settings';
import { toShop } from './shop-settings';
import { toErpWebhook, toShopSync } from './shop-sync-settings';
import { toCalendar } from './calendar-settings';
import { toSignals } from './signal-settings';

/**
 * The validated file with every default filled in. Each area with more than a few keys maps its own
 * part in a module of its own (rules-settings.ts, inventory-settings.ts, shop-settings.ts …).
 */
export function toSettings(f: FileConfig): Settings {
  const rules = toRules(f.rules);
  const esc = f.escalation ?? {};
  const bl = f.backlog ?? {};
  const stage = (name: BacklogStage, team: string) => ({
    thresholdMinutes: bl.stages?.[name]?.threshold_minutes ?? 30,
    team: bl.stages?.[name]?.team ?? team,
  });
  return {
    timezone: f.timezone ?? 'Asia/Shanghai',
    locale: f.locale ?? 'zh-CN',
    intake: {
      maxBatch: f.intake?.max_batch ?? 500,
      maxConcurrentFlushes: f.intake?.max_concurrent_flushes ?? 1,
      maxPending: f.intake?.max_pending ?? 50_000,
    },
    processing: {
      concurrency: f.processing?.concurrency ?? 8,
      sweepSeconds: f.processing?.sweep_seconds ?? 30,
    },
    teams: f.teams ?? DEFAULT_TEAMS,
    staff: f.staff ?? [],
    rules,
    escalation: {
      level1: { repeatEveryMinutes: esc.level1?.repeat_every_minutes ?? null, maxRepeats: esc.level1?.max_repeats ?? 0 },
      level2: { repeatEveryMinutes: esc.level2?.repeat_every_minutes ?? null, maxRepeats: esc.level2?.max_repeats ?? 0 },
      email: { enabled: esc.email?.enabled ?? true, window: esc.email?.window ?? null },
      sms: {
        enabled: esc.sms?.enabled ?? true,
        window: esc.sms?.window !== undefined ? esc.sms.window : DEFAULT_SMS_WINDOW,
        urgentIgnoresWindow: esc.sms?.urgent_ignores_window ?? true,
      },
      feishuUrgent: esc.feishu_urgent ?? true,
    },
    backlog: {
      enabled: bl.enabled ?? true,
      intervalSeconds: bl.interval_seconds ?? 60,
      perShop: bl.per_shop ?? false,
      listOldest: bl.list_oldest ?? 5,
      stages: {
        pending: stage('pending', 'review'),
        reviewed: stage('reviewed', 'warehouse'),
        printed: stage('printed', 'warehouse'),
        packed: stage('packed', 'warehouse'),
        weighed: stage('weighed', 'warehouse'),
      },
    },
    pddPmc: { enabled: f.pdd_pmc?.enabled ?? false },
    taobaoTmc: {
      enabled: f.taobao_tmc?.enabled ?? false,
      group: f.taobao_tmc?.group ?? 'default',
      pollSeconds: f.taobao_tmc?.poll_seconds ?? 5,
      quantity: f.taobao_tmc?.quantity ?? 100,
    },
    storm: {
      enabled: f.storm?.enabled ?? DEFAULT_STORM.enabled,
      maxCards: f.storm?.max_cards ?? DEFAULT_STORM.maxCards,
      windowSeconds: f.storm?.window_seconds ?? DEFAULT_STORM.windowSeconds,
      quietSeconds: f.storm?.quiet_seconds ?? DEFAULT_STORM.quietSeconds,
      list: f.storm?.list ?? DEFAULT_STORM.list,
      releaseAfter: f.storm?.release_after ?? DEFAULT_STORM.releaseAfter,
    },
    inventory: toInventory(f.inventory, f.timezone ?? 'Asia/Shanghai'),
    shops: (f.shops ?? []).map(toShop),
    shopSync: toShopSync(f.shop_sync, f.erp_webhook),
    erpWebhook: toErpWebhook(f.erp_webhook),
    calendar: toCalendar(f, f.teams ?? DEFAULT_TEAMS),
    signals: toSignals(f),
  };
}

