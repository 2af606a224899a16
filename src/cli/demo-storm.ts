/**
 * The live-stream storm of the source article (seeds/order-ops-pain-points.zh.txt), as data:
 * a 500-unit smart lamp at 599 instead of 899, sold out within five minutes, more than 60 orders a
 * second at the peak, and the mix of exceptions a night reviewer faced. Pure and deterministic
 * (a seeded generator), so the same run can be replayed and tested.
 */

export const DEMO_SKU = 'LAMP-01';
export const DEMO_PRICE = '599.00';
export const DEMO_LIST_PRICE = '899.00';
/** The article: the ERP showed 500, but 83 had gone to other channels before the stream. */
export const DEMO_STOCK = 417;
/** The whole storm fits in this (real time): "5分钟内售罄". */
export const STORM_SECONDS = 300;

export type StormKind =
  | 'clean' | 'vip' | 'vague_address' | 'urgent' | 'invoice' | 'forward' | 'partial_payment'
  | 'intercepted' | 'high_amount' | 'remote_region';

export interface StormOrder {
  /** When to push it, in ms of real storm time from the start (divide by --speed). */
  atMs: number;
  kind: StormKind;
  body: Record<string, unknown>;
}

/** A second push of an order already sent, as platforms redeliver (at-least-once). */
export interface StormPush {
  atMs: number;
  index: number;
  duplicate: boolean;
}

/** mulberry32: a tiny seeded PRNG, enough for demo data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * When each of `n` orders arrives (ms from the start, ascending): the host says "上链接" and three
 * quarters of the buyers click within seconds (a burst peaking near 6 s), the rest trickle in over
 * the following minutes. Placed at the quantiles of that rate, so the shape is exact for any n;
 * for 500 orders the busiest second holds more than 60.
 */
export function stormSchedule(n: number): number[] {
  const stepMs = 10;
  const steps = (STORM_SECONDS * 1000) / stepMs;
  const burst = (t: number) => 0.75 * Math.exp(-((t - 6) ** 2) / (2 * 2.2 ** 2)) / (2.2 * Math.sqrt(2 * Math.PI));
  const tail = (t: number) => (t < 3 ? 0 : (0.25 / 40) * Math.exp(-(t - 3) / 40));
  const cumulative: number[] = new Array(steps + 1);
  cumulative[0] = 0;
  for (let i = 1; i <= steps; i++) {
    const t = (i - 0.5) * (stepMs / 1000);
    cumulative[i] = cumulative[i - 1]! + (burst(t) + tail(t)) * (stepMs / 1000);
  }
  const total = cumulative[steps]!;
  const out: number[] = [];
  let j = 1;
  for (let k = 0; k < n; k++) {
    const target = ((k + 0.5) / n) * total;
    while (j < steps && cumulative[j]! < target) j++;
    out.push(j * stepMs);
  }
  return out;
}

