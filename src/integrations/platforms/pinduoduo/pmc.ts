import WebSocket from 'ws';
import type { Logger } from 'pino';
import { parseJsonLossless } from '../common/lossless-json';
import { compact, isObj, jsonObjectField, obj, str, statusOf, type Json, type PlatformOrder, type PlatformStage } from '../common/platform-order';
import type { ItemError } from '../source';
import type { ShopMessage } from '../../../domain/platforms/ports';
import type { RefundStatus } from '../../../domain/orders/order';

/** A `Common` frame of PDD's message service (§3.1): one message to store, then acknowledge. */
export interface PmcFrame {
  id: string;
  sendTime?: string;
  type: string;
  mallId: string;
  content: Json;
  raw: Json;
}

export type PmcRead = { kind: 'message'; frame: PmcFrame } | { kind: 'control'; command: string } | { kind: 'error'; id?: string; errors: ItemError[] };

/** Read one frame; ids and tids may be 19 digits, so the text is parsed losslessly. */
export function readPmcFrame(text: string): PmcRead {
  let f: unknown;
  try {
    f = parseJsonLossless(text);
  } catch (e) {
    return { kind: 'error', errors: [{ field: '(frame)', message: `is not valid JSON: ${(e as Error).message}` }] };
  }
  if (!isObj(f)) return { kind: 'error', errors: [{ field: '(frame)', message: 'must be a JSON object' }] };
  const command = str(f.commandType) ?? '';
  if (command !== 'Common') return { kind: 'control', command };
  const id = str(f.id);
  const m = obj(f.message);
  const type = str(m.type);
  const errors: ItemError[] = [];
  if (!id) errors.push({ field: 'id', message: 'is required' });
  if (!type) errors.push({ field: 'message.type', message: 'is required' });
  const content = jsonObjectField(m.content, 'message.content', errors);
  if (errors.length > 0) return { kind: 'error', ...(id ? { id } : {}), errors };
  return { kind: 'message', frame: { id: id!, sendTime: str(f.sendTime), type: type!, mallId: str(m.mallID) ?? '', content, raw: f } };
}

/** Message types that say where the order is; the rest (memos, risk, refunds) only say "look again". */
const TYPE_STAGE: Record<string, PlatformStage> = {
  pdd_trade_TradeConfirmed: 'pending',
  pdd_trade_TradeSellerShip: 'shipped',
  pdd_trade_TradeSuccess: 'completed',
};

/** Refund messages → the order's refund state (pdd_refund_*). */
const REFUND_TYPE: Record<string, RefundStatus> = {
  pdd_refund_RefundCreated: 'requested',
  pdd_refund_RefundAgreeAgreement: 'requested',
  pdd_refund_RefundBuyerReturnGoods: 'requested',
  pdd_refund_RefundClosed: 'withdrawn',
};

/**
 * A trade or refund message → a thin order keyed by `tid` (the order_sn), stored under `shop` (the
 * configured shop id, as pulled orders are: PDD orders carry no mall id). No update time: the whole
 * order is fetched next and must never look older than its message.
 */
export function mapPmcMessage(f: PmcFrame, shop: string, receivedAt: string): { kind: 'order'; order: PlatformOrder } | { kind: 'skip'; why: string } | { kind: 'error'; errors: ItemError[] } {
  if (!f.type.startsWith('pdd_trade_') && !f.type.startsWith('pdd_refund_')) return { kind: 'skip', why: `type ${f.type} is not about orders` };
  const tid = str(f.content.tid) ?? str(f.content.order_sn);
  if (!tid || !/^[0-9A-Za-z-]{1,64}$/.test(tid)) return { kind: 'error', errors: [{ field: 'message.content.tid', message: 'must be the order_sn' }] };
  const stage = TYPE_STAGE[f.type];
  const mapped = stage ? statusOf(stage) : { status: 'created' as const, stage: undefined };
  return {
    kind: 'order',
    order: compact({
      source: 'pinduoduo', externalId: tid, channel: 'pinduoduo', shop, createdAt: receivedAt, status: mapped.status, stage: mapped.stage,
      buyer: {}, address: {}, items: [], total: '0.00', currency: 'CNY', presale: false, logistics: { intercepted: false },
      platformStatus: f.type, flags: [], partial: true,
      refund: REFUND_TYPE[f.type] ? { status: REFUND_TYPE[f.type]!, at: receivedAt } : undefined,
    }),
  };
}

/**
 * Frames read from the connection as the use cases see them: each message mapped (stored under the
 * shop id `shopOf` gives its mall), unreadable frames as errors, control frames left out.
 */
