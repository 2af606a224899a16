// The poison storm of `npm run bench:intake` (target ours-poison): among clean orders, one in N is
// the kind of order that broke a batch in the 2026-01-08 storm. Each kind and what the bot answers:
//   nul        a NUL in the remark                 200: the text is made storable, the raw body kept
//   surrogate  a lone surrogate in the buyer name  200: the same
//   year0      created_at in year 0000             422 at validation (kept in rejected_payloads)
//   deep       a field nested 64 levels deep       422 before parsing (kept)
//   sql        a value only Postgres refuses       422: its group-commit batch is bisected, the rest
//              (a CHECK the bench adds to its own  commits — the isolation path itself
//              database: remark = 'bench-poison-sql')
import { orderBody } from '../orders.mjs';

export const POISON_KINDS = ['nul', 'surrogate', 'year0', 'deep', 'sql'];
export const SQL_POISON_REMARK = 'bench-poison-sql';

/** Installs what the `sql` kind needs in the bot's (already migrated) database. */
export const SQL_POISON_CONSTRAINT = `ALTER TABLE orders ADD CONSTRAINT bench_poison CHECK (data->>'remark' IS DISTINCT FROM '${SQL_POISON_REMARK}') NOT VALID`;

function poisonBody(kind, id) {
  const o = JSON.parse(orderBody(id));
  if (kind === 'nul') o.remark = '急\u0000请尽快发货';
  else if (kind === 'surrogate') o.buyer.name = '王\ud800五';
  else if (kind === 'year0') o.created_at = '0000-01-01T00:00:00Z';
  else if (kind === 'deep') o.extra = JSON.parse(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`);
  else if (kind === 'sql') o.remark = SQL_POISON_REMARK;
  else throw new Error(`unknown poison kind ${kind}`);
  return JSON.stringify(o);
}

/**
 * The body of request number `seq`: a clean order, except every `every`-th request, which is the
 * next poison kind in turn. Returns the kind (undefined for a clean order) with the body.
 */
export function stormBodies(every, kinds) {
  let poisoned = 0;
  return (id, seq) => {
    if (!every || seq % every !== every - 1) return { body: orderBody(id) };
    const kind = kinds[poisoned++ % kinds.length];
    return { body: poisonBody(kind, id), kind };
  };
}
