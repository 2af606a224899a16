import { z } from 'zod';
import { parseHourRange } from '../domain/calendar/hours';

/**
 * The shape of orderops.yml (snake_case, as operators write it). Every key is optional: the
 * built-in defaults reproduce the source article's rules. See orderops.example.yml.
 */
// Fractions are allowed (0.1 = 6 s) so drills and tests can run SLAs in seconds.
const minutes = z.number().positive().max(7 * 24 * 60);
const money = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d+(\.\d{1,2})?$/.test(v), 'must be an amount like 3000 or 2999.50');
const keywordList = z.array(z.string().trim().min(1)).max(200);

const keywordGroup = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, e.g. remark_invoice'),
  keywords: keywordList.min(1),
  exclude: keywordList.default([]),
});

const route = z.strictObject({
  team: z.string().min(1),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  claim_minutes: minutes.optional(),
  resolve_minutes: minutes.optional(),
  // wall: the SLA minutes run round the clock; business: only the team's working hours count.
  clock: z.enum(['wall', 'business']).optional(),
});

// calendar, hours and on-call (issue 20): dates are local YYYY-MM-DD, ranges "HH:MM-HH:MM".
const isoDate = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
  && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'must be a date YYYY-MM-DD, e.g. 2027-01-01');
const dateList = z.array(isoDate).max(1000);
const hourRange = z.string().superRefine((v, ctx) => {
  const r = parseHourRange(v);
  if ('error' in r) ctx.addIssue({ code: 'custom', message: r.error });
});
const dayHours = z.union([hourRange, z.array(hourRange).min(1).max(6)]);
const hoursSpec = z
  .strictObject({ weekdays: dayHours.optional(), mon: dayHours.optional(), tue: dayHours.optional(), wed: dayHours.optional(), thu: dayHours.optional(), fri: dayHours.optional(), sat: dayHours.optional(), sun: dayHours.optional() });
const dateOrTime = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d)?$/.test(v) && !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : `${v}:00Z`)),
  'must be a date YYYY-MM-DD (from that day\'s handoff) or a local time YYYY-MM-DDTHH:MM');
const oncall = z.strictObject({
  rotation: z.enum(['daily', 'weekly']).optional(),
  people: z.array(z.string().min(1)).min(1).max(100),
  handoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, e.g. 09:00').optional(),
  // The date whose duty is the first person's; the rotation counts from it.
  start: isoDate.optional(),
  overrides: z.array(z.strictObject({ from: dateOrTime, to: dateOrTime, person: z.string().min(1) })).max(500).optional(),
});
const teamCalendar = z.strictObject({
  extra_holidays: dateList.optional(),
  extra_workdays: dateList.optional(),
  every_day: z.boolean().optional(),
});

const staff = z.strictObject({
  // A person's own shift within their team (default: the team's hours), e.g. { weekdays: "20:00-08:00" }.
  hours: hoursSpec.optional(),
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only'),
  name: z.string().min(1),
  role: z.enum(['agent', 'supervisor', 'manager', 'admin']),
  team: z.string().min(1).optional(),
  slack: z.string().optional(),
  feishu: z.string().optional(),
  email: z.email().optional(),
  phone: z.string().regex(/^\+?[0-9 -]{5,20}$/, 'digits, optionally with a leading +').optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, e.g. 08:00');
const window = z.strictObject({ from: hhmm, to: hhmm }).nullable();
const levelRepeat = z.strictObject({
  repeat_every_minutes: minutes.nullable().optional(),
  max_repeats: z.number().int().min(0).max(50).optional(),
});
const stageName = z.enum(['pending', 'reviewed', 'printed', 'packed', 'weighed']);
// Fractions allowed (0.5 = 30 min); at most 30 days.
const hours = z.number().positive().max(30 * 24);
const channelName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a channel as orders name it: taobao, tmall, jd, pinduoduo, douyin, miniapp, shopify …');

// inventory: channel pools, tolerances, the daily consistency report, price approval.
const ianaZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Asia/Shanghai');
const poolRule = z
  .strictObject({
    channels: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a channel as orders name it: douyin, taobao, jd, pinduoduo …')).min(1),
    shops: z.array(z.string().min(1)).min(1).optional(),
    reserve: z.number().int().min(0).max(1_000_000_000).optional(),
    weight: z.number().gt(0).max(1).optional(),
    overflow: z.boolean().optional(),
  })
  .refine((p) => (p.reserve === undefined) !== (p.weight === undefined), 'give either reserve (units, e.g. 30) or weight (a share, e.g. 0.3)');
const poolMap = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'pool names are snake_case, e.g. douyin_live'), poolRule);

