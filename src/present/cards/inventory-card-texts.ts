import type { ConsistencyCard, DeviationLine, LowStockCard, PriceCard, PricePushLine } from '../../domain/inventory/cards';
import { formatPercent } from '../../domain/inventory/consistency';
import { percentChange } from '../../domain/money';
import { formatTime, t, type Locale, type Vars } from '../i18n';
import type { CardTexts, PlatformFormat, RenderOptions } from './card-types';

const tt = (locale: Locale, key: string, vars?: Vars) => t(locale, `inventory.${key}`, vars);

/** The low-stock card: how many are left against the threshold, who owns the SKU; no buttons. */
export function lowStockCardTexts(card: LowStockCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const time = (iso: string) => formatTime(iso, timezone, locale, now);
  const open = card.status === 'open';
  return {
    title: tt(locale, 'lowstock.title', { sku: e(card.sku), name: card.name ? e(card.name) : '' }),
    severity: open ? (card.available === 0 ? 'critical' : 'warning') : 'info',
    severityLabel: t(locale, open ? (card.available === 0 ? 'severity.critical' : 'severity.warning') : 'severity.info'),
    status: open
      ? tt(locale, 'lowstock.status.open', { available: card.available, threshold: card.threshold, lowest: card.lowest })
      : tt(locale, 'lowstock.status.cleared', { time: card.clearedAt ? time(card.clearedAt) : '', available: card.available }),
    overdue: false,
    fields: [
      { key: 'stock', label: tt(locale, 'field.stock'), value: tt(locale, 'value.stock', { stock: card.stock, reserved: card.reserved }) },
      { key: 'owner', label: tt(locale, 'field.owner'), value: ownerText(card, fmt, locale) },
      { key: 'since', label: tt(locale, 'field.since'), value: time(card.openedAt) },
    ],
    buttons: [],
  };
}

function ownerText(x: Pick<DeviationLine, 'owner' | 'ownerId'>, fmt: PlatformFormat, locale: Locale): string {
  if (x.owner) return fmt.mention(x.owner);
  if (x.ownerId) return fmt.escape(x.ownerId);
  return tt(locale, 'value.no_owner');
}

/** A signed difference as people read it: +3 / −12, or +1.50 / −300.00 for money. */
function signed(v: number | string): string {
  const s = String(v);
  return s.startsWith('-') ? `−${s.slice(1)}` : `+${s}`;
}

/** One deviation line: where, what is off (stock, price, unknown SKU), and whose it is. */
export function deviationText(d: DeviationLine, locale: Locale, fmt: PlatformFormat): string {
  const e = fmt.escape;
  const parts: string[] = [];
  if (!d.known) parts.push(tt(locale, 'report.unknown_sku'));
  else {
    if (!d.stockOk && d.stockDiff !== null) {
      parts.push(tt(locale, 'report.stock_gap', { listing: d.listingStock ?? '', expected: d.expectedStock ?? '', diff: signed(d.stockDiff) }));
    }
    if (!d.priceOk && d.priceDiff !== null) {
      parts.push(tt(locale, 'report.price_gap', { listing: d.listingPrice ?? '', master: d.masterPrice ?? '', diff: signed(d.priceDiff) }));
    }
  }
  return tt(locale, 'report.line', {
    sku: e(d.sku), platform: e(d.platform), shop: d.shop ? e(d.shop) : '', details: parts.join(tt(locale, 'report.sep')), owner: ownerText(d, fmt, locale),
  });
}

