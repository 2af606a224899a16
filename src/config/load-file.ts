import { DEFAULT_STORM } from '../domain/cards/digest-card';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { z } from 'zod';
import { DEFAULT_RULES } from '../domain/orders/default-rules';
import type { RulesConfig } from '../domain/orders/rules-types';
import { ErrorCode, OrderopsError } from '../domain/errors';
import { fileSchema, type FileConfig } from './schema';
import { DEFAULT_SMS_WINDOW, DEFAULT_TEAMS, type BacklogStage, type Settings } from './settings';
import { DEFAULT_INVENTORY, type InventorySettings, type PoolRule } from '../domain/inventory/types';
import { RECONCILE_DEFAULT_TEAM, RECONCILE_DEFAULTS, type ShopSettings } from '../domain/reconcile/shop';

export interface ConfigProblem {
  key: string;
  line?: number;
  message: string;
}

/** Read and validate orderops.yml; without a path the built-in defaults apply. */
export function loadSettings(path: string | undefined): Settings {
  if (!path) return toSettings({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(path, [{ key: '(file)', message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseSettings(text, path);
}

export function parseSettings(text: string, path = 'orderops.yml'): Settings {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw configError(
      path,
      doc.errors.map((e) => ({
        key: '(syntax)',
        // linePos is only filled in with prettyErrors; count from the offset instead.
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw configError(path, parsed.error.issues.map((i) => problemAt(doc, lineCounter, i)));
  }
  const settings = toSettings(parsed.data);
  const crossProblems = crossCheck(settings, parsed.data).map((p) => ({
    ...p,
    line: lineOf(doc, lineCounter, p.key.split('.')),
  }));
  if (crossProblems.length > 0) throw configError(path, crossProblems);
  return settings;
}

function problemAt(doc: Document, lc: LineCounter, issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path.push(issue.keys[0] ?? '');
    message = `unknown key "${issue.keys.join('", "')}" (check the spelling against orderops.example.yml)`;
  }
  return { key: path.join('.') || '(root)', line: lineOf(doc, lc, path), message };
}

function lineOf(doc: Document, lc: LineCounter, path: string[]): number | undefined {
  // Walk up the path until a node exists (a missing key is reported at its parent). A map entry is
  // reported at its key's line: a block value (a nested map or list) starts on the line below.
  for (let n = path.length; n >= 0; n--) {
    const keyPath = path.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const last = path[n - 1];
    const parent = n === 0 ? undefined : n === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === last);
      if (isNode(pair?.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(keyPath, true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function configError(path: string, problems: ConfigProblem[]): OrderopsError {
  const lines = problems.map((p) => `  - ${path}${p.line ? `:${p.line}` : ''} ${p.key}: ${p.message}`);
  return new OrderopsError(
    ErrorCode.ConfigInvalid,
    `Invalid configuration in ${path}:\n${lines.join('\n')}\nFix the keys above (orderops.example.yml documents each one) and start again.`,
    problems,
  );
}

function toSettings(f: FileConfig): Settings {
  const r = f.rules ?? {};
  const d = DEFAULT_RULES;
  const routes: RulesConfig['routes'] = { ...d.routes };
  for (const [type, v] of Object.entries(r.routes ?? {})) {
    const base = d.routes[type] ?? d.routes.default!;
    routes[type] = {
      team: v.team,
      severity: v.severity ?? base.severity,
      claimMinutes: v.claim_minutes ?? base.claimMinutes,
      resolveMinutes: v.resolve_minutes ?? base.resolveMinutes,
    };
  }
  const rules: RulesConfig = {
    tags: {
      vip: {
        buyerFlag: r.tags?.vip?.buyer_flag ?? d.tags.vip.buyerFlag,
        minTotal: r.tags?.vip?.min_total !== undefined ? r.tags.vip.min_total : d.tags.vip.minTotal,
      },
      presale: { enabled: r.tags?.presale?.enabled ?? d.tags.presale.enabled },
      urgent: r.tags?.urgent
        ? { type: 'urgent', keywords: r.tags.urgent.keywords, exclude: r.tags.urgent.exclude ?? [] }
        : d.tags.urgent,
    },
    vagueAddress: {
      enabled: r.vague_address?.enabled ?? d.vagueAddress.enabled,
      landmarks: r.vague_address?.landmarks ?? d.vagueAddress.landmarks,
      relativeLandmarks: r.vague_address?.relative_landmarks ?? d.vagueAddress.relativeLandmarks,
      requireHouseNumber: r.vague_address?.require_house_number ?? d.vagueAddress.requireHouseNumber,
      minDetailLength: r.vague_address?.min_detail_length ?? d.vagueAddress.minDetailLength,
      checkDivisions: r.vague_address?.check_divisions ?? d.vagueAddress.checkDivisions,
    },
    payment: { enabled: r.payment?.enabled ?? d.payment.enabled },
    remarkKeywords: r.remark_keywords ?? d.remarkKeywords,
    logistics: { enabled: r.logistics?.enabled ?? d.logistics.enabled },
    stock: { enabled: r.stock?.enabled ?? d.stock.enabled },
    review: {
      amountAtLeast:
        r.review?.amount_at_least !== undefined ? r.review.amount_at_least : d.review.amountAtLeast,
      regions: r.review?.regions ?? d.review.regions,
    },
    routes,
  };
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
  };
}

function toPools(m: Record<string, { channels: string[]; shops?: string[]; reserve?: number; weight?: number; overflow?: boolean }>): PoolRule[] {
  return Object.entries(m).map(([name, p]) => ({
    name,
    channels: p.channels,
    shops: p.shops ?? null,
    reserve: p.reserve ?? null,
    weightBp: p.weight !== undefined ? Math.round(p.weight * 10_000) : null,
    overflow: p.overflow ?? true,
  }));
}

function toInventory(i: FileConfig['inventory'], timezone: string): InventorySettings {
  const d = DEFAULT_INVENTORY;
  return {
    enabled: i?.enabled ?? d.enabled,
    team: i?.team ?? d.team,
    lowStockThreshold: i?.low_stock_threshold ?? d.lowStockThreshold,
    pools: toPools(i?.pools ?? {}),
    skuPools: Object.fromEntries(Object.entries(i?.sku_pools ?? {}).map(([sku, m]) => [sku, toPools(m)])),
    tolerance: { stock: i?.tolerance?.stock ?? d.tolerance.stock, price: i?.tolerance?.price ?? d.tolerance.price },
    report: {
      enabled: i?.report?.enabled ?? d.report.enabled,
      time: i?.report?.time ?? d.report.time,
      timezone: i?.report?.timezone ?? timezone,
      goal: i?.report?.goal ?? d.report.goal,
      worst: i?.report?.worst ?? d.report.worst,
    },
    priceApproverRoles: i?.price_approver_roles ?? d.priceApproverRoles,
    onShip: i?.on_ship ?? d.onShip,
  };
}

/** Checks that span keys: every team named exists, staff ids are unique. */
function crossCheck(s: Settings, f: FileConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const teams = new Set(Object.keys(s.teams));
  const teamList = [...teams].join(', ');
  for (const [type, route] of Object.entries(f.rules?.routes ?? {})) {
    if (!teams.has(route.team)) {
      problems.push({ key: `rules.routes.${type}.team`, message: `team "${route.team}" is not under teams: (${teamList})` });
    }
  }
  for (const [type, route] of Object.entries(s.rules.routes)) {
    if (!f.rules?.routes?.[type] && !teams.has(route.team)) {
      problems.push({
        key: 'teams',
        message: `the built-in route for "${type}" uses team "${route.team}", which is missing: add it or override rules.routes.${type}`,
      });
    }
  }
  for (const [name, st] of Object.entries(f.backlog?.stages ?? {})) {
    if (st?.team && !teams.has(st.team)) {
      problems.push({ key: `backlog.stages.${name}.team`, message: `team "${st.team}" is not under teams: (${teamList})` });
    }
  }
  if (f.inventory?.team && !teams.has(f.inventory.team)) {
    problems.push({ key: 'inventory.team', message: `team "${f.inventory.team}" is not under teams: (${teamList})` });
  }
  const weights = (key: string, pools: PoolRule[]) => {
    const bp = pools.reduce((n, p) => n + (p.weightBp ?? 0), 0);
    if (bp > 10_000) problems.push({ key, message: `pool weights add up to ${bp / 100} %, more than the whole stock: lower them to 1.0 in total` });
  };
  weights('inventory.pools', s.inventory.pools);
  for (const [sku, pools] of Object.entries(s.inventory.skuPools)) weights(`inventory.sku_pools.${sku}`, pools);
  const seen = new Set<string>();
  (f.staff ?? []).forEach((m, i) => {
    if (seen.has(m.id)) problems.push({ key: `staff.${i}.id`, message: `duplicate staff id "${m.id}"` });
    seen.add(m.id);
    if (m.team && !teams.has(m.team)) {
      problems.push({ key: `staff.${i}.team`, message: `team "${m.team}" is not under teams: (${teamList})` });
    }
  });
  problems.push(...shopProblems(f, teams, teamList));
  return problems;
}

function toShop(s: NonNullable<FileConfig['shops']>[number]): ShopSettings {
  return {
    id: s.id,
    source: s.source,
    name: s.name ?? s.id,
    team: s.team ?? RECONCILE_DEFAULT_TEAM,
    ...(s.token_env !== undefined ? { tokenEnv: s.token_env } : {}),
    ...(s.shop_domain !== undefined ? { shopDomain: s.shop_domain } : {}),
    orderShop: s.order_shop ?? s.id,
    ...(s.silence
      ? { silence: { minutes: s.silence.minutes, activeHours: s.silence.active_hours ?? null, orderShop: s.silence.order_shop ?? s.order_shop ?? s.id } }
      : {}),
    reconcile: {
      enabled: s.reconcile?.enabled ?? RECONCILE_DEFAULTS.enabled,
      everyMinutes: s.reconcile?.every_minutes ?? RECONCILE_DEFAULTS.everyMinutes,
      windowMinutes: s.reconcile?.window_minutes ?? RECONCILE_DEFAULTS.windowMinutes,
    },
  };
}

/** shops: unique ids, known teams, a domain for Shopify, and windows that leave no gap between runs. */
function shopProblems(f: FileConfig, teams: Set<string>, teamList: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ids = new Set<string>();
  (f.shops ?? []).forEach((s, i) => {
    if (ids.has(s.id)) problems.push({ key: `shops.${i}.id`, message: `duplicate shop id "${s.id}"` });
    ids.add(s.id);
    const team = s.team ?? RECONCILE_DEFAULT_TEAM;
    if (!teams.has(team)) {
      problems.push({
        key: s.team ? `shops.${i}.team` : `shops.${i}`,
        message: s.team ? `team "${team}" is not under teams: (${teamList})` : `no team given and the default team "${team}" is not under teams: add team: (${teamList})`,
      });
    }
    if (s.source === 'shopify' && !s.shop_domain) problems.push({ key: `shops.${i}`, message: 'a Shopify shop needs shop_domain, e.g. example.myshopify.com' });
    if (s.source !== 'shopify' && s.shop_domain) problems.push({ key: `shops.${i}.shop_domain`, message: `only Shopify shops have a shop_domain (this one is ${s.source})` });
    const every = s.reconcile?.every_minutes ?? RECONCILE_DEFAULTS.everyMinutes;
    const window = s.reconcile?.window_minutes ?? RECONCILE_DEFAULTS.windowMinutes;
    if (window < every) {
      problems.push({
        key: `shops.${i}.reconcile.window_minutes`,
        message: `window_minutes (${window}) is shorter than every_minutes (${every}): orders updated between two runs would never be compared; make the window at least the interval (overlapping is safe)`,
      });
    }
  });
  return problems;
}