// shops: one entry per shop orderops reconciles (the token itself stays in the environment).
const shop = z.strictObject({
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only, e.g. home-flagship'),
  source: z.enum(['douyin', 'shopify', 'taobao', 'pinduoduo', 'jd']),
  name: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
  token_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'the NAME of the environment variable that holds the token, e.g. DOUYIN_TOKEN_HOME (never the token itself)')
    .optional(),
  shop_domain: z.string().regex(/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i, 'a host name such as example.myshopify.com (no https://)').optional(),
  // The shop value the platform's orders carry (Douyin shop_id …): ties a push to this shop's token.
  order_shop: z.string().min(1).optional(),
  reconcile: z
    .strictObject({
      enabled: z.boolean().optional(),
      every_minutes: z.number().int().min(5).max(1440).optional(),
      window_minutes: z.number().int().min(10).max(7 * 24 * 60).optional(),
    })
    .optional(),
  // No orders from this shop for `minutes` during its active hours → one alert card.
  silence: z
    .strictObject({
      minutes: z.number().positive().max(7 * 24 * 60),
      active_hours: z.strictObject({ from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'), to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM') }).nullable().optional(),
      order_shop: z.string().min(1).optional(),
    })
    .optional(),
});

// shop_sync: pushes of approved prices and sellable stock to the shops, listing pulls, the night guard.
const platformRate = z.number().positive().max(10_000);
const shopSync = z.strictObject({
  enabled: z.boolean().optional(),
  rate_limits: z
    .strictObject({
      douyin: platformRate.optional(),
      taobao: platformRate.optional(),
      pinduoduo: platformRate.optional(),
      jd: platformRate.optional(),
      shopify: platformRate.optional(),
      webhook: platformRate.optional(),
    })
    .optional(),
  stock_coalesce_seconds: z.number().int().min(1).max(3600).optional(),
  pool_roles: z.array(z.enum(['agent', 'supervisor', 'manager', 'admin'])).min(1).optional(),
  attempts: z.number().int().min(1).max(50).optional(),
  night_guard: z.strictObject({ enabled: z.boolean().optional(), from: hhmm.optional(), to: hhmm.optional() }).optional(),
  listings: z
    .strictObject({
      enabled: z.boolean().optional(),
      every_minutes: z.number().int().min(5).max(1440).optional(),
      before_report_minutes: z.number().int().min(1).max(180).optional(),
    })
    .optional(),
});
// erp_webhook: the signed outbound webhook to the seller's ERP / mini-program (the secret stays in the environment).
const erpWebhook = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://erp.example.com/orderops' }),
  secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the NAME of the environment variable that holds the secret, e.g. ERP_WEBHOOK_SECRET').optional(),
  channel: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'the order channel the pools serve it as, e.g. generic').optional(),
  prices: z.boolean().optional(),
  stock: z.boolean().optional(),
  orders: z.boolean().optional(),
});

