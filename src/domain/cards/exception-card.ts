import type { Order, OrderItem } from '../orders/order';
import type { Severity } from '../orders/rules-types';
import { availableActions, type ExceptionActionId, type ExceptionStatus } from '../exceptions/exception';
import { maskAddress, maskName, maskPhone, truncate } from '../privacy/mask';
import type { Staff } from '../staff';
import { clipMessage, type MessageRef } from '../message';

/** Limits that keep every platform's card valid (Block Kit is the tightest). */
export const CARD_LIMITS = { remark: 500, reason: 500, items: 10, text: 200 } as const;

export type StaffRef = Pick<Staff, 'id' | 'name' | 'slackUserId' | 'feishuOpenId'>;

/**
 * The platform-neutral exception card: what every chat platform shows, built only from the state
 * in Postgres. Personal data is already masked; untrusted text (remark, names, items) is already
 * truncated but NOT escaped — each renderer escapes for its own markup.
 */
export interface ExceptionCard {
  kind: 'exception';
  key: string;
  exceptionId: number;
  version: number;
  type: string;
  severity: Severity;
  /** Why, as message keys; text parameters clipped to CARD_LIMITS.text, at most 10 reasons. */
  reasons: MessageRef[];
  status: ExceptionStatus;
  escalationLevel: number;
  assignee: StaffRef | null;
  claimedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  claimDueAt: string;
  resolveDueAt: string;
  /** How the due times were counted: round the clock (absent or `wall`), or in the team's working time. */
  slaClock?: 'wall' | 'business';
  /** The team's time zone, to show due times in (absent: the global zone). */
  dueZone?: string;
  order: {
    source: string;
    externalId: string;
    channel: string;
    shop: string;
    total: string;
    paid: string | null;
    currency: string;
    items: { sku: string; qty: number; name: string }[];
    moreItems: number;
    buyer: string;
    phone: string;
    address: string;
    remark: string;
    tags: string[];
  };
  actions: ExceptionActionId[];
  /**
   * Who was told and how (channel ids such as `dm`, `email`, `feishu_urgent`, labelled by src/present),
   * and what could not be routed, for escalated cards.
   */
  escalation: { notified: { name: string; channels: string[] }[]; unrouted: string[] };
}

export interface NotificationSummary {
  recipient: string | null;
  channel: string;
  status: string;
  detail: string | null;
}

export interface ExceptionCardInput {
  exception: {
    id: number;
    type: string;
    severity: Severity;
    reasons: MessageRef[];
    status: ExceptionStatus;
    escalationLevel: number;
    version: number;
    claimedAt: Date | null;
    resolvedAt: Date | null;
    resolution: string | null;
    claimDueAt: Date;
    resolveDueAt: Date;
    slaClock?: 'wall' | 'business';
  };
  /** The team's time zone (the card shows due times in it). */
  zone?: string;
  order: Order & { tags?: string[] };
  assignee: StaffRef | null;
  /** Escalation notifications so far; recipient is a display name. */
  notifications?: NotificationSummary[];
}

export const exceptionCardKey = (exceptionId: number): string => `exception:${exceptionId}`;

function summarize(ns: NotificationSummary[]): ExceptionCard['escalation'] {
  const byPerson = new Map<string, Set<string>>();
  const unrouted = new Set<string>();
  for (const n of ns) {
    if (n.status === 'unrouted' || n.status === 'failed') {
      unrouted.add(truncate(`${n.channel.replace(/^(slack|feishu|local)_/, '')}: ${n.detail ?? n.status}`, 80));
      continue;
    }
    if (n.status !== 'sent' || !n.recipient) continue;
    const channel = n.channel.replace(/^(slack|feishu|local)_/, '');
    const set = byPerson.get(n.recipient) ?? new Set<string>();
    set.add(channel === 'chat_dm' ? 'dm' : channel);
    byPerson.set(n.recipient, set);
  }
  return {
    notified: [...byPerson].map(([who, chans]) => ({ name: truncate(who, 40), channels: [...chans] })).slice(0, 10),
    unrouted: [...unrouted].slice(0, 5),
  };
}

export function buildExceptionCard({ exception: e, order: o, assignee, notifications = [], zone }: ExceptionCardInput): ExceptionCard {
  const items = o.items.slice(0, CARD_LIMITS.items).map((i: OrderItem) => ({
    sku: truncate(i.sku, 64),
    qty: i.qty,
    name: truncate(i.name ?? '', 60),
  }));
  return {
    kind: 'exception',
    key: exceptionCardKey(e.id),
    exceptionId: e.id,
    version: e.version,
    type: e.type,
    severity: e.severity,
    reasons: e.reasons.slice(0, 10).map((r) => clipMessage(r, CARD_LIMITS.text)),
    status: e.status,
    escalationLevel: e.escalationLevel,
    assignee,
    claimedAt: e.claimedAt?.toISOString() ?? null,
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolution: e.resolution ? truncate(e.resolution, CARD_LIMITS.text) : null,
    claimDueAt: e.claimDueAt.toISOString(),
    resolveDueAt: e.resolveDueAt.toISOString(),
    slaClock: e.slaClock ?? 'wall',
    ...(zone ? { dueZone: zone } : {}),
    order: {
      source: o.source,
      externalId: truncate(o.externalId, 128),
      channel: truncate(o.channel, 64),
      shop: truncate(o.shop ?? '', 64),
      total: o.total,
      paid: o.paid ?? null,
      currency: o.currency,
      items,
      moreItems: Math.max(0, o.items.length - items.length),
      buyer: maskName(o.buyer?.name),
      phone: maskPhone(o.buyer?.phone),
      address: truncate(maskAddress(o.address), CARD_LIMITS.text),
      remark: truncate(o.remark ?? '', CARD_LIMITS.remark),
      tags: o.tags ?? [],
    },
    actions: availableActions({ type: e.type, status: e.status, assignee: assignee?.id ?? null }),
    escalation: summarize(notifications),
  };
}
