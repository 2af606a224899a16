// Every test file gets a database of its own, copied from the run's migrated template
// (CREATE DATABASE … TEMPLATE is a file copy: fast). Apps under test sync the staff table to their
// config and sweep whatever is unprocessed, so files must never share one.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const template = process.env.TEST_TEMPLATE_DATABASE_URL;

if (template) {
  const base = new URL(template);
  const name = `${base.pathname.slice(1)}_f${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new URL(template);
  admin.pathname = '/postgres';

  beforeAll(async () => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(base.pathname.slice(1))}`);
    } finally {
      await c.end();
    }
    const mine = new URL(template);
    mine.pathname = `/${name}`;
    process.env.TEST_DATABASE_URL = mine.toString();
  });

  // Dropped by the global teardown: a file's own afterAll hooks may still be closing connections.
  afterAll(() => {
    process.env.TEST_DATABASE_URL = template;
  });
}
