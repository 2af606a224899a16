// Drop this run's database, unless the caller chose one (TEST_DATABASE_URL set before the run).
import pg from 'pg';

export default async function globalTeardown() {
  if (process.env.ORDEROPS_KEEP_TEST_DB) return;
  const url = new URL(process.env.TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^orderops_test_\d+$/.test(name)) return;
  url.pathname = '/postgres';
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await c.end();
}
