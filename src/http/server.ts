import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ErrorCode } from '../domain/errors';
import type { Metrics } from './metrics';
import { sendError } from './errors';
import { targetProblem } from './query';

export interface ServerDeps {
  pool: pg.Pool;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
  /** Warnings that do not make the bot unready but an operator must see (a year without holiday data). */
  warnings?: () => Record<string, unknown>;
}

/**
 * The HTTP server: bodies stay raw bytes (every inbound signature is computed over them) and each
 * route parses its own. Health, readiness and metrics live here; features register their routes.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // Per-request logs would cost more than the intake itself in a storm; metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    return503OnClosing: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, ErrorCode.BodyTooLarge, 'body exceeds 1 MiB: split the orders into several requests');
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, err.statusCode, ErrorCode.BadRequest, err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, 500, ErrorCode.Internal, 'internal error; the request was not applied, retry later');
  });
  // A control character (or a broken %-escape) in a path or query is never a valid id, status or
  // date: 400 before any route runs (Postgres text would refuse a NUL with a 500).
  app.addHook('onRequest', async (req, reply) => {
    const problem = targetProblem(req.url);
    if (problem) return sendError(reply, 400, ErrorCode.BadRequest, problem);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, ErrorCode.NotFound, `no route ${req.method} ${req.url}`));

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const [pgOk, redisOk] = await Promise.all([
      deps.pool.query('SELECT 1').then(() => true, () => false),
      withTimeout(deps.redis.ping(), 1000).then((r) => r === 'PONG', () => false),
    ]);
    return reply.code(pgOk && redisOk ? 200 : 503).send({ ok: pgOk && redisOk, postgres: pgOk, redis: redisOk, ...deps.warnings?.() });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  return app;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
