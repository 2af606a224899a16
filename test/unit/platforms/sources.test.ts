import { douyinSource, DOUYIN_SUCCESS } from '../../../src/integrations/platforms/douyin/douyin-source';
import { eventSign } from '../../../src/integrations/platforms/douyin/sign';
import { shopifySource } from '../../../src/integrations/platforms/shopify/shopify-source';
import { shopifyHmac } from '../../../src/integrations/platforms/shopify/sign';
import type { ParseContext } from '../../../src/integrations/platforms/source';
import { fixtureText } from './load-fixture';

const DY = { appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1' };
const ctx = (body: string, headers: ParseContext['headers'] = {}): ParseContext => ({
  body: Buffer.from(body), headers, receivedAt: '2026-01-08T21:00:00+08:00',
});
const parse = (src: ReturnType<typeof douyinSource>, body: string, headers: ParseContext['headers'] = {}) => {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    payload = undefined;
  }
  return src.parse(payload, ctx(body, headers));
};

describe('douyin source', () => {
  const src = douyinSource(DY);

  it('is not configured without both app key and secret', () => {
    expect(douyinSource({ appKey: 'k' }).verify(Buffer.from('[]'), { 'event-sign': 'x' })).toEqual({ ok: false, reason: 'not_configured' });
  });

  it('verifies event-sign and app-id from the headers', () => {
    const body = '[]';
    const sign = eventSign(DY.appKey, body, DY.appSecret);
    expect(src.verify(Buffer.from(body), { 'event-sign': sign, 'app-id': DY.appKey })).toEqual({ ok: true });
    expect(src.verify(Buffer.from(body), { 'app-id': DY.appKey })).toEqual({ ok: false, reason: 'missing' });
    expect(src.verify(Buffer.from(body), { 'event-sign': sign, 'app-id': '42' })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('maps the whole fixture push: order tags become orders, verification and other tags are skipped', () => {
    const r = parse(src, fixtureText('douyin', 'push-messages.json'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // 14 messages: tag 0 and tag 302 skipped.
    expect(r.orders).toHaveLength(12);
    expect(new Set(r.orders.map((o) => o.order.externalId))).toEqual(
      new Set(['6920000000000000011', '6920000000000000041', '6920000000000000071', '6920000000000000021']),
    );
    // raw is the message exactly as pushed: data still the JSON string, ids intact.
    expect(r.orders[0]!.raw).toMatchObject({ tag: '100', msg_id: '7300000000000000101' });
    expect(typeof (r.orders[0]!.raw as { data: unknown }).data).toBe('string');
  });

  it('keeps 19-digit ids exact even when sent as JSON numbers, and drops a repeated msg_id within a push', () => {
    const data = JSON.stringify({ p_id: 1, order_status: 2, pay_amount: 100, pay_time: 1767873700 }).replace('"p_id":1', '"p_id":6920000000000000099');
    const msg = `{"tag":101,"msg_id":7300000000000000999,"data":${JSON.stringify(data)}}`;
    const r = parse(src, `[${msg},${msg}]`);
    expect(r.ok && r.orders.map((o) => o.order.externalId)).toEqual(['6920000000000000099']);
  });

  it('answers the verification push with nothing to store, and says success the Douyin way', () => {
    expect(parse(src, '[{"tag":"0","msg_id":"","data":"{}"}]')).toEqual({ ok: true, orders: [] });
    expect(src.successBody?.([])).toEqual({ code: 0, msg: 'success' });
    expect(DOUYIN_SUCCESS).toEqual({ code: 0, msg: 'success' });
  });

  it('refuses a push with a broken message, pointing at its index', () => {
    const r = parse(src, '[{"tag":"106","msg_id":"1","data":"{\\"cancel_time\\":1}"},{"tag":"101","msg_id":"2","data":"{not json"}]');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.index, e.field])).toEqual([[0, 'data.p_id'], [1, 'data']]);
    expect(parse(src, '[]').ok).toBe(false);
    expect(parse(src, '[42]').ok).toBe(false);
  });
});

describe('shopify source', () => {
  const src = shopifySource('hush');
  const body = '{"id":820982911946154508,"created_at":"2026-01-08T07:01:02-05:00","updated_at":"2026-01-08T07:01:05-05:00","currency":"USD","financial_status":"paid","total_price":"10.00","line_items":[{"id":1,"sku":"A","quantity":1,"price":"10.00"}]}';

  it('verifies the base64 HMAC of the raw bytes; no secret → not configured', () => {
    expect(src.verify(Buffer.from(body), { 'x-shopify-hmac-sha256': shopifyHmac('hush', body) })).toEqual({ ok: true });
    expect(src.verify(Buffer.from(body), {})).toEqual({ ok: false, reason: 'missing' });
    expect(shopifySource(undefined).verify(Buffer.from(body), {})).toEqual({ ok: false, reason: 'not_configured' });
  });

  it('reads the id from the raw text, not the float, and takes the shop from the header', () => {
    const r = src.parse(JSON.parse(body), ctx(body, { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'example.myshopify.com' }));
    expect(r.ok && r.orders[0]!.order).toMatchObject({ externalId: '820982911946154508', shop: 'example.myshopify.com', status: 'paid' });
    expect(r.ok && (r.orders[0]!.raw as { id: unknown }).id).toBe('820982911946154508');
  });

  it('acknowledges topics that are not orders without storing anything', () => {
    expect(src.parse({}, ctx('{"id":1}', { 'x-shopify-topic': 'orders/delete' }))).toEqual({ ok: true, orders: [] });
  });
});
