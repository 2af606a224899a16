/**
 * Whose fault a failed write is, by the error's SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 *
 * - `row`: the data of some row — class 22 (data exception: a date out of range, bad text), class 23
 *   (integrity: a check or foreign key) apart from the dedupe conflict, class 54 (a program limit:
 *   nesting too deep), or a JS RangeError/TypeError while serialising the batch. Retrying the rows
 *   one by one finds the culprit; the others are committed.
 * - `server`: the connection or the server — no SQLSTATE (refused, reset, pool timeout), class 08
 *   (connection), 53 (resources), 57 (operator intervention, shutdown), 58 (system), 40
 *   (serialisation/deadlock), 55 (object in use), XX (internal), 3D/28 (no database, auth). Everyone
 *   gets 503 and retries.
 * - `unknown`: anything else (a bug of ours such as 42xxx). Treated as `row` when a single-row retry
 *   reproduces it while other rows commit; as `server` when nothing in the batch commits.
 */
export type WriteFailureKind = 'row' | 'server' | 'unknown';

const SERVER_CLASSES = new Set(['08', '53', '57', '58', '40', '55', 'XX', '3D', '28']);
const ROW_CLASSES = new Set(['22', '23', '54']);
/** ON CONFLICT handles a repeat of (source, external_id); a unique violation of it is a race, not data. */
const DEDUPE_CONSTRAINT = 'orders_source_external_id_key';

export function sqlstateOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function writeFailureKind(e: unknown): WriteFailureKind {
  if (e instanceof RangeError || e instanceof TypeError) return 'row';
  const state = sqlstateOf(e);
  if (!state) return 'server';
  const cls = state.slice(0, 2);
  if (SERVER_CLASSES.has(cls)) return 'server';
  if (state === '23505' && (e as { constraint?: string }).constraint === DEDUPE_CONSTRAINT) return 'server';
  if (ROW_CLASSES.has(cls)) return 'row';
  return 'unknown';
}
