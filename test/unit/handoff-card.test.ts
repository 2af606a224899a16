import { buildHandoffSnapshot, type HandoffCard, type HandoffRow } from '../../src/domain/cards/handoff-card';
import { cardMessage } from '../../src/integrations/slack/blocks/card-blocks';
import { slackFormat } from '../../src/integrations/slack/mrkdwn';
import { renderFeishuCard } from '../../src/integrations/feishu/feishu-card';
import { feishuFormat } from '../../src/integrations/feishu/feishu-format';
import { htmlFormat } from '../../src/bot/local/html-format';
import { cardTexts } from '../../src/present/cards/card-texts';

const START = new Date('2026-10-09T18:00:00+08:00');
const row = (id: number, over: Partial<HandoffRow> = {}): HandoffRow => ({
  exceptionId: id, externalId: `DY-${id}`, type: 'vague_address', severity: 'warning', status: 'open', assignee: null, assigneeName: null,
  openedAt: new Date('2026-10-09T15:00:00+08:00'), claimDueAt: new Date('2026-10-09T19:00:00+08:00'), resolveDueAt: new Date('2026-10-09T20:00:00+08:00'),
  claimedAt: null, resolvedAt: null, ...over,
});

describe('the handoff snapshot', () => {
  const snap = buildHandoffSnapshot({
    rows: [
      row(1, { status: 'claimed', assignee: 'day1', assigneeName: '白班甲', claimedAt: new Date('2026-10-09T15:10:00+08:00') }),
      row(2, { status: 'claimed', assignee: 'eve1', assigneeName: '晚班乙', claimedAt: new Date('2026-10-09T17:00:00+08:00') }),
      row(3, { claimDueAt: new Date('2026-10-09T15:30:00+08:00') }), // unclaimed past its claim SLA during the shift
      row(4, { status: 'resolved', resolveDueAt: new Date('2026-10-09T16:00:00+08:00'), resolvedAt: new Date('2026-10-09T16:30:00+08:00') }), // resolved late
      row(5, { status: 'resolved', resolvedAt: new Date('2026-10-09T15:20:00+08:00') }), // on time: nowhere
      row(6, { openedAt: new Date('2026-10-09T07:00:00+08:00'), severity: 'critical' }), // came in before the day shift
    ],
    since: new Date('2026-10-09T09:00:00+08:00'), shiftStart: START, previousEnd: new Date('2026-10-09T18:00:00+08:00'),
    onIncomingShift: (id) => id === 'eve1', backlog: [{ stage: 'packed', count: 12, oldestAt: '2026-10-09T16:00:00+08:00' }],
    onCall: '值班二', calendarGaps: [2027],
  });

  it('splits open work, flags claims whose owner is off the incoming shift, and finds the breaches', () => {
    expect(snap.claimed.map((c) => [c.exceptionId, c.needsNewOwner])).toEqual([[1, true], [2, false]]);
    expect(snap.unclaimed.map((c) => c.exceptionId)).toEqual([6, 3]);
    expect(snap.breached.map((c) => c.exceptionId).sort()).toEqual([3, 4]);
    expect(snap.offShift).toEqual([]); // the day shift ran straight into this one
    expect(snap.counts).toEqual({ unclaimed: 2, claimed: 2, breached: 2, offShift: 0 });
  });

  it('lists what came in while nobody was on shift (the summary non-critical escalations waited for)', () => {
    const morning = buildHandoffSnapshot({
      rows: [row(6, { openedAt: new Date('2026-10-09T07:00:00+08:00') }), row(7, { openedAt: new Date('2026-10-08T22:00:00+08:00') })],
      since: new Date('2026-10-08T18:00:00+08:00'), shiftStart: new Date('2026-10-09T09:00:00+08:00'), previousEnd: new Date('2026-10-08T23:00:00+08:00'),
      onIncomingShift: () => true, backlog: [], onCall: null, calendarGaps: [],
    });
    expect(morning.offShift.map((c) => c.exceptionId)).toEqual([6]);
  });

  const card: HandoffCard = {
    ...snap, kind: 'handoff', key: 'handoff:9', alertId: 9, version: 1, team: '客服组', status: 'open',
    shiftStart: START.toISOString(), shiftEnd: '2026-10-09T15:00:00Z', since: '2026-10-09T01:00:00Z', zone: 'Asia/Shanghai', offered: null,
  };
  card.claimed[0]!.externalId = '<!channel> *DY-1*';
  const opts = { locale: 'zh-CN' as const, timezone: 'Asia/Shanghai', now: START };

  it('reads the same on every front, with one offer button and escaped ids', () => {
    const zh = cardTexts(card, opts, htmlFormat);
    expect(zh.title).toBe('交接班 · 客服组 · 18:00–23:00');
    expect(zh.status).toBe('1 个已认领的异常需要新负责人：负责人不在本班。值班：值班二。');
    const claimed = zh.fields.find((f) => f.key === 'claimed')!;
    expect(claimed.label).toBe('已认领（2）');
    expect(claimed.value).toContain('订单 &lt;!channel&gt; *DY-1* · 地址模糊 · 白班甲 · 3 小时 0 分钟 · ⚠ 需要新负责人');
    expect(claimed.value).not.toContain('晚班乙 · 1 小时 0 分钟 · ⚠');
    expect(zh.fields.map((f) => f.key)).toEqual(['claimed', 'unclaimed', 'breached', 'backlog', 'calendar']);
    expect(zh.decisionButtons).toEqual([{ action: 'handoff.offer', label: '交给接班（1）', style: 'primary', value: { requestId: 9, version: 1 } }]);

    const slack = JSON.stringify(cardMessage(card, opts));
    expect(slack).toContain('"action_id":"handoff.offer"');
    expect(slack).toContain('"value":"p9:1"');
    expect(slack).not.toContain('<!channel>');
    const feishu = renderFeishuCard(card, cardTexts(card, opts, feishuFormat), { locale: 'zh-CN' });
    expect(JSON.stringify(feishu)).toContain('"orderops":"handoff","action":"handoff.offer","request_id":9,"version":1');
    expect(cardTexts(card, opts, slackFormat).title).toBe('交接班 · 客服组 · 18:00–23:00');
  });

  it('after the offer: who and when, and no button', () => {
    const done = cardTexts({ ...card, status: 'offered', version: 2, offered: { at: '2026-10-09T10:05:00Z', by: '晚班乙', count: 1 } }, { ...opts, locale: 'en' }, htmlFormat);
    expect(done.status).toBe('晚班乙 offered 1 claim(s) to this shift at 18:05: they are back in the queue to claim.');
    expect(done.decisionButtons).toEqual([]);
    expect(done.fields.find((f) => f.key === 'claimed')!.value).not.toContain('needs a new owner');
  });
});