/** The lines every rendering of a report shares (the card and `orderops report consistency`). */
export function reportLines(card: ConsistencyCard, locale: Locale, fmt: PlatformFormat): { status: string; fields: CardTexts['fields'] } {
  const status = card.rate === null
    ? tt(locale, 'report.status.empty')
    : tt(locale, card.meetsGoal ? 'report.status.met' : 'report.status.missed', { rate: formatPercent(card.rate), goal: card.goal });
  const fields: CardTexts['fields'] = [];
  fields.push({
    key: 'summary', label: tt(locale, 'report.field.summary'),
    value: tt(locale, 'report.value.summary', {
      checked: card.checked, consistent: card.consistent, unknown: card.unknownSkus,
      stock: card.byPlatform.reduce((n, p) => n + p.stockDeviations, 0), price: card.byPlatform.reduce((n, p) => n + p.priceDeviations, 0),
    }),
  });
  if (card.previous) {
    const delta = card.rate !== null && card.previous.rate !== null ? Math.round((card.rate - card.previous.rate) * 100) / 100 : null;
    fields.push({
      key: 'trend', label: tt(locale, 'report.field.trend'),
      value: tt(locale, 'report.value.trend', {
        date: card.previous.date, rate: card.previous.rate === null ? '—' : formatPercent(card.previous.rate),
        delta: delta === null ? '' : signed(delta.toFixed(2).replace(/\.?0+$/, '')),
      }),
    });
  }
  if (card.byPlatform.length > 0) {
    fields.push({
      key: 'platforms', label: tt(locale, 'report.field.platforms'),
      value: card.byPlatform.map((p) => tt(locale, 'report.value.platform', {
        platform: fmt.escape(p.platform), rate: formatPercent(Math.floor((p.consistent * 10_000) / Math.max(p.checked, 1)) / 100),
        consistent: p.consistent, checked: p.checked, stock: p.stockDeviations, price: p.priceDeviations,
      })).join('\n'),
    });
  }
  if (card.worst.length > 0) {
    fields.push({ key: 'worst', label: tt(locale, 'report.field.worst'), value: card.worst.map((d) => deviationText(d, locale, fmt)).join('\n') });
  }
  if (card.csvUrl && (card.moreCount > 0 || card.worst.length > 0)) {
    fields.push({
      key: 'more', label: tt(locale, 'report.field.more'),
      value: card.moreCount > 0 ? tt(locale, 'report.value.more', { count: card.moreCount, url: card.csvUrl }) : tt(locale, 'report.value.csv', { url: card.csvUrl }),
    });
  }
  return { status, fields };
}

/** The daily consistency card: rate against the goal, the trend, per platform, the worst lines; a link to the CSV. */
export function consistencyCardTexts(card: ConsistencyCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale } = opts;
  const { status, fields } = reportLines(card, locale, fmt);
  const severity = card.rate === null || card.meetsGoal ? 'info' : 'warning';
  return {
    title: tt(locale, 'report.title', { date: card.date }),
    severity,
    severityLabel: t(locale, `severity.${severity}`),
    status,
    overdue: false,
    fields,
    buttons: [],
    // 推送主数据 per deviation a push can fix (never automatic; a price still goes through approval).
    decisionButtons: card.worst.flatMap((d, i) => (d.known && (!d.stockOk || !d.priceOk)
      ? [{
          action: 'report.push_master' as const,
          label: t(locale, 'shop.button.push_master', { sku: fmt.escape(d.sku), platform: platformLabel(d.platform, locale, fmt) }),
          style: 'default' as const,
          value: { requestId: card.reportId, version: i + 1 },
        }]
      : [])),
    links: card.csvUrl && card.csvUrl.startsWith('http') && (card.moreCount > 0 || card.worst.length > 0)
      ? [{ label: tt(locale, 'report.button.more'), url: card.csvUrl }]
      : [],
  };
}

function priceChange(oldPrice: string | null, newPrice: string): string {
  const pct = oldPrice !== null ? percentChange(oldPrice, newPrice) : null;
  return pct === null ? '' : signed(String(pct)) + '%';
}

/** A platform's name as people say it (抖音, 京东 …); an unknown platform shows as written. */
export function platformLabel(platform: string, locale: Locale, fmt: Pick<PlatformFormat, 'escape'>): string {
  const key = `shop.platform.${platform}`;
  const label = t(locale, key);
  return label === key ? fmt.escape(platform) : label;
}

