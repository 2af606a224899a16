// Orders for the card bench and the fault drills: clean ones and ones carrying exactly one kind of
// exception, in the mix of the seed's live-stream storm (src/cli/demo-storm.ts, stormMix), pushed at
// a constant rate. Deterministic for a seed.
import { seeded } from './chat-stand-in.mjs';

/** The seed storm's shares per order (src/cli/demo-storm.ts stormMix); the rest is clean. */
export const SEED_MIX = {
  vague_address: 0.06,
  urgent: 0.04,
  invoice: 0.04,
  forward: 0.01,
  partial_payment: 0.02,
  intercepted: 0.0005,
  high_amount: 0.0005,
  remote_region: 0.001,
};

/** The exception type each kind raises with the built-in rules, and the team it is routed to. */
export const KIND_EXCEPTION = {
  vague_address: { type: 'vague_address', team: 'service' },
  urgent: { type: 'remark_urgent', team: 'service' },
  forward: { type: 'remark_forward', team: 'service' },
  invoice: { type: 'remark_invoice', team: 'finance' },
  partial_payment: { type: 'payment', team: 'finance' },
  intercepted: { type: 'logistics_intercepted', team: 'warehouse' },
  high_amount: { type: 'review', team: 'review' },
  remote_region: { type: 'review', team: 'review' },
};

/** Every exception type of the built-in rules (routes must name each to override its SLA). */
export const EXCEPTION_TYPES = [
  'vague_address', 'payment', 'remark_forward', 'remark_urgent', 'remark_invoice', 'remark_address_change',
  'logistics_intercepted', 'stock_out', 'review', 'default',
];

const PLACES = [
  ['浙江省', '杭州市', '西湖区', '文三路'],
  ['上海市', '上海市', '浦东新区', '世纪大道'],
  ['北京市', '北京市', '朝阳区', '建国路'],
  ['广东省', '深圳市', '南山区', '科技园路'],
  ['江苏省', '南京市', '鼓楼区', '中山北路'],
];
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳'];
const VAGUE = ['小区门口', '菜鸟驿站', '丰巢快递柜', '学校对面'];
const URGENT = ['急！10号前送达', '务必在10号前送达，送人用', '加急，明天要用'];
const INVOICE = ['需要开发票，抬头：杭州某某科技有限公司', '请开专票，税号随后发', '麻烦开票，公司报销'];
const FORWARD = ['到了帮忙转寄给我妈', '放门卫代收就行'];
const PLAIN = ['', '', '', '谢谢主播', '颜色要白色', '包装好一点'];

function shanghaiIso(ms) {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** One generic order body (a JSON string) of `kind` with id `id`. */
export function orderJson(kind, id, rnd, createdMs = Date.now()) {
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const [province, city, district, street] = pick(PLACES);
  const body = {
    id,
    channel: 'douyin',
    shop: 'home-flagship',
    created_at: shanghaiIso(createdMs),
    status: 'paid',
    buyer: { name: pick(SURNAMES) + pick(GIVEN), phone: `138${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`, vip: false },
    address: { province, city, district, detail: `${street}${1 + Math.floor(rnd() * 300)}号${1 + Math.floor(rnd() * 20)}幢${101 + Math.floor(rnd() * 20) * 100}室` },
    items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }],
    total: '599.00',
    paid: '599.00',
    currency: 'CNY',
    remark: pick(PLAIN),
    presale: false,
    logistics: { intercepted: false },
  };
  switch (kind) {
    case 'clean':
      break;
    case 'vague_address':
      body.address = { province, city, district, detail: pick(VAGUE) };
      break;
    case 'urgent':
      body.remark = pick(URGENT);
      break;
    case 'invoice':
      body.remark = pick(INVOICE);
      break;
    case 'forward':
      body.remark = pick(FORWARD);
      break;
    case 'partial_payment':
      body.status = 'partially_paid';
      body.paid = '299.00';
      break;
    case 'intercepted':
      body.logistics = { intercepted: true, carrier: '中通快递', tracking_no: `ZT${String(Math.floor(rnd() * 1e12)).padStart(12, '0')}` };
      break;
    case 'high_amount':
      body.items = [{ sku: 'LAMP-01', qty: 6, price: '599.00' }];
      body.total = '3594.00';
      body.paid = '3594.00';
      break;
    case 'remote_region':
      body.address = { province: '新疆维吾尔自治区', city: '乌鲁木齐市', district: '天山区', detail: `解放北路${1 + Math.floor(rnd() * 200)}号3单元101室` };
      break;
    default:
      throw new Error(`unknown order kind ${kind}`);
  }
  return JSON.stringify(body);
}

/** `n` kinds in the proportions of `mix` (shares of all orders; the rest clean), shuffled. */
export function mixedKinds(n, mix, rnd) {
  const kinds = [];
  // Largest-remainder rounding, so small shares still appear in long runs and totals are exact.
  const exact = Object.entries(mix).map(([k, p]) => [k, n * p]);
  let assigned = 0;
  for (const [k, x] of exact) {
    const c = Math.floor(x);
    for (let i = 0; i < c; i++) kinds.push(k);
    assigned += c;
  }
  const wanted = Math.round(exact.reduce((a, [, x]) => a + x, 0));
  for (const [k] of exact.sort((a, b) => (b[1] % 1) - (a[1] % 1))) {
    if (assigned >= wanted) break;
    kinds.push(k);
    assigned++;
  }
  while (kinds.length < n) kinds.push('clean');
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  return kinds;
}

/**
 * A storm: `seconds` at `perSec` orders a second (evenly spaced), kinds from `mix`, and
 * `redeliveryShare` of them pushed a second time 2–20 s later (within the storm) (platforms redeliver when unsure an
 * ack arrived). Returns pushes [{ atMs, id, body, kind, redelivery }] sorted by time.
 */
export function stormPlan({ prefix, seconds, perSec, mix, seed = 7, redeliveryShare = 0.03 }) {
  const rnd = seeded(seed);
  const n = Math.round(seconds * perSec);
  const kinds = mixedKinds(n, mix, rnd);
  const t0 = Date.now();
  const pushes = kinds.map((kind, i) => {
    const atMs = (i * 1000) / perSec;
    const id = `${prefix}-${String(i + 1).padStart(5, '0')}`;
    return { atMs, id, body: orderJson(kind, id, rnd, t0 + atMs), kind, redelivery: false };
  });
  const again = Math.round(n * redeliveryShare);
  for (let k = 0; k < again; k++) {
    const p = pushes[Math.floor(rnd() * n)];
    pushes.push({ ...p, atMs: Math.min(seconds * 1000, p.atMs + 2000 + Math.floor(rnd() * 18_000)), redelivery: true });
  }
  return pushes.sort((a, b) => a.atMs - b.atMs);
}
