import { cardDecision, type ReconcileCard } from '../../src/domain/reconcile/card';
import { isComplete, newTally, runFigures, tallyPage, type WriteOutcome } from '../../src/domain/reconcile/tally';
import { checkWindow, MAX_CATCH_UP_MS, scheduledWindow, windowProgress } from '../../src/domain/reconcile/window';
import { reconcileCardTexts } from '../../src/present/cards/reconcile-card-texts';
import { cardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';
import { parseWhen, pickShops, RECONCILE_HELP, summaryLines } from '../../src/cli/reconcile';
import { main } from '../../src/cli/index';
import { cardMessage } from '../../src/integrations/slack/blocks/card-blocks';
import { renderFeishuCard } from '../../src/integrations/feishu/feishu-card';
import type { ReconcileSummary } from '../../src/actions/reconcile-shop';
import type { ShopSettings } from '../../src/domain/reconcile/shop';

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `DY${from + i}`);
const outcomes = (created: string[], updated: string[] = [], unchanged: string[] = []) =>
  new Map<string, WriteOutcome>([
    ...created.map((id) => [id, 'created'] as const),
    ...updated.map((id) => [id, 'updated'] as const),
    ...unchanged.map((id) => [id, 'unchanged'] as const),
  ]);

describe('reconcile tally', () => {
  it('the seed storm: 500 listed over five pages, 412 stored before → had 412, ingested 88', () => {
    const all = ids(1, 500);
    // Every 5th order of the first 440 was lost in the storm: 88, as in the article.
    const stored = new Set(all.filter((_, i) => i % 5 !== 0 || i >= 440));
    expect(stored.size).toBe(412);
    const t = newTally();
    for (let p = 0; p < 5; p++) {
      const page = all.slice(p * 100, p * 100 + 100);
      const pageStored = new Set(page.filter((id) => stored.has(id)));
      tallyPage(t, {
        ids: page, itemErrors: 0, stored: pageStored,
        outcomes: outcomes(page.filter((id) => !stored.has(id)), page.filter((id) => stored.has(id))),
      });
    }
    expect(runFigures(t, false)).toEqual({ platform: 500, had: 412, missing: 88, ingested: 88, updated: 412, itemErrors: 0, pages: 5 });
  });

  it('a second run over the same window: all had, nothing ingested or updated', () => {
    const t = newTally();
    const all = ids(1, 500);
    tallyPage(t, { ids: all, itemErrors: 0, stored: new Set(all), outcomes: outcomes([], [], all) });
    expect(runFigures(t, false)).toMatchObject({ platform: 500, had: 500, missing: 0, ingested: 0, updated: 0 });
  });

  it('counts an order listed on two pages once (shared window edge, or moved while paging)', () => {
    const t = newTally();
    tallyPage(t, { ids: ['A', 'B'], itemErrors: 0, stored: new Set(['A']), outcomes: outcomes(['B'], [], ['A']) });
    // B again on the next sub-window, now known (we just wrote it) and unchanged; A updated meanwhile.
    tallyPage(t, { ids: ['B', 'A', 'C'], itemErrors: 0, stored: new Set(['A', 'B']), outcomes: outcomes(['C'], ['A'], ['B']) });
    expect(runFigures(t, false)).toEqual({ platform: 3, had: 1, missing: 2, ingested: 2, updated: 1, itemErrors: 0, pages: 2 });
  });

  it('an order created then updated by the same run counts as ingested only', () => {
    const t = newTally();
    tallyPage(t, { ids: ['A'], itemErrors: 0, stored: new Set(), outcomes: outcomes(['A']) });
    tallyPage(t, { ids: ['A'], itemErrors: 0, stored: new Set(['A']), outcomes: outcomes([], ['A']) });
    expect(runFigures(t, false)).toMatchObject({ ingested: 1, updated: 0, had: 0 });
  });

  it('a push landing between lookup and write counts as had, so the figures still add up', () => {
    const t = newTally();
    tallyPage(t, { ids: ['A', 'B'], itemErrors: 0, stored: new Set(), outcomes: outcomes(['A'], ['B']) });
    const f = runFigures(t, false);
    expect(f).toMatchObject({ platform: 2, had: 1, ingested: 1 });
    expect(f.had + f.ingested).toBe(f.platform);
  });

  it('a page read again after a retry counts once, with its unreadable orders', () => {
    const t = newTally();
    tallyPage(t, { key: 'w1|0', ids: ['A'], itemErrors: 1, stored: new Set(), outcomes: outcomes(['A']) });
    tallyPage(t, { key: 'w1|0', ids: ['A'], itemErrors: 1, stored: new Set(['A']), outcomes: outcomes([], [], ['A']) });
    tallyPage(t, { key: 'w1|1', ids: ['B'], itemErrors: 0, stored: new Set(), outcomes: outcomes(['B']) });
    expect(runFigures(t, false)).toEqual({ platform: 3, had: 0, missing: 2, ingested: 2, updated: 0, itemErrors: 1, pages: 2 });
  });

  it('a dry run reports what is missing and ingests nothing', () => {
    const t = newTally();
    tallyPage(t, { ids: ids(1, 10), itemErrors: 0, stored: new Set(ids(1, 7)) });
    expect(runFigures(t, true)).toEqual({ platform: 10, had: 7, missing: 3, ingested: 0, updated: 0, itemErrors: 0, pages: 1 });
  });

  it('unreadable orders count on the platform side and are never "had"', () => {
    const t = newTally();
    tallyPage(t, { ids: ['A'], itemErrors: 2, stored: new Set(['A']), outcomes: outcomes([], [], ['A']) });
    expect(runFigures(t, false)).toMatchObject({ platform: 3, had: 1, ingested: 0, itemErrors: 2 });
  });

  it.each([
    [undefined, 0, true],
    [undefined, 1, false],
    ['page_failed' as const, 0, false],
    ['budget' as const, 0, false],
  ])('stop %p with %p unreadable orders → complete %p', (stop, itemErrors, complete) => {
    expect(isComplete(stop, itemErrors)).toBe(complete);
  });
});

