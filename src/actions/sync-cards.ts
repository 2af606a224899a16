import type pg from 'pg';
import type { Logger } from 'pino';
import { buildExceptionCard, exceptionCardKey } from '../domain/cards/exception-card';
import { ChatDeliveryError } from '../domain/errors';
import type { ChatPort } from '../domain/ports';
import { findCardMessage, forgetMessage, markFailed, markPosted, markPosting, markRendered } from '../db/chat-messages';
import { loadExceptionCardInput } from '../db/exception-cards';
import { loadBacklogCard } from '../db/backlog-cards';
import { loadInventoryCard } from '../db/inventory-cards';
import { loadReconcileCard } from './reconcile-store';
import { loadSilenceCard } from '../db/silence-cards';
import { loadHandoffCard } from '../db/handoffs';
import { systemClock, type Card, type Clock } from '../domain/ports';
import { decideExceptionCardMode, loadDigestCard } from '../db/digests';
import { DEFAULT_STORM, type StormPolicy } from '../domain/cards/digest-card';

export interface CardSyncDeps {
  pool: pg.Pool;
  chats: ChatPort[];
  logger: Logger;
  /** When a team's exceptions become digest lines instead of cards (default: DEFAULT_STORM). */
  storm?: StormPolicy;
  clock?: Clock;
  /** A team's time zone, for due times on exception cards (default: the global zone). */
  zoneOf?: (team: string) => string;
  /** A team's display name (handoff cards). */
  teamName?: (team: string) => string;
}

/** A card post or update that would wait longer than this for the platform's pace is deferred instead, freeing the worker for other channels. */
export const MAX_POST_WAIT_MS = 2000;

export interface SyncOutcome {
  posted: string[];
  updated: string[];
  unchanged: string[];
  /** Transient failures (rate limit, outage): the job retries; the first one is rethrown. */
  errors: ChatDeliveryError[];
  /** The exception is a line of this digest (storm): the digest's card is what must be synced. */
  digest?: number;
  /** The card version this run brought the platforms to. */
  version?: number;
}

/**
 * Bring every platform's copy of an exception card in line with Postgres: post it where it is
 * missing (once: a post whose outcome is unknown is looked for before posting again), update it
 * where it is behind. Runs under a per-card advisory lock so two jobs never post the same card.
 */
export async function syncExceptionCard(deps: CardSyncDeps, exceptionId: number): Promise<SyncOutcome> {
  return syncCard(deps, exceptionCardKey(exceptionId));
}

/** Load any card by its key, with the team whose channels show it. */
async function loadCard(deps: CardSyncDeps, key: string): Promise<{ card: Card; team: string; exceptionId: number | null } | null> {
  const [kind, rawId] = key.split(':');
  const id = Number(rawId);
  if (!Number.isSafeInteger(id)) return null;
  if (kind === 'exception') {
    const input = await loadExceptionCardInput(deps.pool, id);
    return input ? { card: buildExceptionCard({ ...input, zone: deps.zoneOf?.(input.team) }), team: input.team, exceptionId: id } : null;
  }
  if (kind === 'backlog') {
    const b = await loadBacklogCard(deps.pool, id);
    return b ? { card: b.card, team: b.team, exceptionId: null } : null;
  }
  if (kind === 'digest') {
    const d = await loadDigestCard(deps.pool, id, deps.storm ?? DEFAULT_STORM);
    return d ? { card: d.card, team: d.team, exceptionId: null } : null;
  }
  if (kind === 'handoff') {
    const h = await loadHandoffCard(deps.pool, id, { zoneOf: deps.zoneOf ?? (() => 'Asia/Shanghai'), teamName: deps.teamName ?? ((t) => t) });
    return h ? { card: h.card, team: h.team, exceptionId: null } : null;
  }
  if (kind === 'silence') {
    const a = await loadSilenceCard(deps.pool, id);
    return a ? { card: a.card, team: a.team, exceptionId: null } : null;
  }
  if (kind === 'reconcile') {
    const r = await loadReconcileCard(deps.pool, id);
    return r ? { card: r.card, team: r.team, exceptionId: null } : null;
  }
  // lowstock:<alertId>, consistency:<reportId>, price:<requestId>
  const inv = await loadInventoryCard(deps.pool, kind ?? '', id);
  return inv ? { card: inv.card, team: inv.team, exceptionId: null } : null;
}

