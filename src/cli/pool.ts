import { parseArgs } from 'node:util';
import { readConfig } from '../config';
import { createPool } from '../db/pool';
import { findStaffByChatUser } from '../db/staff';
import { loadPoolOverrides } from '../db/pool-overrides';
import { systemClock } from '../domain/ports';
import { setPool } from '../actions/shop/set-pool';
import { poolAnswer } from '../bot/commands/pool';
import { t } from '../present/i18n';

export const POOL_HELP = `orderops pool set <sku> <channel> <units|off> --as <staff id>
orderops pool list <sku>

Reserve units of a SKU for a channel (e.g. the Douyin live stream: pool set LAMP-01 douyin 30),
or "off" to return to the pools of orderops.yml. Acts as the staff member named by --as, who must
have one of shop_sync.pool_roles. The running bot pushes each shop's new sellable figure at its
next tick (shop_sync.stock_coalesce_seconds).`;

/** `orderops pool set|list …`. Exit 0 done, 1 refused, 2 usage. */
export async function poolCommandCli(argv: string[], env: NodeJS.ProcessEnv = process.env, out = (l: string) => console.log(l), err = (l: string) => console.error(l)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { as: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${POOL_HELP}`);
    return 2;
  }
  const [verb, sku, channel, units] = parsed.positionals;
  if (parsed.values.help) {
    out(POOL_HELP);
    return 0;
  }
  const usage = () => {
    err(POOL_HELP);
    return 2;
  };
  if (!sku || (verb === 'list' ? false : verb !== 'set' || !channel || !units || !/^(\d{1,10}|off)$/.test(units) || !parsed.values.as)) return usage();
  const config = readConfig(env);
  const { locale } = config.settings;
  const pool = createPool(config.databaseUrl, 2);
  try {
    if (verb === 'list') {
      const list = (await loadPoolOverrides(pool, [sku])).get(sku) ?? [];
      out(list.length === 0 ? t(locale, 'shop.pool.none', { sku }) : t(locale, 'shop.pool.list', { sku, pools: list.map((o) => `${o.channel} ${o.reserve}`).join(' · ') }));
      return 0;
    }
    const staff = await findStaffByChatUser(pool, { platform: 'local', userId: parsed.values.as! });
    if (!staff) {
      err(t(locale, 'notice.unknown_user', { userId: parsed.values.as! }));
      return 1;
    }
    const r = await setPool(
      { pool, clock: systemClock, inventory: config.settings.inventory, roles: config.settings.shopSync.poolRoles },
      { sku, channel: channel!.toLowerCase(), reserve: units === 'off' ? null : Number(units), staff, via: 'cli' },
    );
    (r.ok ? out : err)(poolAnswer(r, locale, (s) => s));
    return r.ok ? 0 : 1;
  } finally {
    await pool.end();
  }
}
