// Jest global setup: a fresh test database with every migration applied, once per run.
// Plain ESM so node-pg-migrate (ESM-only) loads natively.
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// One database per run (several runs may share this machine: a developer's, a helper's, CI's).
export function testDatabaseUrl() {
  const url = new URL(process.env.TEST_DATABASE_URL || `postgres://localhost:5432/orderops_test_${process.pid}`);
  if (!url.username) url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return url.toString();
}

export default async function globalSetup() {
  const url = testDatabaseUrl();
  process.env.TEST_DATABASE_URL = url;
  // The migrated database is a template: each test file works in its own copy (per-file-db.ts).
  process.env.TEST_TEMPLATE_DATABASE_URL = url;
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await c.end();
  await runner({
    databaseUrl: url,
    dir: path.join(root, 'migrations'),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log: () => {},
  });
}
