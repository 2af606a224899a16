// The one order body every target receives (the shape of test/helpers/test-app.ts genericOrder()),
// its signature, and the row it becomes in a copy of the `orders` table.
import { createHash, createHmac } from 'node:crypto';

export const BENCH_SECRET = 'orderops-bench-secret';
export const WEBHOOK_PATH = '/webhooks/orders/generic';

const TEMPLATE = {
  id: '__ID__',
  channel: 'douyin',
  shop: 'home-flagship',
  created_at: '2026-01-08T20:01:02+08:00',
  status: 'paid',
  buyer: { name: '王五', phone: '13812345678', vip: false },
  address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' },
  items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }],
  total: '599.00',
  paid: '599.00',
  currency: 'CNY',
  remark: '',
  presale: false,
  logistics: { intercepted: false },
};
const [HEAD, TAIL] = JSON.stringify(TEMPLATE).split('"__ID__"');

/** The raw JSON body of one order with a unique id (only the id differs between requests). */
export function orderBody(id) {
  return HEAD + JSON.stringify(id) + TAIL;
}

export function sign(body, secret = BENCH_SECRET) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Columns the bot's upsert writes (src/db/order-writes.ts), in this order. */
export const ROW_COLUMNS = [
  'source', 'external_id', 'channel', 'shop', 'status', 'stage', 'platform_created_at',
  'platform_updated_at', 'total', 'paid', 'currency', 'buyer_phone', 'data', 'raw', 'content_hash',
];

/** One parsed generic order → the values of ROW_COLUMNS (what the naive design would store). */
export function orderRow(order, rawText) {
  return [
    'generic',
    String(order.id),
    order.channel ?? 'generic',
    order.shop ?? null,
    order.status,
    order.stage ?? 'pending',
    order.created_at,
    order.updated_at ?? null,
    order.total,
    order.paid ?? null,
    order.currency ?? 'CNY',
    order.buyer?.phone ?? null,
    rawText, // data: the bot stores its normalised order; the naive design stores what came
    rawText,
    createHash('sha256').update(rawText).digest('base64url'),
  ];
}

const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPE = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A row of COPY text format (tab-separated, \N for NULL). */
export function copyLine(values) {
  return values.map((v) => (v === null || v === undefined ? '\\N' : String(v).replace(COPY_ESCAPES, (c) => COPY_ESCAPE[c]))).join('\t') + '\n';
}
