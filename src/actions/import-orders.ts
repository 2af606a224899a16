import { classify } from '../domain/orders/classify';
import { beforeShipping, judgeHistorical, replacesInFile } from '../domain/orders/history-import';
import type { Order } from '../domain/orders/order';
import type { RulesConfig } from '../domain/orders/rules-types';
import type { Locale } from '../present/i18n';
import { renderReasons } from '../present/i18n/message';
import type { OrderParser } from '../domain/platforms/ports';
import { contentHash } from '../db/order-writes';
import { copyJson, copyValue, textArray, type ChunkResult } from '../db/order-import';

/** A bad line of the file: its number, what is wrong, and the order id when it could be read. */
export interface LineError {
  line: number;
  field: string;
  message: string;
  id?: string;
}

export interface OrderImportSummary {
  /** Non-blank lines read. */
  lines: number;
  /** Lines holding a valid order. */
  valid: number;
  created: number;
  updated: number;
  /** Valid lines that changed nothing: identical or older than what is stored, or a newer line of the file won. */
  unchanged: number;
  /** Written unprocessed, for the bot's sweeper: in-flight orders with --cards, and live orders the file updated. */
  toProcess: number;
  exceptionsOpened: number;
  exceptionsResolved: number;
  badLines: number;
  /** The first problems (at most MAX_KEPT_ERRORS), in line order. */
  errors: LineError[];
}

/** Where each chunk goes: the database writer of its lane, or a fake in tests. */
export interface ChunkSink {
  apply(copyText: Buffer, lane: number): Promise<ChunkResult>;
}

export interface OrderImportOptions {
  rules: RulesConfig;
  /** The language of the `reason` text kept beside the reason keys. */
  locale: Locale;
  /** Reads one line's JSON into an order: the generic format (integrations/platforms/generic). */
  parse: OrderParser;
  /** Classification time (presale balance deadlines); one instant for the whole import. */
  now: Date;
  /** Hand in-flight orders to normal processing (cards, SLA timers) instead of recording them quietly. */
  cards: boolean;
  /** Available units per SKU when the stock rule is on (a snapshot; an import reserves nothing). */
  stock?: ReadonlyMap<string, number>;
  /** Distinct orders per chunk (one COPY and one statement each). */
  chunkOrders?: number;
  /**
   * Chunks applied side by side, each lane on its own connection. An order always goes to the same
   * lane (by its id), and a lane applies its chunks in order, so lines of one order never race.
   */
  lanes?: number;
}

const MAX_KEPT_ERRORS = 1000;

interface Staged {
  order: Pick<Order, 'status' | 'updatedAt'>;
  row: string;
}

/**
 * Turns lines of the generic order format into chunks for the writer: validates each line as the
 * webhook does, classifies it with the rule engine, keeps the newest of repeated ids within a chunk
 * (a later chunk meets the stored row, by the same rule), and applies chunks one at a time while
 * the next one is being parsed. Bad lines are counted and kept with their numbers, never thrown.
 */
export class OrderImporter {
  private readonly lanes: { chunk: Map<string, Staged>; lines: number; inFlight: Promise<void> }[];
  private failure: unknown;
  private readonly chunkOrders: number;
  private readonly nowIso: string;
  readonly summary: OrderImportSummary = {
    lines: 0, valid: 0, created: 0, updated: 0, unchanged: 0, toProcess: 0, exceptionsOpened: 0, exceptionsResolved: 0, badLines: 0, errors: [],
  };

  constructor(private readonly sink: ChunkSink, private readonly opts: OrderImportOptions) {
    this.chunkOrders = opts.chunkOrders ?? 10_000;
    this.nowIso = opts.now.toISOString();
    this.lanes = Array.from({ length: Math.max(1, opts.lanes ?? 1) }, () => ({ chunk: new Map<string, Staged>(), lines: 0, inFlight: Promise.resolve() }));
  }

  /** The lane of an order id (FNV-1a): the same id always lands in the same lane. */
  private laneOf(id: string): number {
    if (this.lanes.length === 1) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return (h >>> 0) % this.lanes.length;
  }

