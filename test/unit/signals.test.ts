import { defaultShipBy, detectSignals, type SignalInput } from '../../src/domain/signals/detect';
import { computePriority } from '../../src/domain/signals/priority';
import { DEFAULT_SIGNALS } from '../../src/domain/signals/settings';
import { kuaidi100Code } from '../../src/domain/signals/carriers';
import { checkStageUpdate, judgeStageUpdate } from '../../src/domain/orders/stage-update';
import { kuaidi100State } from '../../src/domain/tracking';
import { kuaidi100Sign } from '../../src/integrations/tracking/kuaidi100';
import { readKuaidi100Param } from '../../src/http/tracking-webhooks';

const NOW = new Date('2026-01-10T12:00:00Z');
const h = (n: number) => new Date(NOW.getTime() + n * 3_600_000);
const base: SignalInput = {
  channel: 'tmall', status: 'paid', stage: 'packed', presale: false, holdReason: null, refundStatus: null,
  paidAt: h(-40), shipByAt: h(20), shipByEstimated: false, shipment: null,
};
const tracked = { tracked: true, shippedAt: h(-30), pickedUpAt: null, lastEventAt: null, state: null, aborted: false };
const judge = (o: Partial<SignalInput>) => detectSignals({ ...base, ...o }, DEFAULT_SIGNALS, NOW);
const found = (o: Partial<SignalInput>) => judge(o).findings.map((f) => [f.type, f.step ?? f.rule]);

describe('detectSignals', () => {
  it.each<[string, Partial<SignalInput>, unknown[]]>([
    ['20 h left on Tmall (warns 12 h ahead): nothing yet', {}, []],
    ['10 h left on Tmall: warning', { shipByAt: h(10) }, [['ship_overdue', 'warning']]],
    ['10 h left on Taobao (warns 6 h ahead): nothing yet', { channel: 'taobao', shipByAt: h(10) }, []],
    ['deadline passed: breach', { shipByAt: h(-1) }, [['ship_overdue', 'breach']]],
    ['held by the platform: no ship alert', { shipByAt: h(-1), holdReason: 'risk_review' }, []],
    ['cancelled: nothing', { shipByAt: h(-1), status: 'cancelled' }, []],
    ['shipped: no ship alert', { shipByAt: h(-1), stage: 'shipped' }, []],
    ['no deadline known: nothing', { shipByAt: null }, []],
    ['refund requested before shipping: do not ship, no ship alert', { shipByAt: h(-1), refundStatus: 'requested' }, [['refund_pending', 'refund_pending.hold']]],
    ['refund requested after shipping: intercept', { stage: 'shipped', refundStatus: 'requested' }, [['refund_pending', 'refund_pending.intercept']]],
    ['platform intercept hold', { stage: 'shipped', holdReason: 'intercept' }, [['refund_pending', 'refund_pending.intercept']]],
    ['refund withdrawn: nothing', { refundStatus: 'withdrawn' }, []],
    ['shipped 30 h ago, tracked, never picked up', { stage: 'shipped', shipment: tracked }, [['pickup_overdue', 'pickup_overdue.hours']]],
    ['shipped 30 h ago, not tracked: no pickup alert', { stage: 'shipped', shipment: { ...tracked, tracked: false } }, []],
    ['picked up, last update 50 h ago', { stage: 'shipped', shipment: { ...tracked, pickedUpAt: h(-60), lastEventAt: h(-50) } }, [['tracking_stalled', 'tracking_stalled.hours']]],
    ['picked up, updated 5 h ago', { stage: 'shipped', shipment: { ...tracked, pickedUpAt: h(-20), lastEventAt: h(-5) } }, []],
    ['快递100 abort before any scan', { stage: 'shipped', shipment: { ...tracked, shippedAt: h(-1), aborted: true } }, [['pickup_overdue', 'pickup_overdue.abort']]],
    ['refused by the buyer', { stage: 'shipped', shipment: { ...tracked, pickedUpAt: h(-20), lastEventAt: h(-1), state: 'refused' } }, [['delivery_refused', 'delivery_refused.refused']]],
    ['delivered: nothing', { stage: 'delivered', shipment: { ...tracked, pickedUpAt: h(-20), lastEventAt: h(-50), state: 'delivered' } }, []],
  ])('%s', (_name, o, expected) => {
    expect(found(o)).toEqual(expected);
  });

  it('arms the warning and the breach timers while the order waits to ship', () => {
    expect(judge({ shipByAt: h(20) }).timers).toEqual([{ kind: 'ship_warning', dueAt: h(8) }, { kind: 'ship_breach', dueAt: h(20) }]);
    expect(judge({ stage: 'shipped' }).timers).toEqual([]);
  });

  it('breach is critical, the warning keeps the route severity', () => {
    expect(judge({ shipByAt: h(-1) }).findings[0]).toMatchObject({ severity: 'critical', reason: { key: 'signal.reason.ship_breach' } });
    expect(judge({ shipByAt: h(1) }).findings[0]).toMatchObject({ severity: 'warning', reason: { key: 'signal.reason.ship_warning' } });
  });

  it('defaults ship-by from payment per channel, never for presale or an unknown channel', () => {
    expect(defaultShipBy(DEFAULT_SIGNALS, 'pinduoduo', h(0), false)).toEqual(h(48));
    expect(defaultShipBy(DEFAULT_SIGNALS, 'pinduoduo', h(0), true)).toBeNull();
    expect(defaultShipBy(DEFAULT_SIGNALS, 'web', h(0), false)).toBeNull();
    expect(defaultShipBy(DEFAULT_SIGNALS, 'shopify', null, false)).toBeNull();
  });
});