/** The most orders in any one-second window (the figure the article's intake could not hold). */
export function peakPerSecond(offsetsMs: number[]): number {
  const sorted = [...offsetsMs].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红燕文辉鹏建飞宁欣怡佳颖子轩浩宇梓涵一诺雨桐晨曦思远嘉豪'];

// Province / city / district triples that the division check accepts, with their streets.
const PLACES: [string, string, string, string[]][] = [
  ['浙江省', '杭州市', '西湖区', ['文三路', '天目山路', '教工路']],
  ['浙江省', '杭州市', '余杭区', ['文一西路', '五常大道']],
  ['浙江省', '宁波市', '鄞州区', ['天童南路', '宁南北路']],
  ['上海市', '上海市', '浦东新区', ['张杨路', '世纪大道', '锦绣路']],
  ['上海市', '上海市', '徐汇区', ['漕溪北路', '肇嘉浜路']],
  ['北京市', '北京市', '朝阳区', ['建国路', '望京街', '东三环中路']],
  ['北京市', '北京市', '海淀区', ['中关村大街', '学院路']],
  ['广东省', '广州市', '天河区', ['天河路', '体育西路', '黄埔大道']],
  ['广东省', '深圳市', '南山区', ['科技园路', '深南大道']],
  ['江苏省', '南京市', '鼓楼区', ['中山北路', '湖南路']],
  ['江苏省', '苏州市', '姑苏区', ['人民路', '干将西路']],
  ['四川省', '成都市', '武侯区', ['人民南路', '科华北路']],
  ['湖北省', '武汉市', '洪山区', ['珞喻路', '雄楚大道']],
  ['陕西省', '西安市', '雁塔区', ['小寨东路', '科技路']],
  ['山东省', '青岛市', '市南区', ['香港中路', '山东路']],
  ['福建省', '厦门市', '思明区', ['湖滨南路', '厦禾路']],
];
const REMOTE: [string, string, string, string][] = [
  ['新疆维吾尔自治区', '乌鲁木齐市', '天山区', '解放北路'],
  ['西藏自治区', '拉萨市', '城关区', '北京中路'],
];
const VAGUE = ['小区门口', '菜鸟驿站', '丰巢快递柜', '学校对面', '地铁站附近', '村口小卖部旁边'];
const URGENT = ['急！10号前送达', '务必在10号前送达，送人用', '加急，明天要用'];
const INVOICE = ['需要开发票，抬头：杭州某某科技有限公司', '请开专票，税号随后发', '麻烦开票，公司报销'];
const FORWARD = ['到了帮忙转寄给我妈', '放门卫代收就行'];
const PLAIN = ['', '', '', '', '', '谢谢主播', '颜色要白色', '包装好一点', '不急，慢慢发', '直播间抢到的，开心'];

/** How many of each exception-bearing kind a storm of n orders carries (the rest is clean). */
export function stormMix(n: number): Record<Exclude<StormKind, 'clean'>, number> {
  const share = (p: number) => Math.round(n * p);
  return {
    vip: share(0.05),
    vague_address: share(0.06),
    urgent: share(0.04),
    invoice: share(0.04),
    forward: share(0.01),
    partial_payment: share(0.02),
    intercepted: n >= 20 ? 1 : 0,
    high_amount: n >= 20 ? 1 : 0,
    remote_region: n >= 50 ? 2 : n >= 20 ? 1 : 0,
  };
}

/** Beijing time with its offset, as Douyin's order pushes carry it. */
export function shanghaiIso(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

/**
 * The storm's orders in push order. Ids are unique per run (`runId`), so replays never collide.
 * Every order is for the lamp; a few carry the problems of the article's exception handbook.
 */
export function stormOrders(opts: { n: number; runId: string; seed: number; startMs: number; speed: number }): StormOrder[] {
  const rnd = seeded(opts.seed);
  const kinds: StormKind[] = [];
  for (const [kind, count] of Object.entries(stormMix(opts.n)) as [StormKind, number][]) for (let i = 0; i < count; i++) kinds.push(kind);
  while (kinds.length < opts.n) kinds.push('clean');
  kinds.length = opts.n;
  // Shuffle (Fisher–Yates), so exceptions are spread through the storm like real buyers.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const times = stormSchedule(opts.n);
  return kinds.map((kind, i) => {
    const atMs = times[i]!;
    const body = stormOrderBody(kind, `DY${opts.runId}-${String(i + 1).padStart(4, '0')}`, rnd, shanghaiIso(opts.startMs + atMs / opts.speed));
    return { atMs, kind, body };
  });
}

/**
 * One order of the storm: a clean lamp order from a real address, turned into `kind` (one of the
 * article's exception cases). Shared with the benchmarks (bench/lib/storm.mjs), so the bench pushes
 * the orders the demo shows.
 */
export function stormOrderBody(kind: StormKind, id: string, rnd: () => number, createdAt: string): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const [province, city, district, streets] = pick(PLACES);
  const detail = `${pick(streets)}${1 + Math.floor(rnd() * 300)}号${1 + Math.floor(rnd() * 20)}幢${100 + Math.floor(rnd() * 20) * 100 + Math.floor(rnd() * 4) + 1}室`;
  const phone = `1${pick(['3', '5', '7', '8', '9'])}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`;
  const body: Record<string, unknown> = {
    id,
    channel: 'douyin',
    shop: 'home-flagship',
    created_at: createdAt,
    status: 'paid',
    buyer: { name: pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.5 ? pick(GIVEN) : ''), phone, vip: kind === 'vip' },
    address: { province, city, district, detail },
    items: [{ sku: DEMO_SKU, name: '智能台灯（直播价）', qty: 1, price: DEMO_PRICE, list_price: DEMO_LIST_PRICE }],
    total: DEMO_PRICE,
    paid: DEMO_PRICE,
    currency: 'CNY',
    remark: pick(PLAIN),
    presale: false,
    logistics: { intercepted: false },
    live_room: '新年直播 2026-01-08',
  };
  switch (kind) {
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
      // A shop owner buying for the office: six lamps, over the 3000 review threshold.
      body.items = [{ sku: DEMO_SKU, name: '智能台灯（直播价）', qty: 6, price: DEMO_PRICE, list_price: DEMO_LIST_PRICE }];
      body.total = '3594.00';
      body.paid = '3594.00';
      break;
    case 'remote_region': {
      const [p, c, d, street] = pick(REMOTE);
      body.address = { province: p, city: c, district: d, detail: `${street}${1 + Math.floor(rnd() * 200)}号${1 + Math.floor(rnd() * 9)}单元${101 + Math.floor(rnd() * 5)}室` };
      break;
    }
    default:
      break;
  }
  return body;
}

/**
 * The push plan: every order once, and a few pushed again a little later (platforms redeliver
 * when they are unsure an ack arrived); the bot must store each once.
 */
export function stormPushes(orders: StormOrder[], seed: number): StormPush[] {
  const rnd = seeded(seed ^ 0x5bd1e995);
  const pushes: StormPush[] = orders.map((o, index) => ({ atMs: o.atMs, index, duplicate: false }));
  const dupes = Math.round(orders.length * 0.03);
  for (let k = 0; k < dupes; k++) {
    const index = Math.floor(rnd() * orders.length);
    pushes.push({ atMs: Math.min(STORM_SECONDS * 1000, orders[index]!.atMs + 2000 + Math.floor(rnd() * 20_000)), index, duplicate: true });
  }
  return pushes.sort((a, b) => a.atMs - b.atMs);
}
