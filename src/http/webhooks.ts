import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { QueueFullError } from '../db/group-commit';
import { recordRejection } from '../db/rejects';
import type { OrderIntake } from '../actions/ingest-orders';
import type { OrderSource } from '../integrations/platforms/source';
import { ErrorCode } from '../domain/errors';
import type { IntakeMetrics } from './metrics';
import { sendError } from './errors';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookDeps {
  pool: pg.Pool;
  intake: OrderIntake;
  sources: Map<string, OrderSource>;
  metrics: IntakeMetrics;
  logger: Logger;
}

const KEPT_HEADERS = ['content-type', 'user-agent', 'x-orderops-signature', 'x-forwarded-for',
  'app-id', 'event-sign', 'x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-webhook-id', 'x-shopify-hmac-sha256'];

/**
 * `POST /webhooks/orders/:source`. Checks run cheapest first and nothing is written before the
 * signature holds: size (413) → signature (401) → JSON (400) → schema (422). Signed requests that
 * fail are kept in rejected_payloads. 200 only after the orders are committed.
 */
export function registerWebhooks(app: FastifyInstance, deps: WebhookDeps): void {
  app.post<{ Params: { source: string } }>(
    '/webhooks/orders/:source',
    { bodyLimit: WEBHOOK_BODY_LIMIT },
    async (req, reply) => {
      const started = performance.now();
      const sourceName = req.params.source;
      const source = deps.sources.get(sourceName);
      if (!source) {
        return sendError(reply, 404, ErrorCode.UnknownSource, `unknown order source "${sourceName}"; known: ${[...deps.sources.keys()].join(', ')}`);
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const reject = (reason: string) => deps.metrics.rejected.inc({ source: sourceName, reason });

      const check = source.verify(body, req.headers);
      if (!check.ok) {
        reject(`signature_${check.reason}`);
        if (check.reason === 'not_configured') {
          return sendError(reply, 503, ErrorCode.SecretNotConfigured, `the ${sourceName} webhook secret is not configured (set ${source.help?.secretEnv ?? 'ORDER_WEBHOOK_SECRET'})`);
        }
        const code = check.reason === 'missing' ? ErrorCode.SignatureMissing : ErrorCode.SignatureInvalid;
        if (source.help) {
          return sendError(reply, 401, code, `${check.reason === 'missing' ? 'missing' : 'invalid'} ${source.help.signatureHeader} header: it must be the ${sourceName} signature of the exact bytes sent, made with the secret in ${source.help.secretEnv}`);
        }
        return sendError(reply, 401, code, check.reason === 'missing'
          ? 'missing X-Orderops-Signature header: sign the raw body with HMAC-SHA256 and send sha256=<hex>'
          : 'signature does not match the body: compute HMAC-SHA256 over the exact bytes sent, with the shared secret');
      }

      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch (e) {
        reject('malformed_json');
        const message = `body is not valid JSON: ${(e as Error).message}`;
        await keep(deps, { source: sourceName, httpStatus: 400, reason: 'malformed_json', errors: [{ message }], body, headers: req.headers, remoteAddr: req.ip });
        return sendError(reply, 400, ErrorCode.MalformedJson, message);
      }

      const parsed = source.parse(payload, { body, headers: req.headers, receivedAt: new Date().toISOString() });
      if (!parsed.ok) {
        reject('schema');
        const id = await keep(deps, { source: sourceName, httpStatus: 422, reason: 'schema', errors: parsed.errors, body, headers: req.headers, remoteAddr: req.ip });
        return sendError(reply, 422, ErrorCode.SchemaInvalid,
          `order failed validation: ${[...new Set(parsed.errors.map((e) => (e.index !== undefined ? `[${e.index}].` : '') + e.field))].join(', ')}`,
          { errors: parsed.errors, rejection_id: id });
      }

      try {
        const results = await deps.intake.ingest(parsed.orders);
        deps.metrics.ackSeconds.observe({ source: sourceName }, (performance.now() - started) / 1000);
        if (source.successBody) return reply.code(200).send(source.successBody(results));
        return reply.code(200).send({
          ok: true,
          received: results.length,
          orders: results.map((r) => ({ id: r.externalId, result: r.outcome })),
        });
      } catch (e) {
        if (e instanceof QueueFullError) {
          reject('overloaded');
          reply.header('retry-after', '1');
          return sendError(reply, 503, ErrorCode.IntakeOverloaded, `${e.message}; retry after 1 s — nothing from this request was stored`);
        }
        deps.logger.error({ err: (e as Error).message }, 'intake write failed');
        reply.header('retry-after', '5');
        return sendError(reply, 503, ErrorCode.IntakeUnavailable, 'the order store is unavailable; nothing was acknowledged, retry later');
      }
    },
  );
}

async function keep(deps: WebhookDeps, r: Parameters<typeof recordRejection>[1]): Promise<number | undefined> {
  const headers: Record<string, unknown> = {};
  for (const h of KEPT_HEADERS) if (r.headers[h] !== undefined) headers[h] = r.headers[h];
  try {
    return await recordRejection(deps.pool, { ...r, headers });
  } catch (e) {
    deps.logger.error({ err: (e as Error).message }, 'could not record a rejected payload');
    return undefined;
  }
}
