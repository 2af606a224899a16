import pg from 'pg';

// numeric stays a string (money is never a float); bigint ids fit in a JS number for centuries.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** The one-method seam that a pool, a client or a transaction all satisfy. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | pg.QueryConfig<unknown[]>, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export function createPool(databaseUrl: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (a Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  // Nor may a checked-out one: pg-pool listens for a client's 'error' only while it is idle, and a
  // client held between queries (a card sync's advisory lock, an open transaction) emits 'error'
  // when Postgres restarts. The query in flight still rejects; the pool drops the client on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export interface TxOptions {
  /** Recorded by the order-history trigger as who made the change, e.g. `staff:zhangsan`. */
  actor?: string;
  /** Where the change came from: slack, feishu, local, api, worker, cli … */
  via?: string;
}

/** Run `fn` in one transaction; rolls back on any throw and rethrows. */
export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>, opts: TxOptions = {}): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (opts.actor || opts.via) {
      await client.query("SELECT set_config('orderops.actor', $1, true), set_config('orderops.via', $2, true)", [
        opts.actor ?? '',
        opts.via ?? '',
      ]);
    }
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
