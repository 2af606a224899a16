import { ackFrame, mapPmcMessage, readPmcFrame } from '../../../src/integrations/platforms/pinduoduo/pmc';

const common = (content: string, type = 'pdd_trade_TradeConfirmed') =>
  `{"id":9001000000000000123,"commandType":"Common","time":1,"sendTime":1767873700001,"message":{"type":"${type}","mallID":778899,"content":${JSON.stringify(content)}}}`;

describe('PDD message frames', () => {
  it('reads a Common frame keeping its 19-digit id, and acks it with the same digits', () => {
    const r = readPmcFrame(common('{"tid":"260108-1"}'));
    expect(r).toMatchObject({ kind: 'message', frame: { id: '9001000000000000123', type: 'pdd_trade_TradeConfirmed', mallId: '778899', sendTime: '1767873700001' } });
    if (r.kind !== 'message') throw new Error('not a message');
    expect(ackFrame(r.frame, 5)).toBe('{"commandType":"Ack","time":5,"id":9001000000000000123,"sendTime":1767873700001,"type":"pdd_trade_TradeConfirmed","mallID":778899}');
  });

  it('treats heartbeats and server acks as control frames, and names what is wrong with a bad frame', () => {
    expect(readPmcFrame('{"commandType":"HeartBeat","time":1}')).toEqual({ kind: 'control', command: 'HeartBeat' });
    expect(readPmcFrame('{"commandType":')).toMatchObject({ kind: 'error', errors: [{ field: '(frame)' }] });
    expect(readPmcFrame(common('not json'))).toMatchObject({ kind: 'error', id: '9001000000000000123', errors: [{ field: 'message.content' }] });
  });

  it.each([
    ['pdd_trade_TradeConfirmed', 'paid'],
    ['pdd_trade_TradeSellerShip', 'paid'],
    ['pdd_trade_TradeSuccess', 'completed'],
    ['pdd_trade_TradeMemoModified', 'created'],
    ['pdd_refund_RefundCreated', 'created'],
  ])('%s → a thin order, status %s', (type, status) => {
    const r = readPmcFrame(common('{"tid":"260108-123456789012345"}', type));
    if (r.kind !== 'message') throw new Error('not a message');
    expect(mapPmcMessage(r.frame, 'pdd-home', '2026-01-08T12:00:00Z')).toMatchObject({
      kind: 'order', order: { source: 'pinduoduo', externalId: '260108-123456789012345', shop: 'pdd-home', status, partial: true },
    });
  });

  it('skips messages about anything but orders and refuses one without an order_sn', () => {
    const goods = readPmcFrame(common('{"goods_id":1}', 'pdd_goods_GoodsChanged'));
    const noTid = readPmcFrame(common('{"mall_id":1}'));
    if (goods.kind !== 'message' || noTid.kind !== 'message') throw new Error('not messages');
    expect(mapPmcMessage(goods.frame, 's', 'x')).toMatchObject({ kind: 'skip' });
    expect(mapPmcMessage(noTid.frame, 's', 'x')).toMatchObject({ kind: 'error' });
  });
});
