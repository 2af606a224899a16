import { cardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';
import type { ConsistencyCard, LowStockCard, PriceCard } from '../../src/domain/inventory/cards';
import { csvCell } from '../../src/actions/inventory/report-csv';
import { csvLink, verifyCsvLink } from '../../src/actions/inventory/csv-link';
import { reportText } from '../../src/cli/report-consistency';
import { cardMessage } from '../../src/integrations/slack/blocks/card-blocks';
import { renderFeishuCard } from '../../src/integrations/feishu/feishu-card';

const fmt: PlatformFormat = {
  escape: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  mention: (s) => (s.slackUserId ? `<@${s.slackUserId}>` : s.name),
};
const now = new Date('2026-01-09T01:30:00Z');
const opts = (locale: 'zh-CN' | 'en') => ({ locale, timezone: 'Asia/Shanghai', now });
const owner = { id: 'zhangsan', name: '张三', slackUserId: 'U123', feishuOpenId: null };

const low = (over: Partial<LowStockCard> = {}): LowStockCard => ({
  kind: 'lowstock', key: 'lowstock:3', alertId: 3, version: 2, status: 'open', sku: 'LAMP-01', name: '<b>台灯</b>', available: 4, lowest: 4,
  threshold: 10, stock: 417, reserved: 413, owner, ownerId: null, openedAt: '2026-01-09T01:00:00Z', clearedAt: null, ...over,
});

describe('low-stock card', () => {
  it('shows the count against the threshold, escapes the name, mentions the owner', () => {
    const t = cardTexts(low(), opts('zh-CN'), fmt);
    expect(t.title).toBe('库存预警 · LAMP-01 &lt;b&gt;台灯&lt;/b&gt;');
    expect(t.status).toBe('⚠️ 可售 4 件，低于预警线 10 件（最低 4 件）');
    expect(t.severity).toBe('warning');
    expect(Object.fromEntries(t.fields.map((f) => [f.key, f.value]))).toEqual({ stock: '417 / 413', owner: '<@U123>', since: '09:00' });
    expect(t.buttons).toEqual([]);
  });
  it('is critical at zero and says when it was restocked', () => {
    expect(cardTexts(low({ available: 0 }), opts('en'), fmt).severity).toBe('critical');
    const t = cardTexts(low({ status: 'cleared', available: 50, clearedAt: '2026-01-09T01:20:00Z', owner: null, ownerId: 'gone' }), opts('en'), fmt);
    expect(t.status).toBe('✅ Restocked 09:20 (50 available)');
    expect(t.fields.find((f) => f.key === 'owner')?.value).toBe('gone');
  });
});

const report = (over: Partial<ConsistencyCard> = {}): ConsistencyCard => ({
  kind: 'consistency', key: 'consistency:12', alertId: 12, reportId: 12, version: 1, status: 'open', date: '2026-01-09',
  generatedAt: '2026-01-09T01:00:00Z', checked: 200, consistent: 197, rate: 98.5, goal: 99, meetsGoal: false, unknownSkus: 1,
  previous: { date: '2026-01-08', rate: 97 },
  byPlatform: [
    { platform: 'douyin', checked: 100, consistent: 99, stockDeviations: 1, priceDeviations: 0 },
    { platform: 'jd', checked: 100, consistent: 98, stockDeviations: 0, priceDeviations: 2 },
  ],
  worst: [
    { sku: 'LAMP-01', platform: 'jd', shop: 'flagship', known: true, expectedStock: 100, listingStock: 100, stockDiff: 0, masterPrice: '599.00',
      listingPrice: '899.00', priceDiff: '300.00', stockOk: true, priceOk: false, owner, ownerId: null },
    { sku: 'CUP-<1>', platform: 'douyin', shop: '', known: true, expectedStock: 70, listingStock: 75, stockDiff: 5, masterPrice: null,
      listingPrice: null, priceDiff: null, stockOk: false, priceOk: true, owner: null, ownerId: null },
    { sku: 'GHOST', platform: 'jd', shop: '', known: false, expectedStock: null, listingStock: 3, stockDiff: null, masterPrice: null,
      listingPrice: '1.00', priceDiff: null, stockOk: false, priceOk: false, owner: null, ownerId: null },
  ],
  moreCount: 0, csvUrl: 'https://ops.example.com/api/reports/consistency/12.csv?exp=1&sig=x', ...over,
});

describe('consistency card', () => {
  it('gives the rate against the goal, the trend, per platform and the worst lines with owners', () => {
    const t = cardTexts(report(), opts('zh-CN'), fmt);
    expect(t.title).toBe('多平台数据一致性报告 · 2026-01-09');
    expect(t.status).toBe('⚠️ 库存一致率 98.5%，未达目标 99%');
    expect(t.severity).toBe('warning');
    const f = Object.fromEntries(t.fields.map((x) => [x.key, x.value]));
    expect(f.summary).toBe('200 条在售记录，197 条一致；库存偏差 1 条，价格偏差 2 条，1 条不在主数据中');
    expect(f.trend).toBe('2026-01-08：97%（+1.5 个百分点）');
    expect(f.platforms).toBe('douyin：99%（99/100，库存偏差 1，价格偏差 0）\njd：98%（98/100，库存偏差 0，价格偏差 2）');
    expect(f.worst!.split('\n')).toEqual([
      'LAMP-01 @ jd/flagship：价格 899.00（主数据 599.00，+300.00） · <@U123>',
      'CUP-&lt;1&gt; @ douyin：库存 75（应为 70，+5） · 未指定负责人',
      'GHOST @ jd：主数据中无此 SKU · 未指定负责人',
    ]);
    expect(t.links).toEqual([{ label: '查看全部（CSV）', url: 'https://ops.example.com/api/reports/consistency/12.csv?exp=1&sig=x' }]);
  });
  it('meets the goal, and says how many more are in the CSV', () => {
    const t = cardTexts(report({ rate: 99.5, meetsGoal: true, moreCount: 40, previous: null }), opts('en'), fmt);
    expect(t.status).toBe('✅ Stock consistency 99.5% (goal ≥ 99%)');
    expect(t.severity).toBe('info');
    expect(t.fields.find((x) => x.key === 'trend')).toBeUndefined();
    expect(t.fields.find((x) => x.key === 'more')?.value).toBe('40 more deviations; full table (CSV): https://ops.example.com/api/reports/consistency/12.csv?exp=1&sig=x');
  });
  it('says so when nothing could be compared', () => {
    const t = cardTexts(report({ checked: 0, consistent: 0, rate: null, meetsGoal: true, byPlatform: [], worst: [], previous: null, unknownSkus: 0 }), opts('en'), fmt);
    expect(t.status).toContain('No platform listings');
    expect(t.links).toEqual([]);
  });
  it('prints the same lines on the command line', () => {
    const text = reportText(report(), { trigger: 'cli', generatedAt: '2026-01-09T01:00:00Z', timezone: 'Asia/Shanghai' }, 'en');
    expect(text.split('\n').slice(0, 3)).toEqual(['Multi-platform consistency · 2026-01-09', 'Generated 01-09 09:00 (cli) · report #12', '⚠️ Stock consistency 98.5%, under the 99% goal']);
    expect(text).toContain('  LAMP-01 @ jd/flagship: price 899.00 (master 599.00, +300.00) · @张三');
  });
});

const price = (over: Partial<PriceCard> = {}): PriceCard => ({
  kind: 'price', key: 'price:5', alertId: 5, requestId: 5, version: 1, status: 'pending', sku: 'LAMP-01', name: '台灯', oldPrice: '899.00',
  newPrice: '599.00', reason: '直播价 <限时>', publishAt: null, requestedBy: '李四', decidedBy: null, decidedAt: null, publishedAt: null,
  pushes: [], actions: ['price.approve', 'price.reject'], ...over,
});

describe('price card', () => {
  it('asks for approval with two decision buttons carrying the request and version', () => {
    const t = cardTexts(price(), opts('zh-CN'), fmt);
    expect(t.title).toBe('调价审批 · LAMP-01 台灯');
    expect(t.status).toBe('🟡 待审批');
    expect(t.fields.map((f) => [f.key, f.value])).toEqual([['price', '899.00 → 599.00（−33.37%）'], ['requested', '李四'], ['reason', '直播价 &lt;限时&gt;']]);
    expect(t.buttons).toEqual([]);
    expect(t.decisionButtons).toEqual([
      { action: 'price.approve', label: '批准', style: 'primary', value: { requestId: 5, version: 1 } },
      { action: 'price.reject', label: '驳回', style: 'danger', value: { requestId: 5, version: 1 } },
    ]);
  });
  it('after approval shows who decided and each platform push in place, named as people say them', () => {
    const t = cardTexts(price({
      status: 'approved', version: 2, actions: [], decidedBy: owner, decidedAt: '2026-01-09T01:10:00Z',
      pushes: [{ platform: 'jd', shop: '', status: 'pending', detail: null }, { platform: 'taobao', shop: 'tmall', status: 'pending', detail: null }],
    }), opts('en'), fmt);
    expect(t.status).toBe('✅ Approved by <@U123> at 09:10; the master price is updated');
    expect(t.fields.find((f) => f.key === 'pushes')?.value).toBe('JD ⏳ · Taobao ⏳');
    expect(t.decisionButtons).toEqual([]);
  });
  it.each([
    ['pushed', {}, '京东 ✓'],
    ['failed', { detail: '价格超出范围 <b>' }, '京东 ✗ 价格超出范围 &lt;b&gt;'],
    ['pending', { attempts: 2, detail: '系统繁忙', errorKind: 'transient' }, '京东 ⏳ 第 2 次重试：系统繁忙'],
    ['pending', { attempts: 0, detail: '限流', errorKind: 'throttled' }, '京东 ⏳ 平台限流，等待中'],
    ['held', {}, '京东 ⏸ 夜间推送，待确认'],
    ['manual', { detail: 'shop_sync.enabled is off' }, '京东 ✋ 需手工修改：shop_sync.enabled is off'],
  ] as const)('a %s push reads %s → %s (platform text escaped)', (status, extra, line) => {
    const t = cardTexts(price({ status: 'approved', version: 3, actions: [], pushes: [{ platform: 'jd', shop: 'x', status, detail: null, ...extra }] }), opts('zh-CN'), fmt);
    expect(t.fields.find((f) => f.key === 'pushes')?.value).toBe(line);
  });
  it('names the shop when a platform has several, and offers retry / push now as the card says', () => {
    const t = cardTexts(price({
      status: 'approved', version: 3, actions: ['price.confirm_push', 'price.retry'],
      pushes: [{ platform: 'douyin', shop: 'a', status: 'pushed', detail: null }, { platform: 'douyin', shop: 'b', status: 'held', detail: null }],
    }), opts('zh-CN'), fmt);
    expect(t.fields.find((f) => f.key === 'pushes')?.value).toBe('抖音/a ✓ · 抖音/b ⏸ 夜间推送，待确认');
    expect(t.fields.find((f) => f.key === 'night')).toBeDefined();
    expect(t.decisionButtons?.map((b) => [b.action, b.label, b.style])).toEqual([['price.confirm_push', '确认推送', 'primary'], ['price.retry', '重试', 'default']]);
  });
});

describe('the CSV behind the card', () => {
  it.each([
    ['plain', 'LAMP-01', false, 'LAMP-01'],
    ['a comma is quoted', 'a,b', false, '"a,b"'],
    ['a quote is doubled', 'say "hi"', false, '"say ""hi"""'],
    ['a formula in a text cell is defused', '=HYPERLINK("x")', true, '"\'=HYPERLINK(""x"")"'],
    ['a negative number is not', -3, false, '-3'],
    ['null is empty', null, false, ''],
  ] as const)('%s', (_n, v, text, out) => {
    expect(csvCell(v, text)).toBe(out);
  });

  it('signs the card link so a browser can open it, until it expires', () => {
    const at = new Date('2026-01-09T01:00:00Z');
    expect(csvLink({ apiToken: 'tok' }, 12, at)).toBe('/api/reports/consistency/12.csv');
    expect(csvLink({}, 12, at)).toBeNull();
    const url = new URL(csvLink({ publicUrl: 'https://ops.example.com/', apiToken: 'tok' }, 12, at)!);
    expect(url.pathname).toBe('/api/reports/consistency/12.csv');
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    expect(verifyCsvLink('tok', 12, exp, sig, at)).toBe(true);
    expect(verifyCsvLink('tok', 13, exp, sig, at)).toBe(false);
    expect(verifyCsvLink('other', 12, exp, sig, at)).toBe(false);
    expect(verifyCsvLink('tok', 12, exp, sig, new Date(Number(exp) * 1000 + 1000))).toBe(false);
  });
});

describe('the existing chat renderers lay the inventory cards out', () => {
  // Buttons: Slack and Feishu render exception buttons only today; the price buttons arrive in
  // texts.decisionButtons for the fronts to route (price.approve / price.reject).
  it('Slack Block Kit and Feishu card JSON', () => {
    for (const card of [low(), report(), price()]) {
      const slack = cardMessage(card, opts('zh-CN'));
      expect(JSON.stringify(slack.blocks)).toContain(`#${card.alertId}`);
      const feishu = renderFeishuCard(card, cardTexts(card, opts('zh-CN'), fmt), { locale: 'zh-CN' });
      expect(feishu.schema).toBe('2.0');
    }
  });
});