/** One platform's push as the card shows it: 抖音 ✓ · 京东 ✗ 价格超出范围 · 拼多多 ⏳. */
/** The shop is named only when the platform has several on the card. */
function pushLine(p: PricePushLine, locale: Locale, fmt: PlatformFormat, nameShop: boolean): string {
  const detail = p.detail ? fmt.escape(p.detail.slice(0, 120)) : '';
  const state =
    p.status === 'pending' && p.errorKind === 'throttled' ? t(locale, 'shop.push.throttled')
    : p.status === 'pending' && (p.attempts ?? 0) > 0 && detail ? t(locale, 'shop.push.retrying', { attempts: p.attempts ?? 0, detail })
    : t(locale, `shop.push.${p.status}`, { detail });
  return t(locale, 'shop.push.line', { platform: platformLabel(p.platform, locale, fmt), shop: nameShop && p.shop ? fmt.escape(p.shop) : '', state });
}

/** The price approval card: old → new price, who asked, each platform's push; approve / reject while pending. */
export function priceCardTexts(card: PriceCard, opts: RenderOptions, fmt: PlatformFormat): CardTexts {
  const { locale, timezone } = opts;
  const now = opts.now ?? new Date();
  const e = fmt.escape;
  const time = (iso: string | null) => (iso ? formatTime(iso, timezone, locale, now) : '');
  const actor = card.decidedBy ? fmt.mention(card.decidedBy) : '';
  const status = tt(locale, `price.status.${card.status}`, { actor, time: time(card.decidedAt), publishAt: time(card.publishAt) });
  const none = t(locale, 'value.none');
  const fields: CardTexts['fields'] = [
    {
      key: 'price', label: tt(locale, 'price.field.price'),
      value: tt(locale, 'price.value.price', { old: card.oldPrice ?? none, new: card.newPrice, change: priceChange(card.oldPrice, card.newPrice) }),
    },
    { key: 'requested', label: tt(locale, 'price.field.requested'), value: e(card.requestedBy) },
  ];
  if (card.reason) fields.push({ key: 'reason', label: tt(locale, 'price.field.reason'), value: e(card.reason) });
  if (card.scope) {
    fields.push({ key: 'scope', label: t(locale, 'shop.field.scope'), value: t(locale, 'shop.value.scope', { platform: platformLabel(card.scope.platform, locale, fmt), shop: e(card.scope.shop) }) });
  }
  if (card.publishAt) fields.push({ key: 'publish_at', label: tt(locale, 'price.field.publish_at'), value: time(card.publishAt) });
  if (card.status === 'approved' || card.status === 'scheduled') {
    fields.push({
      key: 'pushes', label: tt(locale, 'price.field.pushes'),
      value: card.pushes.length === 0 ? tt(locale, 'price.value.no_listings') : card.pushes.map((p) => pushLine(p, locale, fmt, card.pushes.filter((x) => x.platform === p.platform).length > 1)).join(' · '),
    });
    if (card.pushes.some((p) => p.status === 'held')) fields.push({ key: 'night', label: t(locale, 'shop.field.night'), value: t(locale, 'shop.value.night') });
  }
  return {
    title: tt(locale, 'price.title', { sku: e(card.sku), name: card.name ? e(card.name) : '' }),
    severity: card.status === 'pending' ? 'warning' : 'info',
    severityLabel: t(locale, card.status === 'pending' ? 'severity.warning' : 'severity.info'),
    status,
    overdue: false,
    fields,
    buttons: [],
    decisionButtons: card.actions.map((action) => ({
      action,
      label: action === 'price.approve' || action === 'price.reject' ? tt(locale, `button.${action}`) : t(locale, `shop.button.${action}`),
      style: action === 'price.approve' || action === 'price.confirm_push' ? 'primary' : action === 'price.reject' ? 'danger' : 'default',
      value: { requestId: card.requestId, version: card.version },
    })),
  };
}
