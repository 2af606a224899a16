import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { EXCEPTION_STATUSES, exceptionsOfOrder, findOrder, historyOfOrder, listExceptions, type ExceptionStatus, type ExceptionView } from '../db/order-reads';
import { ErrorCode } from '../domain/errors';
import { sendError } from './errors';
import { registerOrderFeed } from './order-feed';
import { effectiveOrder, type OrderFacts } from '../domain/orders/effective';
import { readQuery } from './query';
import type { Locale } from '../present/i18n';
import { renderReasons } from '../present/i18n/message';

export interface ReadApiDeps {
  pool: pg.Pool;
  apiToken?: string;
  /** The language of each exception's `reason` text (its `reasons` keys come along for machines). */
  locale: Locale;
}

/** The JSON read API, behind `Authorization: Bearer $ORDEROPS_API_TOKEN`. */
export function registerReadApi(app: FastifyInstance, deps: ReadApiDeps): void {
  const expected = deps.apiToken ? digest(deps.apiToken) : undefined;
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) {
      return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the read API is disabled: set ORDEROPS_API_TOKEN');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, ErrorCode.Unauthorized, 'send Authorization: Bearer <ORDEROPS_API_TOKEN>');
    }
  };

  registerOrderFeed(app, deps.pool, guard);

  app.get<{ Params: { source: string; externalId: string } }>(
    '/api/orders/:source/:externalId',
    { onRequest: guard },
    async (req, reply) => {
      const q = readQuery(req.query, {});
      if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
      const order = await findOrder(deps.pool, req.params.source, req.params.externalId);
      if (!order) return sendError(reply, 404, ErrorCode.NotFound, `no order ${req.params.externalId} from ${req.params.source}`);
      const [exceptions, history] = await Promise.all([exceptionsOfOrder(deps.pool, order.id), historyOfOrder(deps.pool, order.id)]);
      const { data, id, processed_revision, revision, address_override, ...rest } = order;
      // The effective order (corrected address, hold, priority, stage) with the platform's original beside it.
      const view = effectiveOrder(order as unknown as OrderFacts);
      return reply.send({
        order: { internal_id: id, ...rest, revision, processed: (processed_revision as number) >= (revision as number), details: data },
        effective: view.effective,
        original: view.original,
        exceptions: exceptions.map(({ source: _s, order_external_id: _e, ...e }) => withReasonText(e, deps.locale)),
        history,
      });
    },
  );

  app.get(
    '/api/exceptions',
    { onRequest: guard },
    async (req, reply) => {
      // Repeated status/type/team mean "any of" (so do comma lists); limit and before come once.
      const read = readQuery(req.query, { status: 'many', type: 'many', team: 'many', limit: 'one', before: 'one', sort: 'one', cursor: 'one' });
      if (!read.ok) return sendError(reply, 400, ErrorCode.BadRequest, read.message);
      const q = read.values;
      let statuses: ExceptionStatus[] | undefined;
      if (q.status && q.status.length > 0) {
        const asked = q.status;
        const bad = asked.filter((s) => !(EXCEPTION_STATUSES as readonly string[]).includes(s));
        if (bad.length > 0) {
          return sendError(reply, 400, ErrorCode.BadRequest, `unknown status "${bad.join(', ')}"; use ${EXCEPTION_STATUSES.join(', ')}`);
        }
        statuses = asked as ExceptionStatus[];
      }
      const limit = q.limit === undefined ? 50 : /^\d{1,3}$/.test(q.limit) ? Number(q.limit) : NaN;
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        return sendError(reply, 400, ErrorCode.BadRequest, 'limit must be a whole number from 1 to 500');
      }
      const before = q.before === undefined ? undefined : /^\d{1,15}$/.test(q.before) ? Number(q.before) : NaN;
      if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
        return sendError(reply, 400, ErrorCode.BadRequest, 'before must be an exception id (use next_before from the last page)');
      }
      // Most urgent first by default (the order's priority, then the earliest ship-by); `before`
      // pages the newest-first listing.
      if (q.sort !== undefined && q.sort !== 'priority' && q.sort !== 'newest') {
        return sendError(reply, 400, ErrorCode.BadRequest, 'sort must be priority (default) or newest');
      }
      const sort = q.sort ?? (before !== undefined ? 'newest' : 'priority');
      const after = q.cursor === undefined ? undefined : readCursor(q.cursor);
      if (after === null) return sendError(reply, 400, ErrorCode.BadRequest, 'cursor must be a next_cursor from the previous page');
      const rows = await listExceptions(deps.pool, { statuses, types: nonEmpty(q.type), teams: nonEmpty(q.team), before, limit, sort, after });
      const last = rows.length === limit ? rows[rows.length - 1]! : undefined;
      return reply.send({
        sort,
        exceptions: rows.map((e) => withReasonText(e, deps.locale)),
        next_before: sort === 'newest' && last ? last.id : null,
        next_cursor: sort === 'priority' && last ? writeCursor(last) : null,
      });
    },
  );
}

const nonEmpty = (list: string[] | undefined): string[] | undefined => (list && list.length > 0 ? list : undefined);

/** An opaque keyset cursor of the priority sort: priority, ship-by (ms or -), exception id. */
const writeCursor = (e: { order_priority: number; order_ship_by_at: Date | null; id: number }): string =>
  Buffer.from(`${e.order_priority}.${e.order_ship_by_at?.getTime() ?? '-'}.${e.id}`).toString('base64url');

function readCursor(c: string): { priority: number; shipBy: Date | null; id: number } | null {
  const m = /^(-?\d{1,5})\.(\d{1,15}|-)\.(\d{1,18})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  return m ? { priority: Number(m[1]), shipBy: m[2] === '-' ? null : new Date(Number(m[2])), id: Number(m[3]) } : null;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** An exception as the API shows it: `reason` (text in the configured locale) beside its `reasons` keys. */
function withReasonText<T extends { reasons: ExceptionView['reasons'] }>(e: T, locale: Locale): T & { reason: string } {
  return { ...e, reason: renderReasons(locale, e.reasons) };
}