describe('computePriority', () => {
  it.each<[string, Parameters<typeof computePriority>[0], number]>([
    ['plain', { tags: [], openSeverities: [] }, 0],
    ['VIP', { tags: ['vip'], openSeverities: [] }, 20],
    ['urgent VIP', { tags: ['vip', 'urgent'], openSeverities: ['warning'] }, 30],
    ['critical exception', { tags: [], openSeverities: ['critical'] }, 40],
    ['breached VIP with a critical exception', { tags: ['vip'], openSeverities: ['critical'], shipOverdue: 'breach' }, 90],
    ['in the warning window', { tags: [], openSeverities: ['warning'], shipOverdue: 'warning' }, 20],
  ])('%s → %d', (_n, input, expected) => expect(computePriority(input)).toBe(expected));
});

describe('stage updates', () => {
  const now = new Date('2026-01-09T03:00:00Z');
  it.each<[string, Record<string, unknown>, string[]]>([
    ['valid', { source: 'generic', external_id: 'A1', stage: 'weighed', at: '2026-01-09T10:00:00+08:00' }, []],
    ['no at', { source: 'generic', external_id: 'A1', stage: 'packed' }, ['at']],
    ['at without offset', { source: 'generic', external_id: 'A1', stage: 'packed', at: '2026-01-09T10:00:00' }, ['at']],
    ['at in the future', { source: 'generic', external_id: 'A1', stage: 'packed', at: '2026-01-09T12:00:00+08:00' }, ['at']],
    ['unknown stage', { source: 'generic', external_id: 'A1', stage: 'lost', at: '2026-01-09T10:00:00+08:00' }, ['stage']],
    ['pending cannot be set', { source: 'generic', external_id: 'A1', stage: 'pending', at: '2026-01-09T10:00:00+08:00' }, ['stage']],
    ['bad tracking number', { source: 'generic', external_id: 'A1', stage: 'shipped', at: '2026-01-09T10:00:00+08:00', tracking_number: 'a b' }, ['tracking_number']],
  ])('%s', (_n, input, fields) => {
    const r = checkStageUpdate(input, now);
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(fields);
  });

  it.each<[string, { status: 'paid' | 'cancelled' | 'pending_payment'; stage: 'packed' | 'shipped' }, 'weighed' | 'packed' | 'printed', string]>([
    ['forward', { status: 'paid', stage: 'packed' }, 'weighed', 'apply'],
    ['same stage', { status: 'paid', stage: 'packed' }, 'packed', 'unchanged'],
    ['backwards', { status: 'paid', stage: 'shipped' }, 'printed', 'conflict'],
    ['cancelled order', { status: 'cancelled', stage: 'packed' }, 'weighed', 'conflict'],
    ['unpaid order', { status: 'pending_payment', stage: 'packed' }, 'weighed', 'conflict'],
  ])('%s', (_n, current, to, expected) => {
    const v = judgeStageUpdate(current, to);
    expect(v.apply ? 'apply' : v.result).toBe(expected);
  });
});

describe('快递100', () => {
  it.each([['14', 'refused'], ['4', 'returned'], ['6', 'returned'], ['1', 'picked_up'], ['103', 'picked_up'], ['102', 'awaiting_pickup'], ['3', 'delivered'], ['301', 'delivered'], ['5', 'delivering'], ['0', 'in_transit'], ['1002', 'in_transit'], ['2', 'problem']])(
    'state %s → %s', (code, state) => expect(kuaidi100State(code)).toBe(state),
  );

  it('signs MD5(param + salt), upper-case hex', () => {
    expect(kuaidi100Sign('{"status":"polling"}', 'salt-1')).toBe('E2C569393041570C71ADB0889117CC97');
  });

  it.each([['中通快递', 'zhongtong'], ['顺丰速运', 'shunfeng'], ['YTO', 'yuantong'], ['极兔速递', 'jtexpress'], ['yunda', 'yunda'], ['某某物流', null]])(
    'carrier %s → %s', (name, code) => expect(kuaidi100Code(name)).toBe(code),
  );

  it('reads a push: newest step, first scan, 签收 and abort', () => {
    const r = readKuaidi100Param({
      status: 'abort', message: '3天查询无记录',
      lastResult: { state: '0', ischeck: '0', com: 'yunda', nu: 'YD1', data: [{ ftime: '2026-01-10 09:30:00', context: '运输中' }, { ftime: '2026-01-09 18:00:00' }] },
    });
    expect(r).toMatchObject({ trackingNo: 'YD1', carrier: 'yunda', state: 'in_transit', abort: '3天查询无记录', context: '运输中' });
    expect('at' in r && r.at?.toISOString()).toBe('2026-01-10T01:30:00.000Z');
    expect('firstScanAt' in r && r.firstScanAt?.toISOString()).toBe('2026-01-09T10:00:00.000Z');
    expect(readKuaidi100Param({ lastResult: { state: '3', ischeck: '1', nu: 'X1', data: [] } })).toMatchObject({ state: 'delivered' });
    expect(readKuaidi100Param({ lastResult: {} })).toEqual({ error: expect.stringContaining('nu') });
  });
});
