import { createHash, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ErrorCode } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { validateListing } from '../domain/inventory/listing-row';
import { verifySignature } from '../integrations/platforms/generic/signature';
import { recordRejection } from '../db/rejects';
import { upsertListings } from '../db/inventory-listings';
import { loadReport, reportOfDate } from '../db/inventory-report';
import { findPriceChange, pushesOf } from '../db/inventory-prices';
import iconv from 'iconv-lite';
import { putSkus, type ImportDeps } from '../actions/inventory/import-skus';
import { CsvEncodingError, readCsvRows } from '../actions/inventory/csv-read';
import { SKU_FIELDS, type FieldError } from '../domain/inventory/sku-row';
import { decidePriceChange, requestPriceChange, type PriceDeps } from '../actions/inventory/price-changes';
import { confirmNightPushes, retryPricePushes } from '../actions/shop/price-push-actions';
import { makeConsistencyReport, type ReportDeps } from '../actions/inventory/consistency-report';
import { verifyCsvLink } from '../actions/inventory/csv-link';
import { reportCsv } from '../actions/inventory/report-csv';
import { sendError } from './errors';
import { readQuery } from './query';
import { t } from '../present/i18n';

export interface InventoryApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  apiToken?: string;
  /** ORDER_WEBHOOK_SECRET: the generic listings webhook is signed like generic orders. */
  webhookSecret?: string;
  imports: ImportDeps;
  prices: PriceDeps;
  reports: ReportDeps;
}

const MAX_LISTINGS = 5000;
const DECISION_STATUS: Record<string, number> = { not_found: 404, unknown_user: 403, forbidden: 403, already_decided: 409, stale: 409 };
const REQUEST_STATUS: Record<string, number> = { unknown_sku: 404, pending_exists: 409, same_price: 422, invalid_price: 422, invalid_publish_at: 422 };