export async function syncCard(deps: CardSyncDeps, key: string): Promise<SyncOutcome> {
  const out: SyncOutcome = { posted: [], updated: [], unchanged: [], errors: [] };
  if (key.startsWith('exception:')) {
    // In a storm the team's channel cannot take one card per exception: decide once which it gets.
    const decision = await decideExceptionCardMode(deps.pool, Number(key.slice('exception:'.length)), deps.storm ?? DEFAULT_STORM, (deps.clock ?? systemClock).now());
    if (decision?.mode === 'digest' && decision.digestId !== null) return { ...out, digest: decision.digestId };
  }
  const lock = await deps.pool.connect();
  try {
    await lock.query('BEGIN');
    await lock.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    const loaded = await loadCard(deps, key);
    if (!loaded) return out;
    const { card, team, exceptionId } = loaded;
    out.version = card.version;
    const over = card.kind === 'exception' ? card.status === 'resolved'
      : card.kind === 'digest' ? card.status === 'cleared' && card.unresolved === 0
      : card.kind === 'handoff' ? false
      : card.status === 'cleared';
    for (const chat of deps.chats) {
      const channel = chat.channelFor(team);
      if (!channel) continue;
      try {
        const row = await findCardMessage(deps.pool, key, chat.platform);
        if (!row || row.state !== 'posted') {
          if (!row && over) continue; // never announce what is already over
          if (row?.state === 'failed' && row.channel === channel) continue; // a permanent failure; see last_error
          const found = row?.state === 'posting' && chat.findCard ? await chat.findCard(row.channel, card) : undefined;
          if (found) {
            await markPosted(deps.pool, key, chat.platform, found.channel, found.messageId, 0);
            await chat.updateCard(found, card);
            await markPosted(deps.pool, key, chat.platform, found.channel, found.messageId, card.version);
          } else {
            // A busy channel: leave this worker free for other channels and come back when it has room.
            const wait = chat.postDelay?.(channel) ?? 0;
            if (wait > MAX_POST_WAIT_MS) {
              out.errors.push(new ChatDeliveryError('rate_limited', `${chat.platform} channel ${channel} is busy for another ${wait} ms`, wait));
              continue;
            }
            await markPosting(deps.pool, { cardKey: key, exceptionId, platform: chat.platform, channel });
            const msg = await chat.postCard(channel, card);
            await markPosted(deps.pool, key, chat.platform, msg.channel, msg.messageId, card.version);
          }
          out.posted.push(chat.platform);
        } else if (row.renderedVersion < card.version) {
          const wait = chat.updateDelay?.(row.channel) ?? 0;
          if (wait > MAX_POST_WAIT_MS) {
            out.errors.push(new ChatDeliveryError('rate_limited', `${chat.platform} updates are busy for another ${wait} ms`, wait));
            continue;
          }
          try {
            await chat.updateCard({ channel: row.channel, messageId: row.messageId! }, card);
            await markRendered(deps.pool, row.id, card.version);
            out.updated.push(chat.platform);
          } catch (e) {
            // Someone deleted the card: forget it so the next run posts a fresh one.
            if (e instanceof ChatDeliveryError && e.kind === 'gone') await forgetMessage(deps.pool, row.id);
            throw e;
          }
        } else out.unchanged.push(chat.platform);
      } catch (e) {
        const err = e instanceof ChatDeliveryError ? e : new ChatDeliveryError('transient', (e as Error).message);
        const row = await findCardMessage(deps.pool, key, chat.platform);
        if (row) await markFailed(deps.pool, row.id, err.message, err.kind === 'permanent' && row.state !== 'posted' ? 'failed' : 'keep');
        deps.logger.warn({ card: key, platform: chat.platform, kind: err.kind, err: err.message }, 'card sync failed');
        if (err.kind !== 'permanent') out.errors.push(err);
      }
    }
    return out;
  } finally {
    await lock.query('COMMIT').catch(() => undefined);
    lock.release();
  }
}
