import type { FastifyInstance } from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Clock } from '../domain/ports';
import { ErrorCode } from '../domain/errors';
import { checkStageUpdate, type StageFieldError, type StageUpdate } from '../domain/orders/stage-update';
import { moveStage, type MoveStageDeps } from '../actions/move-stage';
import { bearerGuard } from './bearer-guard';
import { sendError } from './errors';

export interface StageApiDeps extends MoveStageDeps {
  clock: Clock;
  apiToken?: string;
}

/** At most this many updates per bulk request (a scanner's shift, an ERP sync batch). */
export const MAX_BULK_STAGES = 5000;

const STATUS: Record<string, number> = { updated: 200, unchanged: 200, not_found: 404, conflict: 409 };

/**
 * The warehouse's stage API (bearer ORDEROPS_API_TOKEN):
 * - `POST /api/orders/:source/:externalId/stage` `{stage, at, tracking_number?, carrier?}` → 200
 *   updated/unchanged, 404 unknown order, 409 a move back or on an unpaid/closed order, 422 bad fields.
 * - `POST /api/orders/stages`: a JSON array (or `{updates: [...]}`) of `{source, external_id, stage,
 *   at, …}`, or CSV (`Content-Type: text/csv`, a header row with the same names). Every row is
 *   checked first: any bad row → 422 listing each, nothing changed. Then each applies on its own
 *   and the answer lists each row's result.
 */
export function registerStageApi(app: FastifyInstance, deps: StageApiDeps): void {
  const guard = bearerGuard(deps.apiToken);

  app.post<{ Params: { source: string; externalId: string } }>('/api/orders/:source/:externalId/stage', { onRequest: guard }, async (req, reply) => {
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(reply, 400, ErrorCode.MalformedJson, body.message);
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      return sendError(reply, 422, ErrorCode.SchemaInvalid, 'send one JSON object: {"stage": "packed", "at": "2026-01-09T10:20:00+08:00"}');
    }
    const checked = checkStageUpdate({ ...(body.value as Record<string, unknown>), source: req.params.source, external_id: req.params.externalId }, deps.clock.now());
    if (!checked.ok) return sendError(reply, 422, ErrorCode.SchemaInvalid, `stage update failed validation: ${checked.errors.map((e) => e.field).join(', ')}`, { errors: checked.errors });
    const r = await moveStage(deps, checked.update, 'api');
    if (r.result === 'not_found') return sendError(reply, 404, ErrorCode.NotFound, `no order ${req.params.externalId} from ${req.params.source}`);
    if (r.result === 'conflict') return sendError(reply, 409, ErrorCode.Conflict, r.reason, { stage: r.stage });
    return reply.send({ ok: true, result: r.result, stage: r.stage });
  });

  app.post('/api/orders/stages', { onRequest: guard, bodyLimit: 4 * 1024 * 1024 }, async (req, reply) => {
    const rows = readBulk(req.headers['content-type'], req.body);
    if (!rows.ok) return sendError(reply, rows.status, rows.status === 400 ? ErrorCode.MalformedJson : ErrorCode.SchemaInvalid, rows.message);
    if (rows.value.length === 0) return sendError(reply, 422, ErrorCode.SchemaInvalid, 'no updates: send at least one');
    if (rows.value.length > MAX_BULK_STAGES) return sendError(reply, 422, ErrorCode.SchemaInvalid, `at most ${MAX_BULK_STAGES} updates per request: split the file`);
    const now = deps.clock.now();
    const updates: StageUpdate[] = [];
    const errors: (StageFieldError & { index: number })[] = [];
    rows.value.forEach((row, index) => {
      const c = typeof row === 'object' && row !== null && !Array.isArray(row) ? checkStageUpdate(row as Record<string, unknown>, now) : { ok: false as const, errors: [{ field: '(row)', message: 'must be an object' }] };
      if (c.ok) updates.push(c.update);
      else errors.push(...c.errors.map((e) => ({ index, ...e })));
    });
    if (errors.length > 0) {
      return sendError(reply, 422, ErrorCode.SchemaInvalid, `${new Set(errors.map((e) => e.index)).size} of ${rows.value.length} updates failed validation; nothing was applied`, { errors });
    }
    const results: ({ index: number; source: string; external_id: string; status: number | undefined } & Awaited<ReturnType<typeof moveStage>>)[] = [];
    for (const [index, u] of updates.entries()) {
      const r = await moveStage(deps, u, 'api');
      results.push({ index, source: u.source, external_id: u.externalId, status: STATUS[r.result], ...r });
    }
    const count = (k: string) => results.filter((r) => r.result === k).length;
    return reply.send({ ok: true, updated: count('updated'), unchanged: count('unchanged'), not_found: count('not_found'), conflict: count('conflict'), results });
  });
}

function parseJsonBody(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `body is not valid JSON: ${(e as Error).message}` };
  }
}

function readBulk(contentType: string | undefined, body: unknown): { ok: true; value: unknown[] } | { ok: false; status: 400 | 422; message: string } {
  if (/^text\/csv/i.test(contentType ?? '')) {
    try {
      const text = (Buffer.isBuffer(body) ? body.toString('utf8') : '').replace(/^\uFEFF/, '');
      return { ok: true, value: parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as unknown[] };
    } catch (e) {
      return { ok: false, status: 400, message: `body is not valid CSV: ${(e as Error).message}` };
    }
  }
  const json = parseJsonBody(body);
  if (!json.ok) return { ok: false, status: 400, message: json.message };
  const v = json.value;
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null && Array.isArray((v as { updates?: unknown }).updates) ? (v as { updates: unknown[] }).updates : null;
  return list ? { ok: true, value: list } : { ok: false, status: 422, message: 'send a JSON array of updates, {"updates": [...]}, or text/csv' };
}
