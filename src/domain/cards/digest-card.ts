import type { Severity } from '../orders/rules-types';
import type { ExceptionStatus } from '../exceptions/exception';
import type { MessageRef } from '../message';

/**
 * How many single exception cards a team's channel takes before a storm turns the rest into
 * digests. Slack takes about one message per second per channel, so a live-stream storm of
 * hundreds of exceptions cannot be shown one card each within 30 s without flooding the channel.
 */
export interface StormPolicy {
  enabled: boolean;
  /** Single exception cards per team within `windowSeconds`; the rest join a digest. */
  maxCards: number;
  windowSeconds: number;
  /** A digest with no new member for this long is cleared (the storm is over). */
  quietSeconds: number;
  /** How many of the newest members the digest lists. */
  list: number;
  /** After a storm, give members still open a card of their own (within `maxCards` per window). */
  releaseAfter: boolean;
}

/** 20 cards per 30 s: at Slack's 1 post/s per channel each is posted within 30 s, leaving room for digests. */
export const DEFAULT_STORM: StormPolicy = { enabled: true, maxCards: 20, windowSeconds: 30, quietSeconds: 120, list: 10, releaseAfter: true };

/**
 * One card standing for many exceptions of one type and team during a storm: the count, how many
 * are still waiting, and the newest few. Updated in place as members join or are handled.
 */
export interface DigestCard {
  kind: 'digest';
  key: string;
  alertId: number;
  /** The digest's own version plus every change of its members, so any change re-renders it. */
  version: number;
  team: string;
  type: string;
  /** open: the storm goes on; cleared: no new member for a while. */
  status: 'open' | 'cleared';
  members: number;
  /** Members not resolved yet. */
  unresolved: number;
  /** Members nobody has claimed yet. */
  unclaimed: number;
  /** Members given a card of their own after the storm. */
  released: number;
  newest: DigestLine[];
  openedAt: string;
  lastJoinedAt: string;
  clearedAt: string | null;
  /** Cards of their own will follow for members still open once the storm is over. */
  releaseAfter: boolean;
}

export interface DigestLine {
  exceptionId: number;
  source: string;
  externalId: string;
  shop: string;
  severity: Severity;
  status: ExceptionStatus;
  /** Why, as message keys (text parameters clipped). */
  reasons: MessageRef[];
  at: string;
}

/** A digest line's reason is cut to this many characters (the digest lists up to `list` lines). */
export const DIGEST_REASON_CHARS = 120;

export const digestCardKey = (digestId: number): string => `digest:${digestId}`;

export type CardMode = 'card' | 'digest';

/**
 * A new exception gets a card of its own while its team had fewer than `maxCards` single cards
 * decided in the last window; otherwise it joins the digest of its type.
 *
 * @example
 *   decideCardMode(DEFAULT_STORM, 19) // 'card'
 *   decideCardMode(DEFAULT_STORM, 20) // 'digest'
 */
export function decideCardMode(policy: StormPolicy, cardsInWindow: number): CardMode {
  if (!policy.enabled) return 'card';
  return cardsInWindow < policy.maxCards ? 'card' : 'digest';
}

/** How many digest members may be given their own card now, without passing `maxCards` per window. */
export function releaseBudget(policy: StormPolicy, cardsInWindow: number): number {
  if (!policy.enabled || !policy.releaseAfter) return 0;
  return Math.max(0, policy.maxCards - cardsInWindow);
}

/** A digest is over when nothing joined it for `quietSeconds`. */
export function digestIsQuiet(policy: StormPolicy, lastJoinedAt: Date, now: Date): boolean {
  return now.getTime() - lastJoinedAt.getTime() >= policy.quietSeconds * 1000;
}

/** A digest shows nothing left to do once the storm is over and every member is resolved or has its own card. */
export function digestDone(card: Pick<DigestCard, 'status' | 'unresolved' | 'released'>): boolean {
  return card.status === 'cleared' && card.unresolved <= card.released;
}