describe('reconcile card decision', () => {
  it.each([
    ['quiet and complete posts nothing', { dryRun: false, complete: true, ingested: 0, openCardRunId: null }, { kind: 'none' }],
    ['complete with recoveries posts its card', { dryRun: false, complete: true, ingested: 88, openCardRunId: 3 }, { kind: 'post', status: 'recovered' }],
    ['incomplete posts an open card', { dryRun: false, complete: false, ingested: 0, openCardRunId: null }, { kind: 'post', status: 'open' }],
    ['incomplete again, nothing recovered, folds into the open card', { dryRun: false, complete: false, ingested: 0, openCardRunId: 3 }, { kind: 'fold', into: 3 }],
    ['incomplete but recovered orders gets a card of its own', { dryRun: false, complete: false, ingested: 5, openCardRunId: 3 }, { kind: 'post', status: 'open' }],
    ['out of page budget, nothing missing: nothing (the next run carries on)', { dryRun: false, complete: false, budgetOnly: true, ingested: 0, openCardRunId: 3 }, { kind: 'none' }],
    ['out of page budget with recoveries: a recovered card', { dryRun: false, complete: false, budgetOnly: true, ingested: 4, openCardRunId: null }, { kind: 'post', status: 'recovered' }],
    ['a dry run never posts', { dryRun: true, complete: false, ingested: 0, openCardRunId: null }, { kind: 'none' }],
  ])('%s', (_label, input, expected) => {
    expect(cardDecision(input)).toEqual(expected);
  });
});

describe('reconcile windows', () => {
  const now = new Date('2026-01-08T13:00:00Z');

  it('slides: [now − 1 min − window, now − 1 min]', () => {
    expect(scheduledWindow(now, 180, null)).toEqual({ since: new Date('2026-01-08T09:59:00Z'), until: new Date('2026-01-08T12:59:00Z') });
  });

  it('reaches back to where an unfinished run stopped', () => {
    const resume = new Date('2026-01-08T02:00:00Z');
    expect(scheduledWindow(now, 180, resume).since).toEqual(resume);
    // A resume point inside the window changes nothing.
    expect(scheduledWindow(now, 180, new Date('2026-01-08T11:00:00Z')).since).toEqual(new Date('2026-01-08T09:59:00Z'));
  });

  it('never reaches back further than the catch-up limit', () => {
    const old = new Date(now.getTime() - 60_000 - MAX_CATCH_UP_MS - 1);
    expect(scheduledWindow(now, 180, old).since).toEqual(new Date('2026-01-08T09:59:00Z'));
  });

  it('refuses an empty window and brings a future end back to now', () => {
    expect(checkWindow(now, now, now)).toMatchObject({ ok: false });
    expect(checkWindow(new Date('2026-01-08T14:00:00Z'), new Date('2026-01-08T15:00:00Z'), now)).toMatchObject({ ok: false });
    expect(checkWindow(new Date('2026-01-08T12:00:00Z'), new Date('2026-01-09T00:00:00Z'), now)).toEqual({
      ok: true, window: { since: new Date('2026-01-08T12:00:00Z'), until: now },
    });
    expect(checkWindow(new Date('x'), now, now)).toMatchObject({ ok: false });
  });

  it('measures progress through the window', () => {
    const w = { since: new Date('2026-01-08T12:00:00Z'), until: new Date('2026-01-08T13:00:00Z') };
    expect(windowProgress(w, '2026-01-08T12:30:00.000Z')).toBe(0.5);
    expect(windowProgress(w, '2026-01-08T14:00:00.000Z')).toBe(1);
    expect(windowProgress(w, '2026-01-08T11:00:00.000Z')).toBe(0);
  });
});

