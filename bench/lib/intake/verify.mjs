// Exactly once: every acknowledged id is in the table once; nothing is in it twice; the unique
// constraint that makes it so exists.
import { withPg } from '../checks.mjs';

export async function verifyStored(url, table, acked) {
  return withPg(url, async (c) => {
    const distinctAcked = new Set(acked).size;
    let lost = 0;
    let present = 0;
    for (let i = 0; i < acked.length; i += 50_000) {
      const ids = acked.slice(i, i + 50_000);
      const r = await c.query(
        `SELECT count(*)::int AS n, count(t.external_id)::int AS present
           FROM unnest($1::text[]) AS a(id) LEFT JOIN ${table} t ON t.source = 'generic' AND t.external_id = a.id`,
        [ids],
      );
      present += r.rows[0].present;
      lost += r.rows[0].n - r.rows[0].present;
    }
    const dup = await c.query(
      `SELECT count(*)::int AS rows, count(DISTINCT (source, external_id))::int AS keys FROM ${table}`,
    );
    const unique = await c.query(
      `SELECT count(*)::int AS n FROM pg_index i JOIN pg_attribute a1 ON a1.attrelid = i.indrelid AND a1.attnum = i.indkey[0]
         JOIN pg_attribute a2 ON a2.attrelid = i.indrelid AND a2.attnum = i.indkey[1]
        WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indnatts = 2 AND a1.attname = 'source' AND a2.attname = 'external_id'`,
      [table],
    );
    const { rows, keys } = dup.rows[0];
    return {
      acked: acked.length,
      ackedTwice: acked.length - distinctAcked,
      stored: rows,
      lost,
      duplicated: rows - keys,
      uniqueConstraint: unique.rows[0].n > 0,
      // Committed but never acknowledged: requests in flight when the load stopped (the sender
      // would retry them; a retry answers "unchanged").
      storedNotAcked: rows - present,
      ok: lost === 0 && rows === keys && acked.length === distinctAcked && unique.rows[0].n > 0,
    };
  });
}
