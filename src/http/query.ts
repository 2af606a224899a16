/**
 * Query parameters read by a declared shape, so no request shape reaches a handler unexpected:
 * a parameter that may repeat (`?status=open&status=claimed`) is read as "any of" (each value may
 * also be a comma list); one that may not answers 400 when repeated; an unknown one answers 400
 * naming it.
 *
 * @example
 *   const q = readQuery(req.query, { status: 'many', limit: 'one' });
 *   if (!q.ok) return sendError(reply, 400, ErrorCode.BadRequest, q.message);
 *   q.values.status // ['open', 'claimed'] or undefined
 */
export type QueryShape = Record<string, 'one' | 'many'>;

export type QueryValues<S extends QueryShape> = { [K in keyof S]?: S[K] extends 'many' ? string[] : string };

export type QueryRead<S extends QueryShape> = { ok: true; values: QueryValues<S> } | { ok: false; message: string };

export function readQuery<S extends QueryShape>(query: unknown, shape: S): QueryRead<S> {
  const q = (query ?? {}) as Record<string, string | string[] | undefined>;
  const unknown = Object.keys(q).filter((k) => !Object.prototype.hasOwnProperty.call(shape, k));
  if (unknown.length > 0) {
    const known = Object.keys(shape);
    return {
      ok: false,
      message: `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ${known.length > 0 ? `this endpoint takes ${known.join(', ')}` : 'this endpoint takes none'}`,
    };
  }
  const values: Record<string, string | string[]> = {};
  for (const [name, kind] of Object.entries(shape)) {
    const v = q[name];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    if (kind === 'one') {
      if (list.length > 1) return { ok: false, message: `${name} is given ${list.length} times; give it once` };
      values[name] = list[0]!;
    } else {
      values[name] = list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    }
  }
  return { ok: true, values: values as QueryValues<S> };
}

/** C0 controls, DEL and C1 controls: never part of an id, a status or a date. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The first problem of a request target (path and query, percent-decoded), or null. */
export function targetProblem(url: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return 'the path or query has a malformed percent-encoding';
  }
  if (CONTROL.test(decoded)) return 'the path or query holds a control character (such as %00); remove it';
  return null;
}
