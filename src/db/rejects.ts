import type { Queryable } from './pool';

/**
 * Where a kept payload came from: an order webhook request can be replayed; the others come back by
 * themselves (a pull or a platform message feed: the next reconcile; listings and tracking pushes:
 * their sender's next push).
 */
export type RejectionVia = 'webhook' | 'pull' | 'message' | 'listings' | 'tracking';

export interface Rejection {
  source: string;
  httpStatus: number;
  reason: string;
  errors?: unknown;
  body: Buffer;
  headers: Record<string, unknown>;
  remoteAddr?: string;
  via?: RejectionVia;
}

/** Keep a signed request we could not take, with its reason, for someone to look at and replay. */
export async function recordRejection(db: Queryable, r: Rejection): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO rejected_payloads (source, http_status, reason, errors, body, body_bytes, headers, remote_addr, via)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      r.source,
      r.httpStatus,
      r.reason,
      r.errors === undefined ? null : JSON.stringify(r.errors),
      // Postgres text cannot hold NUL: the readable copy escapes it; body_bytes is byte-exact.
      r.body.toString('utf8').replace(/\u0000/g, '\\u0000'),
      r.body,
      JSON.stringify(r.headers),
      r.remoteAddr ?? null,
      r.via ?? 'webhook',
    ],
  );
  return rows[0]!.id;
}

export interface RejectionRow {
  id: number;
  received_at: Date;
  source: string;
  via: RejectionVia;
  http_status: number;
  reason: string;
  errors: unknown;
  /** The exact bytes received (rows kept before body_bytes existed: their text, NUL escaped). */
  body: Buffer;
  headers: Record<string, unknown> | null;
  remote_addr: string | null;
  replayed_at: Date | null;
  replay_status: number | null;
  replay_result: unknown;
  replays: number;
}

export interface RejectionFilter {
  since?: Date;
  until?: Date;
  source?: string;
  reason?: string;
  /** Only those never replayed, or whose last replay was refused again. */
  pending?: boolean;
  limit: number;
}

const COLUMNS = `id, received_at, source, via, http_status, reason, errors, coalesce(body_bytes, convert_to(body, 'UTF8')) AS body,
  headers, remote_addr, replayed_at, replay_status, replay_result, replays`;

/** Newest first. */
export async function listRejections(db: Queryable, f: RejectionFilter): Promise<RejectionRow[]> {
  const { rows } = await db.query<RejectionRow>(
    `SELECT ${COLUMNS} FROM rejected_payloads
      WHERE ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at < $2)
        AND ($3::text IS NULL OR source = $3) AND ($4::text IS NULL OR reason = $4)
        AND (NOT $5 OR replay_status IS NULL OR replay_status >= 400)
      ORDER BY received_at DESC, id DESC LIMIT $6`,
    [f.since ?? null, f.until ?? null, f.source ?? null, f.reason ?? null, f.pending ?? false, f.limit],
  );
  return rows;
}

export async function getRejection(db: Queryable, id: number): Promise<RejectionRow | undefined> {
  const { rows } = await db.query<RejectionRow>(`SELECT ${COLUMNS} FROM rejected_payloads WHERE id = $1`, [id]);
  return rows[0];
}

/** Record the outcome of a replay (the HTTP status the payload would get now, and its answer). */
export async function markReplayed(db: Queryable, id: number, at: Date, status: number, result: unknown): Promise<void> {
  await db.query(
    `UPDATE rejected_payloads SET replayed_at = $2, replay_status = $3, replay_result = $4, replays = replays + 1 WHERE id = $1`,
    [id, at, status, JSON.stringify(result)],
  );
}