function parseJson(req: FastifyRequest): { ok: true; value: unknown } | { ok: false; message: string } {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (e) {
    return { ok: false, message: `body is not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * The inventory routes: the master record (`PUT /api/skus`), platform listings
 * (`POST /webhooks/listings/:source`), consistency reports (`GET /api/reports/consistency/:id[.csv]`)
 * and price changes (`POST /api/price-changes`, `POST /api/price-changes/:id/decision`). API routes
 * take `Authorization: Bearer $ORDEROPS_API_TOKEN` like the read API.
 */
export function registerInventoryApi(app: FastifyInstance, deps: InventoryApiDeps): void {
  const expected = deps.apiToken ? digest(deps.apiToken) : undefined;
  const bearerOk = (req: FastifyRequest) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return !!expected && !!m && timingSafeEqual(digest(m[1]!), expected);
  };
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the API is disabled: set ORDEROPS_API_TOKEN');
    if (!bearerOk(req)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, ErrorCode.Unauthorized, 'send Authorization: Bearer <ORDEROPS_API_TOKEN>');
    }
  };

  app.put('/api/skus', { onRequest: guard }, async (req, reply) => {
    let list: unknown;
    let lines: number[] | undefined;
    if (/^text\/csv\b/i.test(req.headers['content-type'] ?? '')) {
      // CSV in any encoding: the charset parameter when given, else detected (GBK Excel exports included).
      const charset = /;\s*charset="?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
      if (charset && !iconv.encodingExists(charset)) return sendError(reply, 415, ErrorCode.BadRequest, new CsvEncodingError(charset).message);
      const csv = await readCsvRows(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), SKU_FIELDS, ['sku', 'stock'], charset);
      if (!csv.ok) return sendError(reply, csv.errors.length > 0 ? 422 : 400, csv.errors.length > 0 ? ErrorCode.SchemaInvalid : ErrorCode.BadRequest, csv.message, { errors: csv.errors });
      list = csv.rows.map((r) => r.row);
      lines = csv.rows.map((r) => r.line);
    } else {
      const body = parseJson(req);
      if (!body.ok) return sendError(reply, 400, ErrorCode.MalformedJson, body.message);
      list = body.value;
    }
    const r = await putSkus(deps.imports, list, 'api');
    if (!r.ok) {
      const errors = lines ? r.errors.map((e) => ({ ...(e.index !== undefined ? { line: lines[e.index] } : {}), ...e })) : r.errors;
      return sendError(reply, r.errors.length > 0 ? 422 : 400, r.errors.length > 0 ? ErrorCode.SchemaInvalid : ErrorCode.BadRequest, r.message, { errors });
    }
    const s = r.summary;
    return reply.send({
      ok: true, rows: s.rows, inserted: s.inserted, updated: s.updated, unchanged: s.unchanged, below_threshold: s.belowThreshold,
      // Warnings, not errors: the rows were written.
      price_kept: s.priceKept, oversold: s.oversold,
      ...(s.priceKept.length > 0 ? { note: 'prices of existing SKUs were kept: change a price through POST /api/price-changes (approval)' } : {}),
    });
  });

  app.get<{ Params: { sku: string } }>('/api/skus/:sku', { onRequest: guard }, async (req, reply) => {
    const q = readQuery(req.query, {});
    if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
    const { rows } = await deps.pool.query(
      `SELECT sku, name, stock, reserved, greatest(stock - reserved, 0) AS available, price, owner, low_stock_threshold, updated_at, price_updated_at
       FROM skus WHERE sku = $1`,
      [req.params.sku],
    );
    if (!rows[0]) return sendError(reply, 404, ErrorCode.NotFound, `no SKU "${req.params.sku}" in the master record`);
    const [listings, pools] = await Promise.all([
      deps.pool.query('SELECT platform, shop, stock, price, seen_at, source FROM platform_listings WHERE sku = $1 ORDER BY platform, shop', [req.params.sku]),
      deps.pool.query('SELECT pool, held FROM sku_pool_usage WHERE sku = $1 ORDER BY pool', [req.params.sku]),
    ]);
    return reply.send({ sku: rows[0], pools: pools.rows, listings: listings.rows });
  });

  app.post<{ Params: { source: string } }>('/webhooks/listings/:source', { bodyLimit: 1024 * 1024 }, async (req, reply) => {
    const source = req.params.source;
    if (source !== 'generic') {
      return sendError(reply, 404, ErrorCode.UnknownSource, `unknown listings source "${source}"; known: generic (platform adapters add theirs)`);
    }
    if (!deps.webhookSecret) return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the listings webhook secret is not configured (set ORDER_WEBHOOK_SECRET)');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifySignature(deps.webhookSecret, body, req.headers['x-orderops-signature']);
    if (!check.ok) {
      return sendError(reply, 401, check.reason === 'missing' ? ErrorCode.SignatureMissing : ErrorCode.SignatureInvalid, check.reason === 'missing'
        ? 'missing X-Orderops-Signature header: sign the raw body with HMAC-SHA256 and send sha256=<hex>'
        : 'signature does not match the body: compute HMAC-SHA256 over the exact bytes sent, with the shared secret');
    }
    const keep = (httpStatus: number, reason: string, errors: unknown) =>
      recordRejection(deps.pool, { source: `listings:${source}`, httpStatus, reason, errors, body, headers: { 'content-type': req.headers['content-type'] }, remoteAddr: req.ip, via: 'listings' })
        .catch((e: Error) => { deps.logger.error({ err: e.message }, 'could not record a rejected listings payload'); return undefined; });
    const parsed = parseJson(req);
    if (!parsed.ok) {
      await keep(400, 'malformed_json', [{ message: parsed.message }]);
      return sendError(reply, 400, ErrorCode.MalformedJson, parsed.message);
    }
    const v = parsed.value;
    const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null && Array.isArray((v as { listings?: unknown }).listings) ? (v as { listings: unknown[] }).listings : [v];
    const receivedAt = deps.clock.now().toISOString();
    const errors: (FieldError & { index: number })[] = [];
    const listings = [];
    if (list.length === 0 || list.length > MAX_LISTINGS) errors.push({ index: 0, field: '(body)', message: `send 1 to ${MAX_LISTINGS} listings` });
    for (const [index, raw] of list.entries()) {
      const r = validateListing(raw, receivedAt);
      if (r.ok) listings.push(r.value);
      else errors.push(...r.errors.map((e) => ({ index, ...e })));
    }
    if (errors.length > 0) {
      const id = await keep(422, 'schema', errors);
      return sendError(reply, 422, ErrorCode.SchemaInvalid, `listing failed validation: ${[...new Set(errors.map((e) => `[${e.index}].${e.field}`))].join(', ')}; nothing was stored`,
        { errors, rejection_id: id });
    }
    const stored = await upsertListings(deps.pool, listings, source, deps.clock.now());
    return reply.send({ ok: true, received: listings.length, stored });
  });

  // A report as JSON (`12`, `latest`, or `?date=YYYY-MM-DD`) or its deviation table as CSV (`12.csv`).
  app.get<{ Params: { file: string } }>('/api/reports/consistency/:file', async (req, reply) => {
    const q = readQuery(req.query, { exp: 'one', sig: 'one' });
    if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
    const m = /^(\d{1,15}|latest)(\.csv)?$/.exec(req.params.file);
    if (!m) return sendError(reply, 404, ErrorCode.NotFound, 'use /api/reports/consistency/<id>, <id>.csv or latest');
    const csv = m[2] !== undefined;
    if (!expected) return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the API is disabled: set ORDEROPS_API_TOKEN');
    const signed = csv && m[1] !== 'latest' && verifyCsvLink(deps.apiToken!, Number(m[1]), q.values.exp, q.values.sig, deps.clock.now());
    if (!signed && !bearerOk(req)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, ErrorCode.Unauthorized, 'send Authorization: Bearer <ORDEROPS_API_TOKEN> (or open the signed link from the report card before it expires)');
    }
    let report;
    if (m[1] === 'latest') {
      const { rows } = await deps.pool.query<{ id: number }>('SELECT id FROM consistency_reports ORDER BY report_date DESC, id DESC LIMIT 1');
      report = rows[0] ? await loadReport(deps.pool, rows[0].id) : null;
    } else report = await loadReport(deps.pool, Number(m[1]));
    if (!report) return sendError(reply, 404, ErrorCode.NotFound, `no consistency report ${m[1]}`);
    if (!csv) return reply.send({ report });
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="consistency-${report.reportDate}-${report.id}.csv"`);
    return reply.send(Readable.from(reportCsv(deps.pool, report.id)));
  });

  app.get('/api/reports/consistency', { onRequest: guard }, async (req, reply) => {
    const q = readQuery(req.query, { date: 'one' });
    if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
    const date = q.values.date;
    if (!date || !isCalendarDate(date)) return sendError(reply, 400, ErrorCode.BadRequest, 'send ?date=YYYY-MM-DD, or GET /api/reports/consistency/latest');
    const report = await reportOfDate(deps.pool, date);
    if (!report) return sendError(reply, 404, ErrorCode.NotFound, `no consistency report for ${date}`);
    return reply.send({ report });
  });

  app.post('/api/reports/consistency', { onRequest: guard }, async (_req, reply) => {
    const r = await makeConsistencyReport(deps.reports, { trigger: 'api' });
    return reply.code(201).send({ report: r.report });
  });

  app.post('/api/price-changes', { onRequest: guard }, async (req, reply) => {
    const body = parseJson(req);
    if (!body.ok) return sendError(reply, 400, ErrorCode.MalformedJson, body.message);
    const b = body.value as Record<string, unknown>;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'send {"sku", "price", "requested_by"?, "reason"?, "publish_at"?, "scope"?}');
    const unknown = Object.keys(b).filter((k) => !['sku', 'price', 'requested_by', 'reason', 'publish_at', 'scope'].includes(k));
    const problems: string[] = unknown.map((k) => `unknown field "${k}"`);
    if (typeof b.sku !== 'string' || !b.sku) problems.push('sku is required');
    if (typeof b.price !== 'string' && typeof b.price !== 'number') problems.push('price is required, e.g. "599.00"');
    if (b.requested_by !== undefined && (typeof b.requested_by !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(b.requested_by))) problems.push('requested_by must be a staff id');
    if (b.reason !== undefined && typeof b.reason !== 'string') problems.push('reason must be text');
    if (b.publish_at !== undefined && typeof b.publish_at !== 'string') problems.push('publish_at must be an ISO 8601 time with an offset');
    // scope: push to one listing only (e.g. the master price to the one shop that shows another).
    const sc = b.scope as { platform?: unknown; shop?: unknown } | undefined;
    if (sc !== undefined && (typeof sc !== 'object' || sc === null || typeof sc.platform !== 'string' || typeof sc.shop !== 'string' || Object.keys(sc).some((k) => k !== 'platform' && k !== 'shop'))) {
      problems.push('scope must be {"platform", "shop"} of one listing');
    }
    if (problems.length > 0) return sendError(reply, 422, ErrorCode.SchemaInvalid, problems.join('; '));
    const r = await requestPriceChange(deps.prices, {
      sku: b.sku as string, price: b.price as string, requestedBy: (b.requested_by as string | undefined) ?? 'api', via: 'api',
      reason: b.reason as string | undefined, publishAt: b.publish_at as string | undefined,
      ...(sc ? { scope: { platform: sc.platform as string, shop: sc.shop as string } } : {}),
    });
    if (!r.ok) {
      const status = REQUEST_STATUS[r.reason] ?? 422;
      return sendError(reply, status, status === 404 ? ErrorCode.NotFound : status === 409 ? ErrorCode.Conflict : ErrorCode.SchemaInvalid, r.message,
        { reason: r.reason, ...(r.requestId ? { request_id: r.requestId } : {}) });
    }
    return reply.code(201).send({ ok: true, request_id: r.requestId, version: r.version, status: 'pending' });
  });

  app.get<{ Params: { id: string } }>('/api/price-changes/:id', { onRequest: guard }, async (req, reply) => {
    const q = readQuery(req.query, {});
    if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
    const id = Number(req.params.id);
    const row = Number.isSafeInteger(id) && id > 0 ? await findPriceChange(deps.pool, id) : null;
    if (!row) return sendError(reply, 404, ErrorCode.NotFound, `no price change ${req.params.id}`);
    return reply.send({ price_change: row, pushes: await pushesOf(deps.pool, id) });
  });

  registerPushRoutes(app, deps, guard);

  // The API acts as the staff member it names: the token holder is trusted to say who decides.
  app.post<{ Params: { id: string } }>('/api/price-changes/:id/decision', { onRequest: guard }, async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) return sendError(reply, 404, ErrorCode.NotFound, `no price change ${req.params.id}`);
    const body = parseJson(req);
    if (!body.ok) return sendError(reply, 400, ErrorCode.MalformedJson, body.message);
    const b = (body.value ?? {}) as Record<string, unknown>;
    if (b.decision !== 'approve' && b.decision !== 'reject') return sendError(reply, 422, ErrorCode.SchemaInvalid, 'decision must be "approve" or "reject"');
    if (typeof b.version !== 'number' || !Number.isSafeInteger(b.version) || b.version < 1) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'version must be the version you looked at (GET /api/price-changes/:id)');
    if (typeof b.staff !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(b.staff)) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'staff must be the id of the staff member deciding');
    if (b.confirm_night !== undefined && typeof b.confirm_night !== 'boolean') return sendError(reply, 422, ErrorCode.SchemaInvalid, 'confirm_night must be true or false');
    const r = await decidePriceChange(deps.prices, {
      requestId: id, version: b.version, user: { platform: 'local', userId: b.staff }, decision: b.decision, via: 'api', confirmNight: b.confirm_night === true,
    });
    if (r.ok) return reply.send({ ok: true, request_id: r.requestId, version: r.version, status: r.status, pushes_queued: r.pushes });
    const status = DECISION_STATUS[r.reason] ?? 422;
    const code = status === 404 ? ErrorCode.NotFound : status === 403 ? ErrorCode.Forbidden : ErrorCode.Conflict;
    return sendError(reply, status, code, t(deps.prices.locale, r.notice.key, r.notice.vars), { reason: r.reason, notice: r.notice });
  });
}