describe('reconcile command helpers', () => {
  const now = new Date('2026-01-08T13:00:00Z');
  const shop = (id: string, source: ShopSettings['source']): ShopSettings => ({
    id, source, name: id, team: 'review', orderShop: id, reconcile: { enabled: true, everyMinutes: 30, windowMinutes: 180 },
  });
  const shops = [shop('dy-a', 'douyin'), shop('dy-b', 'douyin'), shop('sf', 'shopify')];

  it('`orderops reconcile --help` explains the command', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['reconcile', '--help'])).toBe(0);
      expect(log).toHaveBeenCalledWith(RECONCILE_HELP);
    } finally {
      log.mockRestore();
    }
  });

  it.each([
    ['2026-01-08T20:00:00+08:00', '2026-01-08T12:00:00.000Z'],
    ['2026-01-08T12:00:00Z', '2026-01-08T12:00:00.000Z'],
    ['2026-01-08 20:00', '2026-01-08T12:00:00.000Z'], // no offset: the configured zone
    ['90m', '2026-01-08T11:30:00.000Z'],
    ['3h', '2026-01-08T10:00:00.000Z'],
    ['2d', '2026-01-06T13:00:00.000Z'],
    ['now', '2026-01-08T13:00:00.000Z'],
  ])('parses %p', (text, iso) => {
    expect(parseWhen(text, now, 'Asia/Shanghai').toISOString()).toBe(iso);
  });

  it('refuses what is not a time, with the forms it takes', () => {
    expect(() => parseWhen('yesterday', now, 'Asia/Shanghai', '--since')).toThrow(/--since "yesterday" is not a time: use ISO 8601/);
  });

  it('picks every shop of a source, or the one named', () => {
    expect(pickShops(shops, 'douyin', undefined).map((s) => s.id)).toEqual(['dy-a', 'dy-b']);
    expect(pickShops(shops, 'douyin', 'dy-b').map((s) => s.id)).toEqual(['dy-b']);
    expect(() => pickShops(shops, 'shopify', 'dy-a')).toThrow('shop "dy-a" is a douyin shop, not shopify');
    expect(() => pickShops(shops, 'jd', undefined)).toThrow(/no jd shop under shops:/);
    expect(() => pickShops(shops, 'ebay', undefined)).toThrow(/--source must be one of douyin, shopify, taobao, pinduoduo, jd/);
    expect(() => pickShops(shops, 'douyin', 'nope')).toThrow(/no shop "nope"/);
  });

  const summary = (over: Partial<ReconcileSummary> = {}): ReconcileSummary => ({
    runId: 7, shopId: 'home', shopName: '家居旗舰店', source: 'douyin', dryRun: false,
    since: '2026-01-08T12:00:00.000Z', until: '2026-01-08T13:00:00.000Z', complete: true,
    figures: { platform: 500, had: 412, missing: 88, ingested: 88, updated: 412, itemErrors: 0, pages: 6 },
    retries: 0, failedPages: 0, problems: [], recovered: [], resumeFrom: null, card: { kind: 'post', status: 'recovered' }, covered: [],
    startedAt: '2026-01-08T13:00:00.000Z', finishedAt: '2026-01-08T13:00:05.000Z', ...over,
  });

  it('prints the run summary: the seed case', () => {
    expect(summaryLines(summary(), 'en', 'Asia/Shanghai', 'review')).toEqual([
      'Reconcile 家居旗舰店 (Douyin) · 2026-01-08 20:00:00 → 2026-01-08 21:00:00',
      '  platform has 500 · we had 412 · missing 88 · ingested 88 · updated 412 · 6 pages',
      '  ✓ complete (run #7)',
      '  reconcile card queued for team review',
    ]);
  });

  it('prints where to resume an incomplete run', () => {
    const lines = summaryLines(
      summary({
        complete: false, stopReason: 'page_failed', resumeFrom: '2026-01-08T12:30:00.000Z', card: { kind: 'fold', into: 3 },
        problems: [{ kind: 'page', at: '2026-01-08T12:30:00.000Z', code: 'http_502', message: 'Bad Gateway' }], retries: 2,
      }),
      'en', 'Asia/Shanghai', 'review',
    );
    expect(lines).toContain('  ✗ INCOMPLETE (run #7): the platform list was not read to the end, or some orders could not be read');
    expect(lines).toContain('  problem: http_502: Bad Gateway');
    expect(lines).toContain('  resume with: orderops reconcile --source douyin --shop home --since 2026-01-08T12:30:00.000Z --until 2026-01-08T13:00:00.000Z');
    expect(lines).toContain('  the open card of run #3 is updated');
    expect(lines).toContain('  2 retries');
  });
});