  /** One line of the file (not blank). Resolves when the line is taken; waits only when a full chunk must queue. */
  async add(lineNo: number, text: string): Promise<void> {
    this.summary.lines++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return this.reject(lineNo, '(line)', `not valid JSON: ${(e as Error).message}`);
    }
    const parsed = this.opts.parse(raw);
    if (!parsed.ok) {
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      for (const e of parsed.errors) this.reject(lineNo, e.field, e.message, typeof id === 'string' || typeof id === 'number' ? String(id) : undefined, false);
      this.summary.badLines++;
      return;
    }
    this.summary.valid++;
    const order = parsed.order;
    const lane = this.laneOf(order.externalId);
    const l = this.lanes[lane]!;
    l.lines++;
    const earlier = l.chunk.get(order.externalId);
    if (earlier && !replacesInFile(order, earlier.order)) {
      // An older line of an order already in this chunk: nothing to stage.
    } else {
      l.chunk.set(order.externalId, { order: { status: order.status, updatedAt: order.updatedAt }, row: this.stagingLine(order, raw) });
    }
    if (l.chunk.size >= this.chunkOrders) await this.flush(lane);
  }

  /** A bad line; `count` false when the caller counts the line itself (several problems on one line). */
  reject(line: number, field: string, message: string, id?: string, count = true): void {
    if (count) this.summary.badLines++;
    if (this.summary.errors.length < MAX_KEPT_ERRORS) this.summary.errors.push({ line, field, message, ...(id !== undefined ? { id } : {}) });
  }

  /** Apply what is left and wait for every chunk; throws the first write failure. */
  async finish(): Promise<OrderImportSummary> {
    for (let lane = 0; lane < this.lanes.length; lane++) await this.flush(lane);
    await Promise.all(this.lanes.map((l) => l.inFlight));
    if (this.failure) throw this.failure;
    return this.summary;
  }

  /** Queue a lane's chunk behind the one it is writing (at most one waits per lane, so memory stays bounded). */
  private async flush(lane: number): Promise<void> {
    const l = this.lanes[lane]!;
    await l.inFlight;
    if (this.failure) throw this.failure;
    if (l.chunk.size === 0) return;
    const rows = [...l.chunk.values()].map((s) => s.row);
    const lines = l.lines;
    l.chunk = new Map();
    l.lines = 0;
    const text = Buffer.from(rows.join(''), 'utf8');
    l.inFlight = this.sink.apply(text, lane).then(
      (r) => {
        const s = this.summary;
        s.created += r.created;
        s.updated += r.updated;
        s.unchanged += lines - r.created - r.updated;
        s.toProcess += r.toProcess;
        s.exceptionsOpened += r.exceptionsOpened;
        s.exceptionsResolved += r.exceptionsResolved;
      },
      (e: unknown) => {
        this.failure = e;
      },
    );
  }

  /** The order's row of the staging table (db/order-import.ts STAGE_COLUMNS), in COPY text format. */
  private stagingLine(order: Order, raw: unknown): string {
    const stock = this.opts.rules.stock.enabled && beforeShipping(order) ? this.opts.stock : undefined;
    const c = classify(order, this.opts.rules, { now: this.nowIso, stock });
    const v = judgeHistorical(order, c, { cards: this.opts.cards });
    // Stored and hashed exactly as the webhook stores the same order, so a later identical post is "unchanged".
    const rawJson = JSON.stringify(raw);
    const exc = v.recorded.length === 0 ? null : JSON.stringify(v.recorded.map((e) => ({
      type: e.type, rule: e.rule, reason: renderReasons(this.opts.locale, e.reasons), reason_refs: e.reasons, team: e.team, severity: e.severity, claim_minutes: e.claimMinutes, resolve_minutes: e.resolveMinutes,
    })));
    const head = [
      order.source, order.externalId, order.channel, order.shop, order.status, order.stage ?? 'pending', order.createdAt,
      order.updatedAt, order.total, order.paid, order.currency, order.buyer.phone,
    ].map(copyValue).join('\t');
    const tail = [textArray(v.tags), v.priority, v.reviewStatus, v.inline, v.quiet].map(copyValue).join('\t');
    return `${head}\t${copyJson(JSON.stringify(order))}\t${copyJson(rawJson)}\t${contentHash(rawJson)}\t${tail}\t${exc === null ? '\\N' : copyJson(exc)}\n`;
  }
}