export function pmcShopMessages(reads: PmcRead[], shopOf: (mallId: string) => string, receivedAt: string): ShopMessage[] {
  const out: ShopMessage[] = [];
  for (const r of reads) {
    if (r.kind === 'control') continue;
    if (r.kind === 'error') {
      out.push({ id: r.id, raw: {}, result: { kind: 'error', errors: r.errors } });
      continue;
    }
    const m = mapPmcMessage(r.frame, shopOf(r.frame.mallId), receivedAt);
    const result: ShopMessage['result'] = m.kind === 'order' ? { kind: 'order', order: { order: m.order, raw: r.frame.raw } } : m.kind === 'skip' ? { kind: 'skip' } : { kind: 'error', errors: m.errors };
    out.push({ id: r.frame.id, raw: r.frame.raw, result });
  }
  return out;
}

export const heartbeatFrame = (now: number): string => JSON.stringify({ commandType: 'HeartBeat', time: now });

/** The acknowledgement PDD expects for each Common frame (ids kept as the digits they were). */
export function ackFrame(f: PmcFrame, now: number): string {
  return `{"commandType":"Ack","time":${now},"id":${/^\d+$/.test(f.id) ? f.id : JSON.stringify(f.id)},"sendTime":${f.sendTime && /^\d+$/.test(f.sendTime) ? f.sendTime : now},"type":${JSON.stringify(f.type)},"mallID":${/^\d+$/.test(f.mallId) ? f.mallId : JSON.stringify(f.mallId)}}`;
}

export interface PmcOptions {
  /** A freshly signed URL per connection (the timestamp is part of the signature). */
  url: () => string;
  /**
   * Store a batch of frames; resolve with the ids that may be acknowledged (stored, or kept as
   * unreadable). Throwing acknowledges nothing: PDD redelivers.
   */
  take(frames: PmcRead[]): Promise<string[]>;
  logger: Logger;
  heartbeatMs?: number;
  /** Frames arriving within this many ms are stored together. */
  batchMs?: number;
}

/**
 * The long-lived connection to PDD's message service: heartbeats, batching, an Ack per frame only
 * after its batch is stored, and reconnection with backoff (1 s doubling to 30 s) whenever the
 * socket drops. Unacknowledged frames are redelivered by PDD; dedupe stores them once.
 */
export class PmcConnection {
  private ws?: WebSocket;
  private closed = false;
  private backoffMs = 1000;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private pending: { read: PmcRead; frame?: PmcFrame }[] = [];
  private flushing = Promise.resolve();
  connects = 0;

  constructor(private readonly opts: PmcOptions) {}

  start(): void {
    this.closed = false;
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.opts.url());
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      this.opts.logger.info('PDD message service connected');
      this.heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(heartbeatFrame(Date.now())), this.opts.heartbeatMs ?? 8000);
      // A connection that stayed up resets the backoff.
      setTimeout(() => ws.readyState === WebSocket.OPEN && (this.backoffMs = 1000), 60_000).unref();
    });
    ws.on('message', (data) => this.receive(data.toString()));
    ws.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'PDD message service error'));
    ws.on('close', () => {
      clearInterval(this.heartbeat);
      if (this.closed) return;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(30_000, this.backoffMs * 2);
      this.opts.logger.warn({ retryInMs: wait }, 'PDD message service disconnected; reconnecting');
      this.timer = setTimeout(() => this.connect(), wait);
    });
  }

  private receive(text: string): void {
    const read = readPmcFrame(text);
    if (read.kind === 'control') return; // heartbeats and acks from the server
    this.pending.push({ read, frame: read.kind === 'message' ? read.frame : undefined });
    if (this.pending.length === 1) setTimeout(() => this.flush(), this.opts.batchMs ?? 50);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const ws = this.ws;
    this.flushing = this.flushing.then(async () => {
      try {
        const ok = new Set(await this.opts.take(batch.map((b) => b.read)));
        for (const b of batch) {
          const id = b.frame?.id ?? (b.read.kind === 'error' ? b.read.id : undefined);
          if (id === undefined || !ok.has(id) || ws?.readyState !== WebSocket.OPEN) continue;
          ws.send(b.frame ? ackFrame(b.frame, Date.now()) : `{"commandType":"Ack","time":${Date.now()},"id":${/^\d+$/.test(id) ? id : JSON.stringify(id)}}`);
        }
      } catch (e) {
        this.opts.logger.warn({ err: (e as Error).message, frames: batch.length }, 'PDD messages not stored; they come back unacknowledged');
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.ws?.close();
    await this.flushing;
  }
}
