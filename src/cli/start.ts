import pino from 'pino';
import { createApp } from '../app';
import { readConfig, type Role } from '../config';
import { migrate } from '../db/migrate';
import { redisDurabilityWarnings } from '../jobs/redis';

/** `orderops start`: apply pending migrations, then serve until SIGTERM/SIGINT. */
export async function start(role: Role): Promise<void> {
  const config = readConfig();
  const logger = pino({ level: config.logLevel, base: { app: 'orderops', role } });
  const applied = await migrate(config.databaseUrl, (m) => logger.debug(m));
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const app = await createApp(config, { role, logger });
  for (const w of await redisDurabilityWarnings(app.redis)) logger.warn(w);
  if (!config.webhookSecret) logger.warn('ORDER_WEBHOOK_SECRET is not set: order webhooks answer 503 until it is');
  if (!config.apiToken) logger.warn('ORDEROPS_API_TOKEN is not set: the read API answers 503 until it is');
  const url = await app.listen();
  logger.info({ url, role, rules: config.configPath ?? '(built-in defaults)' }, `orderops listening on ${url}`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing accepted orders and running jobs');
    const force = setTimeout(() => {
      logger.error('shutdown took over 25 s; exiting (unprocessed orders are picked up by the sweeper)');
      process.exit(1);
    }, 25_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
