/**
 * What a history import (`orderops import orders`) makes of one order: pure, so the CLI, the tests
 * and the bench agree. Historical orders are classified by the same rules as live ones (tags,
 * priority, review status, exceptions) but kept out of chat; only orders still in flight carry
 * exceptions, and only `--cards` hands those to the normal processing path (cards, SLAs).
 */
import { stageRank, statusRank, type Order, type OrderStatus } from './order';
import type { Classification, DetectedException } from './rules-types';

const DONE_STATUSES: readonly OrderStatus[] = ['completed', 'cancelled', 'refunded', 'closed'];
const SHIPPED = stageRank('shipped');

/** The goods are still in the warehouse (stock is judged only then, as processing does). */
export function beforeShipping(order: Pick<Order, 'stage'>): boolean {
  return stageRank(order.stage ?? 'pending') < SHIPPED;
}

/** Still being worked on: not completed, cancelled, refunded or closed, and not shipped yet. */
export function isInFlight(order: Pick<Order, 'status' | 'stage'>): boolean {
  return !DONE_STATUSES.includes(order.status) && beforeShipping(order);
}

export interface HistoricalVerdict {
  /** Written already processed (tags, priority, review status and stage set by the import). */
  inline: boolean;
  /** Kept out of chat: no card, no SLA escalation, no backlog alert (until a later update). */
  quiet: boolean;
  tags: string[];
  priority: number;
  reviewStatus: 'auto_approved' | 'held';
  /** Exceptions recorded with the order (quietly): those of an in-flight order. */
  recorded: DetectedException[];
}

/**
 * With `cards`, an order in flight is left unprocessed, so the bot's sweeper processes it like a
 * new one (exceptions, cards, SLA timers); everything else is written processed and quiet.
 * @example judgeHistorical({ status: 'paid' }, c, { cards: false }) // inline, quiet, c.exceptions recorded
 */
export function judgeHistorical(order: Pick<Order, 'status' | 'stage'>, c: Classification, opts: { cards: boolean }): HistoricalVerdict {
  const inFlight = isInFlight(order);
  const handedOn = inFlight && opts.cards;
  return {
    inline: !handedOn,
    quiet: !handedOn,
    tags: c.tags,
    priority: c.priority,
    reviewStatus: c.exceptions.length === 0 ? 'auto_approved' : 'held',
    recorded: inFlight && !handedOn ? c.exceptions : [],
  };
}

/** An ISO 8601 time as [epoch ms, the microseconds below a millisecond] (Postgres keeps µs). */
function instant(iso: string): [number, number] {
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return [Date.parse(iso), Number(frac.slice(3, 6).padEnd(3, '0'))];
}

/**
 * Whether a later line of the same order replaces an earlier one in the file: the rule of the
 * webhook upsert (REPLACES_STORED in db/order-writes.ts) — by the platform's updated_at when both
 * have one (equal: by status rank), else by status rank; on a tie the later line wins.
 */
export function replacesInFile(later: Pick<Order, 'status' | 'updatedAt'>, earlier: Pick<Order, 'status' | 'updatedAt'>): boolean {
  if (later.updatedAt !== undefined && earlier.updatedAt !== undefined) {
    const [a, am] = instant(later.updatedAt);
    const [b, bm] = instant(earlier.updatedAt);
    if (a !== b) return a > b;
    if (am !== bm) return am > bm;
  }
  return statusRank(later.status) >= statusRank(earlier.status);
}