/**
 * `POST /api/price-changes/:id/retry` (failed pushes go out again) and `…/confirm-push` (pushes held
 * by the night guard go out now), acting as the staff member named in the body like a decision.
 */
export function registerPushRoutes(app: FastifyInstance, deps: Pick<InventoryApiDeps, 'prices'>, guard: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  for (const [path, run] of [['retry', retryPricePushes], ['confirm-push', confirmNightPushes]] as const) {
    app.post<{ Params: { id: string } }>(`/api/price-changes/:id/${path}`, { onRequest: guard }, async (req, reply) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id) || id < 1) return sendError(reply, 404, ErrorCode.NotFound, `no price change ${req.params.id}`);
      const body = parseJson(req);
      if (!body.ok) return sendError(reply, 400, ErrorCode.MalformedJson, body.message);
      const b = (body.value ?? {}) as Record<string, unknown>;
      if (typeof b !== 'object' || Array.isArray(b) || Object.keys(b).some((k) => k !== 'staff')) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'send {"staff": "<staff id>"} and nothing else');
      if (typeof b.staff !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(b.staff)) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'staff must be the id of the staff member acting (a price approver role)');
      const r = await run(deps.prices, { requestId: id, user: { platform: 'local', userId: b.staff }, via: 'api' });
      if (r.ok) return reply.send({ ok: true, request_id: r.requestId, version: r.version, pushes_queued: r.pushes });
      const status = r.reason === 'not_found' ? 404 : r.reason === 'unknown_user' || r.reason === 'forbidden' ? 403 : 409;
      const code = status === 404 ? ErrorCode.NotFound : status === 403 ? ErrorCode.Forbidden : ErrorCode.Conflict;
      return sendError(reply, status, code, t(deps.prices.locale, r.notice.key, r.notice.vars), { reason: r.reason, notice: r.notice });
    });
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** YYYY-MM-DD naming a real day (2026-02-30 is not one; Postgres would refuse it with a 500). */
function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) && Number(m[1]) >= 1970;
}
