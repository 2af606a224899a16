// Issue 13 point 4: generated requests (fast-check) against the webhook and the read API. Whatever
// the shape: the status is one of the documented ones, never 500; a refused request changes no
// order; the process stays up.
import http from 'node:http';
import fc from 'fast-check';
import pg from 'pg';
import { signBody } from '../../src/integrations/platforms/generic/signature';
import { apiGet, genericOrder, postOrders, startTestApp, TEST_SECRET, TEST_TOKEN, type TestApp } from '../helpers/test-app';

const ALLOWED = new Set([200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503]);

let app: TestApp;
let db: pg.Pool;
let port: number;

beforeAll(async () => {
  app = await startTestApp();
  port = Number(new URL(app.url).port);
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
  // Something to read and to (not) change.
  expect((await postOrders(app.url, [genericOrder({ id: 'HOSTILE-1' }), genericOrder({ id: 'HOSTILE-2', remark: '急' })])).status).toBe(200);
});
afterAll(async () => {
  await app.close();
  await db.end();
});

/** A request sent as given: the path is not normalised or re-encoded (fetch would). */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string } | 'client-refused'> {
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
    } catch {
      return resolve('client-refused'); // Node itself will not send a path with raw control characters
    }
    req.on('error', reject);
    req.end(body);
  });
}

/** What a request can change about the orders (processing moves stages on its own, so they are left out). */
const ordersDigest = async (): Promise<string> =>
  (await db.query(`SELECT count(*) || ':' || coalesce(md5(string_agg(id || ':' || revision || ':' || content_hash || ':' || status, ',' ORDER BY id)), '') AS d FROM orders`)).rows[0].d;

