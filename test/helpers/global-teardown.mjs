// Drop this run's databases (the template and every per-file copy), unless asked to keep them or
// the caller chose its own database (TEST_DATABASE_URL set before the run).
import pg from 'pg';

export default async function globalTeardown() {
  if (process.env.ORDEROPS_KEEP_TEST_DB) return;
  const url = new URL(process.env.TEST_TEMPLATE_DATABASE_URL || process.env.TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^orderops_test_\d+$/.test(name)) return;
  url.pathname = '/postgres';
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [name, `${name}\\_%`]);
    // Copies first: the template cannot go while a copy is being made from it.
    for (const r of rows.sort((a, b) => b.datname.length - a.datname.length)) {
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(r.datname)} WITH (FORCE)`);
    }
  } finally {
    await c.end();
  }
}
