import type { Queryable } from './pool';

export interface Rejection {
  source: string;
  httpStatus: number;
  reason: string;
  errors?: unknown;
  body: Buffer;
  headers: Record<string, unknown>;
  remoteAddr?: string;
}

/** Keep a signed request we could not take, with its reason, for someone to look at. */
export async function recordRejection(db: Queryable, r: Rejection): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO rejected_payloads (source, http_status, reason, errors, body, headers, remote_addr)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      r.source,
      r.httpStatus,
      r.reason,
      r.errors === undefined ? null : JSON.stringify(r.errors),
      // Postgres text cannot hold NUL; keep the bytes readable either way.
      r.body.toString('utf8').replace(/\u0000/g, '\\u0000'),
      JSON.stringify(r.headers),
      r.remoteAddr ?? null,
    ],
  );
  return rows[0]!.id;
}
