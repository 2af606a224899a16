import { parseArgs } from 'node:util';
import pino from 'pino';
import { readConfig } from '../config';
import { createPool } from '../db/pool';
import { systemClock } from '../domain/ports';
import { pullAllListings, pullShopListings } from '../actions/shop/pull-listings';
import { pacedShopPorts } from '../integrations/platforms/shop-ports';

export const LISTINGS_HELP = `orderops listings pull [--shop <id>]

Read each configured shop's listings (price, stock and the platform's ids) through its platform's
documented read calls, at the platform's configured rate (shop_sync.rate_limits), matched to the
master record by merchant code. Nothing is pushed. Exit 0 when every pull completed, 1 otherwise.`;

/** `orderops listings pull [--shop id]`. */
export async function listingsCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, out = (l: string) => console.log(l), err = (l: string) => console.error(l)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { shop: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${LISTINGS_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    out(LISTINGS_HELP);
    return 0;
  }
  if (parsed.positionals[0] !== 'pull') {
    err(LISTINGS_HELP);
    return 2;
  }
  const config = readConfig(env);
  const { settings } = config;
  const shops = parsed.values.shop ? settings.shops.filter((s) => s.id === parsed.values.shop) : settings.shops;
  if (shops.length === 0) {
    err(parsed.values.shop ? `no shop "${parsed.values.shop}" under shops: in orderops.yml` : 'no shops under shops: in orderops.yml');
    return 2;
  }
  const ports = pacedShopPorts({ platforms: config.platforms, shops: settings.shops, tokens: config.shopTokens }, settings.shopSync.rateLimits);
  const pool = createPool(config.databaseUrl, 2);
  try {
    const deps = { pool, clock: systemClock, shops, portFor: ports.shopPort, logger: pino({ level: 'silent' }) };
    const results = shops.length === 1 ? [await pullShopListings(deps, shops[0]!, 'cli')] : await pullAllListings(deps, { trigger: 'cli' });
    for (const r of results) {
      const line = `${r.shop}: ${r.status} · ${r.listings} listings (${r.matched} matched, ${r.unmatched} unknown codes) · ${r.calls} calls${r.error ? ` · ${r.error}` : ''}`;
      (r.status === 'complete' ? out : err)(line);
    }
    return results.every((r) => r.status === 'complete') ? 0 : 1;
  } finally {
    await pool.end();
  }
}
