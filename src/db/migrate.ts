import path from 'node:path';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** Create the database named in the URL when it does not exist yet (a newcomer needs no createdb). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return false;
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return false;
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw e; // 3D000: invalid_catalog_name
  } finally {
    await probe.end().catch(() => undefined);
  }
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === '42P04') return false; // another copy created it first
    throw e;
  } finally {
    await admin.end();
  }
}

/**
 * Apply pending migrations under node-pg-migrate's advisory lock, so several copies starting at
 * once apply each migration exactly once. Returns the names applied.
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  // node-pg-migrate is ESM-only; a real dynamic import keeps this module CommonJS.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log,
    verbose: false,
  });
  return applied.map((m) => m.name);
}