describe('reconcile card texts', () => {
  const fmt: PlatformFormat = { escape: (s) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;'), mention: (s) => s.name };
  const now = new Date('2026-01-08T13:05:00Z');
  const card = (over: Partial<ReconcileCard> = {}): ReconcileCard => ({
    kind: 'reconcile', key: 'reconcile:7', alertId: 7, version: 1, status: 'recovered', shopId: 'home', shopName: '家居旗舰店', source: 'douyin',
    since: '2026-01-08T12:00:00.000Z', until: '2026-01-08T13:00:00.000Z', platformCount: 500, hadBefore: 412, ingested: 88, updated: 412,
    pages: 6, failedPages: 0, itemErrors: 0, recovered: ['6920000000000000011', '6920000000000000021'], problems: [], resumeFrom: null,
    attempts: 1, lastError: null, startedAt: '2026-01-08T13:00:00.000Z', finishedAt: '2026-01-08T13:00:05.000Z', clearedAt: null, clearedBy: null,
    ...over,
  });

  it('says "platform has 500, we had 412, 88 recovered" in both languages', () => {
    const zh = reconcileCardTexts(card(), { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, fmt);
    expect(zh.title).toBe('对账 · 家居旗舰店（抖店）');
    expect(zh.status).toBe('⚠️ 平台有 500 笔，系统原有 412 笔，已补录 88 笔');
    expect(zh.severity).toBe('warning');
    expect(zh.buttons).toEqual([]);
    const en = cardTexts(card(), { locale: 'en', timezone: 'Asia/Shanghai', now }, fmt);
    expect(en.status).toBe('⚠️ Platform has 500, we had 412, 88 recovered');
    const fields = Object.fromEntries(en.fields.map((f) => [f.key, f.value]));
    expect(fields.window).toBe('20:00 – 21:00 (6 pages)');
    expect(fields.recovered).toBe('6920000000000000011\n6920000000000000021\n… 88 in all');
    expect(fields.problems).toBeUndefined();
  });

  it('renders on Slack and Feishu like any button-less card', () => {
    const opts = { locale: 'zh-CN' as const, timezone: 'Asia/Shanghai', now };
    const slack = JSON.stringify(cardMessage(card(), opts));
    expect(slack).toContain('平台有 500 笔，系统原有 412 笔，已补录 88 笔');
    expect(slack).toContain('#7 · v1');
    expect(slack).not.toContain('"actions"');
    const feishu = JSON.stringify(renderFeishuCard(card({ status: 'cleared', clearedBy: 9, clearedAt: '2026-01-08T13:04:00.000Z' }), cardTexts(card({ status: 'cleared', clearedBy: 9, clearedAt: '2026-01-08T13:04:00.000Z' }), opts, fmt), { locale: 'zh-CN' }));
    expect(feishu).toContain('"template":"green"');
  });

  it('an open card shows the problem (escaped) and where it resumes; a cleared one who completed it', () => {
    const open = cardTexts(
      card({ status: 'open', ingested: 0, recovered: [], problems: ['http_502: <b>Bad Gateway</b>'], resumeFrom: '2026-01-08T12:30:00.000Z', attempts: 3, lastError: 'http_503: busy' }),
      { locale: 'en', timezone: 'Asia/Shanghai', now }, fmt,
    );
    expect(open.severity).toBe('critical');
    const f = Object.fromEntries(open.fields.map((x) => [x.key, x.value]));
    expect(f.problems).toBe('http_502: &lt;b&gt;Bad Gateway&lt;/b&gt;\nFailed 3 runs in a row; latest: http_503: busy');
    expect(f.resume).toContain('from 20:30');
    expect(f.resume).toContain('orderops reconcile --source douyin --shop home --since 2026-01-08T12:30:00.000Z');
    const cleared = cardTexts(card({ status: 'cleared', clearedBy: 9, clearedAt: '2026-01-08T13:04:00.000Z' }), { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, fmt);
    expect(cleared.status).toBe('✅ 已由对账 #9 补齐（21:04）');
    expect(cleared.severity).toBe('info');
  });
});
