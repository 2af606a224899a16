/**
 * The inventory cards, platform-neutral like the exception card: built from Postgres, untrusted text
 * (SKU names, shops) truncated but not escaped. `alertId` is the numeric id renderers show as the
 * card's reference (#12) and put in message metadata: the alert, report or request id.
 */
import type { StaffRef } from '../cards/exception-card';
import type { PriceActionId, PriceStatus } from './price-change';

/** A SKU whose available stock is under its threshold: posted once, updated, closed when restocked. */
export interface LowStockCard {
  kind: 'lowstock';
  key: string;
  alertId: number;
  version: number;
  status: 'open' | 'cleared';
  sku: string;
  name: string | null;
  available: number;
  lowest: number;
  threshold: number;
  stock: number;
  reserved: number;
  owner: StaffRef | null;
  /** The owner's id when they are not (or no longer) on the staff list. */
  ownerId: string | null;
  openedAt: string;
  clearedAt: string | null;
}

export interface PlatformTally {
  platform: string;
  checked: number;
  consistent: number;
  stockDeviations: number;
  priceDeviations: number;
}

export interface DeviationLine {
  sku: string;
  platform: string;
  shop: string;
  known: boolean;
  expectedStock: number | null;
  listingStock: number | null;
  stockDiff: number | null;
  masterPrice: string | null;
  listingPrice: string | null;
  priceDiff: string | null;
  stockOk: boolean;
  priceOk: boolean;
  owner: StaffRef | null;
  ownerId: string | null;
}

/** The daily multi-platform consistency summary (a report; it has no buttons to act on). */
export interface ConsistencyCard {
  kind: 'consistency';
  key: string;
  alertId: number;
  reportId: number;
  version: number;
  /** A report is never "over": it is posted when made and stays. */
  status: 'open';
  date: string;
  generatedAt: string;
  checked: number;
  consistent: number;
  /** Percent, floored to 2 decimals; null when no listing was compared. */
  rate: number | null;
  goal: number;
  meetsGoal: boolean;
  unknownSkus: number;
  /** The previous day's report, for the trend. */
  previous: { date: string; rate: number | null } | null;
  byPlatform: PlatformTally[];
  worst: DeviationLine[];
  /** Deviations beyond the ones listed (in the CSV). */
  moreCount: number;
  /** Download link of the full deviation table (null without ORDEROPS_API_TOKEN). */
  csvUrl: string | null;
}

export interface PricePushLine {
  platform: string;
  shop: string;
  /** held: waits for the night-guard confirmation; sending: a worker is calling the platform now. */
  status: 'pending' | 'sending' | 'pushed' | 'manual' | 'failed' | 'held';
  /** The platform's own words of the last failure (or why it is manual). */
  detail: string | null;
  attempts?: number;
  errorKind?: 'throttled' | 'transient' | 'permanent' | null;
}

/** A price change waiting for (or after) its approval. */
export interface PriceCard {
  kind: 'price';
  key: string;
  alertId: number;
  requestId: number;
  version: number;
  status: PriceStatus;
  sku: string;
  name: string | null;
  oldPrice: string | null;
  newPrice: string;
  reason: string | null;
  publishAt: string | null;
  requestedBy: string;
  decidedBy: StaffRef | null;
  decidedAt: string | null;
  publishedAt: string | null;
  pushes: PricePushLine[];
  actions: PriceActionId[];
  /** Only this listing gets the price (the report's 推送主数据 for a price deviation). */
  scope?: { platform: string; shop: string } | null;
}

export const lowStockCardKey = (alertId: number): string => `lowstock:${alertId}`;
export const consistencyCardKey = (reportId: number): string => `consistency:${reportId}`;
export const priceCardKey = (requestId: number): string => `price:${requestId}`;

export type InventoryCard = LowStockCard | ConsistencyCard | PriceCard;
export const INVENTORY_CARD_KINDS = ['lowstock', 'consistency', 'price'] as const;
