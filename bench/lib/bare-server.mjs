// The machine's raw limits for intake, run as a child of bench/intake.mjs:
//   --mode http   read the body, check the HMAC, parse the JSON, answer 200            (R_http)
//   --mode floor  the same plus one INSERT … ON CONFLICT DO NOTHING per request (pg Pool) (R_floor)
// Prints one JSON line {"listening": port} on stdout once it accepts connections.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BENCH_SECRET, ROW_COLUMNS, WEBHOOK_PATH, orderRow } from './orders.mjs';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'http' },
    port: { type: 'string', default: '0' },
    db: { type: 'string' },
    table: { type: 'string', default: 'bench_floor' },
    pool: { type: 'string', default: '20' },
  },
});
const floor = args.mode === 'floor';
if (!['http', 'floor'].includes(args.mode)) throw new Error(`--mode must be http or floor, got ${args.mode}`);
if (floor && !args.db) throw new Error('--mode floor needs --db');

const pool = floor ? new pg.Pool({ connectionString: args.db, max: Number(args.pool) }) : undefined;
pool?.on('error', () => undefined);
const INSERT_SQL = `INSERT INTO ${args.table} (${ROW_COLUMNS.join(', ')})
  VALUES (${ROW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;

const SIG = /^sha256=([0-9a-fA-F]{64})$/;

function answer(res, status, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== WEBHOOK_PATH) return answer(res, 404, { ok: false });
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= 1024 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    if (size > 1024 * 1024) return answer(res, 413, { ok: false, error: 'too_large' });
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const m = SIG.exec(String(req.headers['x-orderops-signature'] ?? '').trim());
    if (!m) return answer(res, 401, { ok: false, error: 'signature_missing' });
    const expected = createHmac('sha256', BENCH_SECRET).update(body).digest();
    if (!timingSafeEqual(expected, Buffer.from(m[1], 'hex'))) return answer(res, 401, { ok: false, error: 'signature_invalid' });
    const text = body.toString('utf8');
    let order;
    try {
      order = JSON.parse(text);
    } catch {
      return answer(res, 400, { ok: false, error: 'malformed_json' });
    }
    if (!floor) return answer(res, 200, { ok: true, received: 1, orders: [{ id: order.id, result: 'created' }] });
    pool.query(INSERT_SQL, orderRow(order, text)).then(
      (r) => answer(res, 200, { ok: true, received: 1, orders: [{ id: order.id, result: r.rowCount === 1 ? 'created' : 'unchanged' }] }),
      (err) => answer(res, 503, { ok: false, error: String(err.message) }),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ listening: server.address().port }) + '\n');
});

const stop = () => {
  server.close();
  server.closeAllConnections?.();
  Promise.resolve(pool?.end()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// An orphan must not linger: the bench holds our stdin open, and it closes when the bench dies.
process.stdin.on('end', stop);
process.stdin.resume();
