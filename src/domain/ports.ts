/** The clock every piece of logic asks for the time, so tests can fix it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told; for tests and replays. */
export function fixedClock(start: Date | string): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (v) => {
      t = new Date(v).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

import type { ExceptionCard } from './cards/exception-card';
import type { BacklogCard } from './cards/backlog-card';
import type { ConsistencyCard, LowStockCard, PriceCard } from './inventory/cards';
import type { ReconcileCard } from './reconcile/card';
import type { SilenceCard } from './cards/silence-card';
import type { DigestCard } from './cards/digest-card';
import type { HandoffCard } from './cards/handoff-card';
import type { ChatPlatform, Staff } from './staff';

/**
 * Anything a chat platform can show as a card, told apart by `kind`; every card has a stable `key`
 * (exception:<id>, backlog:<id>, lowstock:<id>, consistency:<id>, price:<id>, reconcile:<runId>,
 * silence:<id>, digest:<id>, handoff:<id>) and a `version` that
 * grows with each change.
 */
export type Card = ExceptionCard | BacklogCard | LowStockCard | ConsistencyCard | PriceCard | ReconcileCard | SilenceCard | DigestCard | HandoffCard;

/**
 * A short message to a person, as an i18n key and its variables. Variables are untrusted: each
 * platform escapes them for its markup before the template is filled.
 */
export interface Notice {
  key: string;
  vars?: Record<string, string | number | boolean>;
}

export interface PostedMessage {
  channel: string;
  messageId: string;
}

/**
 * The outbound side of one chat platform. Slack, Feishu and the local web channel implement it;
 * everything above it (actions, jobs) is the same for all three.
 *
 * @example
 *   const msg = await slack.postCard(slack.channelFor('service')!, card);
 *   await slack.updateCard(msg, rerenderedCard);
 */
export interface ChatPort {
  readonly platform: ChatPlatform;
  /** Where a team's cards go on this platform; undefined means this platform shows none for it. */
  channelFor(team: string): string | undefined;
  postCard(channel: string, card: Card): Promise<PostedMessage>;
  /**
   * How long a post to `channel` would wait now for the platform's per-channel pace (ms); the card
   * worker defers a post that would wait long rather than hold a worker other channels need.
   */
  postDelay?(channel: string): number;
  /** The same for an update of a posted card (Slack paces chat.update for the whole workspace). */
  updateDelay?(channel: string): number;
  /**
   * After an attempt whose outcome is unknown (a crash or timeout mid-post), find the card if it
   * did land, so it is not posted twice. Platforms that dedupe posts themselves may omit it.
   */
  findCard?(channel: string, card: Card): Promise<PostedMessage | undefined>;
  updateCard(message: PostedMessage, card: Card): Promise<void>;
  /** Visible to one person only (Slack ephemeral, Feishu toast, local side panel). */
  replyPrivately(to: { channel: string; userId: string }, notice: Notice): Promise<void>;
  /** A direct message; resolves false when the person has no identity on this platform. */
  sendDirect(to: Staff, notice: Notice): Promise<boolean>;
  /**
   * Mention people on a posted card (a thread reply in Slack, a reply in Feishu, a note on the
   * local card), for SLA level 1. Optional: platforms without it skip the mention.
   */
  mentionOnCard?(message: PostedMessage, people: Staff[], notice: Notice): Promise<void>;
  /** Feishu 加急: make a posted message ring for these people (SLA level 2). */
  urgent?(message: PostedMessage, people: Staff[]): Promise<void>;
}

/**
 * What the order intake reports (prom-client counters and histograms in src/http/metrics.ts).
 * @example meter.orders.inc({ source: 'douyin', outcome: 'created' })
 */
export interface IntakeMeter {
  orders: { inc(labels: { source: string; outcome: string }): void };
  batchSize: { observe(value: number): void };
  flushSeconds: { observe(value: number): void };
  enqueueFailures: { inc(value?: number): void };
  /** Orders Postgres refused while the rest of their batch committed, by SQLSTATE. */
  refused: { inc(labels: { source: string; sqlstate: string }): void };
  /** Group-commit batches split to isolate a refused order. */
  isolations: { inc(): void };
}