const hostileText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('\u0000', '\ud800', '\udc00x', '\u202e', '\u001b[2J', '%', '%00', '%zz', '%E0%A4%A', '..', '../..', '0000-01-01T00:00:00Z',
    '%ED%A0%80', '%C0%80', '9'.repeat(40), '-1', '1e99', 'NaN', '__proto__', 'constructor', 'open', 'claimed', 'open,claimed', ' ', ''),
);
/** encodeURIComponent of well-formed text (a lone surrogate has no UTF-8; '%ED%A0%80' above sends its bytes). */
const enc = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => (/[\ud800-\udbff][\udc00-\udfff]/.test(all.slice(i, i + 2)) || /[\ud800-\udbff][\udc00-\udfff]/.test(all.slice(i - 1, i + 1)) ? c : '\ufffd')));
/** A path segment: percent-encoded text, or hostile text as is where Node lets it through. */
const segment = fc.oneof(hostileText.map(enc), hostileText.map((s) => s.replace(/[\s?#/]/g, '')), fc.constantFrom('generic', 'HOSTILE-1', 'latest', '1', '1.csv'));
const queryKey = fc.oneof(fc.constantFrom('status', 'type', 'team', 'limit', 'before', 'date', 'exp', 'sig'), hostileText);
const query = fc.array(fc.tuple(queryKey, hostileText, fc.boolean()), { maxLength: 5 }).map((pairs) =>
  pairs.length === 0 ? '' : `?${pairs.map(([k, v, raw]) => (raw ? `${k.replace(/[\s#&=]/g, '')}=${v.replace(/[\s#&]/g, '')}` : `${enc(k)}=${enc(v)}`)).join('&')}`,
);
const readPath = fc.oneof(
  fc.tuple(segment, segment).map(([a, b]) => `/api/orders/${a}/${b}`),
  fc.constant('/api/orders/generic/HOSTILE-1'),
  fc.constant('/api/exceptions'),
  segment.map((s) => `/api/skus/${s}`),
  segment.map((s) => `/api/price-changes/${s}`),
  fc.constant('/api/reports/consistency'),
  segment.map((s) => `/api/reports/consistency/${s}`),
  segment.map((s) => `/api/${s}`),
);
const auth = fc.constantFrom(`Bearer ${TEST_TOKEN}`, `Bearer ${TEST_TOKEN}`, `Bearer ${TEST_TOKEN}`, '', 'Bearer wrong', `bearer ${TEST_TOKEN}`, 'Basic eDp5');

describe('the read API never answers 500 for a request shape', () => {
  it('answers the documented examples', async () => {
    expect((await apiGet(app.url, '/api/exceptions?status=open&status=claimed')).status).toBe(200);
    expect((await apiGet(app.url, '/api/exceptions?status=open,claimed&type=remark_urgent&type=vague_address')).status).toBe(200);
    const unknown = await apiGet(app.url, '/api/exceptions?stauts=open');
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('"stauts"');
    expect((await apiGet(app.url, '/api/exceptions?limit=5&limit=6')).json.message).toContain('limit is given 2 times');
    expect((await apiGet(app.url, '/api/orders/generic/a%00b')).status).toBe(400);
    expect((await apiGet(app.url, '/api/exceptions?team=%1b[2J')).status).toBe(400);
    expect((await apiGet(app.url, '/api/reports/consistency?date=2026-02-30')).status).toBe(400);
  });

  it('holds for generated requests', async () => {
    const before = await ordersDigest();
    await fc.assert(
      fc.asyncProperty(readPath, query, auth, async (path, q, authorization) => {
        const res = await send('GET', path + q, authorization ? { authorization } : {});
        if (res === 'client-refused') return;
        if (!ALLOWED.has(res.status)) throw new Error(`GET ${path + q} answered ${res.status}: ${res.body.slice(0, 300)}`);
        expect(res.body.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    expect(await ordersDigest()).toBe(before);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  }, 120_000);
});

describe('the webhook never answers 500, and a refused request changes no order', () => {
  const valid = genericOrder({ id: 'HOSTILE-1' });
  const field = fc.constantFrom('id', 'created_at', 'updated_at', 'status', 'stage', 'items', 'total', 'paid', 'currency', 'remark', 'buyer', 'address', 'presale', 'logistics', 'balance_due_at', 'extra');
  const value = fc.oneof(
    hostileText,
    fc.jsonValue({ maxDepth: 4 }),
    fc.constantFrom(null, -1, 0, 1e308, 2 ** 53 + 1, [], {}, [{ sku: '', qty: 0 }], [{ sku: 'A', qty: 100_001 }], { detail: '\u0000' }),
    fc.integer({ min: 30, max: 1000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)),
  );
  const order = fc.array(fc.tuple(field, value, fc.boolean()), { maxLength: 4 }).map((changes) => {
    const o: Record<string, unknown> = { ...valid };
    for (const [k, v, drop] of changes) {
      if (drop && k !== 'extra') delete o[k];
      else o[k] = v;
    }
    return o;
  });
  const body = fc.oneof(
    order.map((o) => Buffer.from(JSON.stringify(o))),
    fc.array(order, { minLength: 0, maxLength: 3 }).map((list) => Buffer.from(JSON.stringify(list))),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    hostileText.map((s) => Buffer.from(s)),
  );
  const signing = fc.constantFrom('good', 'good', 'good', 'none', 'bad');
  const source = fc.constantFrom('generic', 'generic', 'generic', 'douyin', 'shopify', 'nope', '%00', '..');
  const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', '');

  it('holds for generated requests', async () => {
    await fc.assert(
      fc.asyncProperty(source, body, signing, contentType, async (src, b, sign, ct) => {
        const before = await ordersDigest();
        const headers: Record<string, string> = ct ? { 'content-type': ct } : {};
        if (sign === 'good') headers['x-orderops-signature'] = signBody(TEST_SECRET, b);
        if (sign === 'bad') headers['x-orderops-signature'] = `sha256=${'0'.repeat(64)}`;
        const res = await send('POST', `/webhooks/orders/${src}`, headers, b);
        if (res === 'client-refused') return;
        if (!ALLOWED.has(res.status)) throw new Error(`POST ${src} answered ${res.status}: ${res.body.slice(0, 300)}`);
        // 422 may commit the good orders of an array while refusing a poison one; any other refusal changes nothing.
        if (res.status >= 400 && res.status !== 422) expect(await ordersDigest()).toBe(before);
        if (res.status === 422 && !res.body.includes('"orders"')) expect(await ordersDigest()).toBe(before);
      }),
      { numRuns: 200 },
    );
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  }, 180_000); // 200 requests, each with two reads of the orders table, on a shared machine
});