export const fileSchema = z.strictObject({
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai')
    .optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
  calendar: z
    .strictObject({ country: z.enum(['CN', 'none']).optional(), extra_holidays: dateList.optional(), extra_workdays: dateList.optional() })
    .optional(),
  intake: z
    .strictObject({
      max_batch: z.number().int().min(1).max(5000).optional(),
      max_concurrent_flushes: z.number().int().min(1).max(16).optional(),
      max_pending: z.number().int().min(100).max(1_000_000).optional(),
    })
    .optional(),
  processing: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).optional(),
      sweep_seconds: z.number().int().min(5).max(3600).optional(),
    })
    .optional(),
  escalation: z
    .strictObject({
      level1: levelRepeat.optional(),
      level2: levelRepeat.optional(),
      email: z.strictObject({ enabled: z.boolean().optional(), window: window.optional() }).optional(),
      sms: z
        .strictObject({ enabled: z.boolean().optional(), window: window.optional(), urgent_ignores_window: z.boolean().optional() })
        .optional(),
      feishu_urgent: z.boolean().optional(),
    })
    .optional(),
  backlog: z
    .strictObject({
      enabled: z.boolean().optional(),
      interval_seconds: z.number().int().min(5).max(3600).optional(),
      per_shop: z.boolean().optional(),
      list_oldest: z.number().int().min(1).max(20).optional(),
      stages: z
        .partialRecord(stageName, z.strictObject({ threshold_minutes: minutes.optional(), team: z.string().min(1).optional() }))
        .optional(),
    })
    .optional(),
  // Ship-by deadlines per order channel: the default when the platform gives none, when to warn,
  // and the seller's note on what lateness costs (shown on the card, never used in logic).
  ship_by: z
    .record(
      channelName,
      z.strictObject({
        default_hours: hours.nullable().optional(),
        warn_hours: hours.optional(),
        penalty_note: z.string().trim().min(1).max(300).nullable().optional(),
      }),
    )
    .optional(),
  tracking: z
    .strictObject({
      pickup_hours: hours.optional(),
      stalled_hours: hours.optional(),
      carrier_codes: z.record(z.string().min(1), z.string().regex(/^[a-z][a-z0-9]{1,30}$/, 'a 快递100 company code such as zhongtong')).optional(),
    })
    .optional(),
  pdd_pmc: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  taobao_tmc: z
    .strictObject({
      enabled: z.boolean().optional(),
      group: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a TMC consumer group name such as default').optional(),
      poll_seconds: z.number().int().min(1).max(600).optional(),
      quantity: z.number().int().min(1).max(200).optional(),
    })
    .optional(),
  storm: z
    .strictObject({
      enabled: z.boolean().optional(),
      max_cards: z.number().int().min(1).max(1000).optional(),
      window_seconds: z.number().int().min(1).max(3600).optional(),
      quiet_seconds: z.number().int().min(1).max(86_400).optional(),
      list: z.number().int().min(1).max(20).optional(),
      release_after: z.boolean().optional(),
    })
    .optional(),
  inventory: z
    .strictObject({
      enabled: z.boolean().optional(),
      team: z.string().min(1).optional(),
      low_stock_threshold: z.number().int().min(0).max(1_000_000_000).optional(),
      pools: poolMap.optional(),
      sku_pools: z.record(z.string().min(1), poolMap).optional(),
      tolerance: z.strictObject({ stock: z.number().int().min(0).max(1_000_000_000).optional(), price: money.optional() }).optional(),
      report: z
        .strictObject({
          enabled: z.boolean().optional(),
          time: hhmm.optional(),
          timezone: ianaZone.optional(),
          goal: z.number().min(0).max(100).optional(),
          worst: z.number().int().min(1).max(50).optional(),
        })
        .optional(),
      price_approver_roles: z.array(z.enum(['agent', 'supervisor', 'manager', 'admin'])).min(1).optional(),
      on_ship: z.enum(['deduct', 'release']).optional(),
    })
    .optional(),
  shop_sync: shopSync.optional(),
  erp_webhook: erpWebhook.optional(),
  teams: z
    .record(
      z.string(),
      z.strictObject({
        name: z.string().min(1),
        slack_channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD').optional(),
        feishu_chat: z.string().regex(/^oc_[A-Za-z0-9]+$/, 'a Feishu chat id such as oc_a0553eda9014c201e6969b478895c230').optional(),
        timezone: ianaZone.optional(),
        calendar: teamCalendar.optional(),
        hours: hoursSpec.optional(),
        oncall: oncall.optional(),
        // A handoff card in the team's channel at each shift start (teams with hours).
        handoff_card: z.boolean().optional(),
      }),
    )
    .optional(),
  staff: z.array(staff).optional(),
  shops: z.array(shop).optional(),
  rules: z
    .strictObject({
      tags: z
        .strictObject({
          vip: z.strictObject({ buyer_flag: z.boolean().optional(), min_total: money.nullable().optional() }).optional(),
          presale: z.strictObject({ enabled: z.boolean() }).optional(),
          urgent: z.strictObject({ keywords: keywordList.min(1), exclude: keywordList.optional() }).optional(),
        })
        .optional(),
      vague_address: z
        .strictObject({
          enabled: z.boolean().optional(),
          landmarks: keywordList.optional(),
          relative_landmarks: keywordList.optional(),
          require_house_number: z.boolean().optional(),
          min_detail_length: z.number().int().min(0).max(50).optional(),
          check_divisions: z.boolean().optional(),
        })
        .optional(),
      payment: z.strictObject({ enabled: z.boolean() }).optional(),
      remark_keywords: z.array(keywordGroup).optional(),
      logistics: z.strictObject({ enabled: z.boolean() }).optional(),
      stock: z.strictObject({ enabled: z.boolean() }).optional(),
      review: z
        .strictObject({ amount_at_least: money.nullable().optional(), regions: keywordList.optional() })
        .optional(),
      routes: z.record(z.string(), route).optional(),
    })
    .optional(),
});

export type FileConfig = z.infer<typeof fileSchema>;
