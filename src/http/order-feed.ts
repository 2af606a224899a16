import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { changesAfter } from '../db/order-changes';
import { effectiveOrder } from '../domain/orders/effective';
import { ErrorCode } from '../domain/errors';
import { sendError } from './errors';

const encode = (xid: string, id: number): string => Buffer.from(`${xid}.${id}`).toString('base64url');
function decode(cursor: string): { xid: string; id: number } | null {
  const m = /^(\d{1,20})\.(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { xid: m[1]!, id: Number(m[2]) } : null;
}

/**
 * `GET /api/orders?updated_since=<ISO 8601>&cursor=<next_cursor>&limit=` — orders that changed, for an
 * ERP or warehouse to poll: each with what changed (`events`) and the effective order (corrected
 * address, hold, priority, stage) beside the platform's original. Start with `updated_since`, then
 * pass `next_cursor` back: it never skips a change, even one committed while you read.
 */
export function registerOrderFeed(app: FastifyInstance, pool: pg.Pool, guard: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  app.get<{ Querystring: { updated_since?: string; cursor?: string; limit?: string } }>('/api/orders', { onRequest: guard }, async (req, reply) => {
    const q = req.query;
    const unknown = Object.keys(q).filter((k) => !['updated_since', 'cursor', 'limit'].includes(k));
    if (unknown.length > 0) return sendError(reply, 400, ErrorCode.BadRequest, `unknown parameter ${unknown.join(', ')}; use updated_since, cursor, limit`);
    let since: Date | null = null;
    if (q.updated_since !== undefined) {
      since = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(q.updated_since) ? new Date(q.updated_since) : null;
      if (!since || Number.isNaN(since.getTime())) return sendError(reply, 400, ErrorCode.BadRequest, 'updated_since must be ISO 8601 with an offset, e.g. 2026-01-08T20:00:00+08:00');
    }
    const after = q.cursor !== undefined ? decode(q.cursor) : null;
    if (q.cursor !== undefined && !after) return sendError(reply, 400, ErrorCode.BadRequest, 'cursor must be a next_cursor from an earlier answer');
    if (!since && !after) return sendError(reply, 400, ErrorCode.BadRequest, 'give updated_since (the first time) or cursor (then): GET /api/orders?updated_since=2026-01-08T00:00:00+08:00');
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return sendError(reply, 400, ErrorCode.BadRequest, 'limit must be a whole number from 1 to 1000');
    const rows = await changesAfter(pool, { since, after, limit });
    // One entry per order per page (its newest state; events of its changes on this page together).
    const byOrder = new Map<number, { events: Set<string>; row: (typeof rows)[number] }>();
    for (const r of rows) {
      const e = byOrder.get(r.orderId) ?? { events: new Set<string>(), row: r };
      for (const ev of r.events) e.events.add(ev);
      e.row = r;
      byOrder.delete(r.orderId);
      byOrder.set(r.orderId, e);
    }
    const last = rows[rows.length - 1];
    const next = last ? encode(last.xid, last.id) : q.cursor ?? null;
    return reply.send({
      orders: [...byOrder.values()].map(({ events, row }) => ({
        source: row.source, external_id: row.external_id, changed_at: row.at, events: [...events], ...effectiveOrder(row),
      })),
      // Poll again with it; null only when nothing changed since updated_since yet (poll with updated_since again).
      next_cursor: next,
      more: rows.length === limit,
    });
  });
}
