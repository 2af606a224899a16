import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { OrderIntake } from '../actions/ingest-orders';
import type { OrderSource } from '../integrations/platforms/source';
import { ErrorCode } from '../domain/errors';
import { systemClock, type Clock } from '../domain/ports';
import type { IntakeMetrics } from './metrics';
import { sendError } from './errors';
import { takePayload } from './intake-request';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookDeps {
  pool: pg.Pool;
  intake: OrderIntake;
  sources: Map<string, OrderSource>;
  metrics: IntakeMetrics;
  logger: Logger;
  clock?: Clock;
}

/**
 * `POST /webhooks/orders/:source`. Checks run cheapest first and nothing is written before the
 * signature holds: size (413) → signature (401) → then the payload path (intake-request.ts): JSON
 * (400) → nesting and schema (422) → group commit (200; 422 for an order Postgres refuses). Signed
 * requests that fail are kept in rejected_payloads. 200 only after the orders are committed.
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

      const answer = await takePayload(deps, source, {
        source: sourceName, body, headers: req.headers, remoteAddr: req.ip, receivedAt: (deps.clock ?? systemClock).now().toISOString(), keep: true,
      });
      if (answer.reason) reject(answer.reason);
      if (answer.status === 200) deps.metrics.ackSeconds.observe({ source: sourceName }, (performance.now() - started) / 1000);
      if (answer.reason === 'overloaded') reply.header('retry-after', '1');
      if (answer.reason === 'unavailable') reply.header('retry-after', '5');
      return reply.code(answer.status).send(answer.body);
    },
  );
}
