import { neutralise } from '../../src/present/neutralise';
import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';
import { exceptionCardTexts } from '../../src/present/cards/card-texts';
import { cardMessage } from '../../src/integrations/slack/blocks/card-blocks';
import { renderFeishuCard } from '../../src/integrations/feishu/feishu-card';
import { feishuFormat } from '../../src/integrations/feishu/feishu-format';
import { cardView } from '../../src/bot/local/local-view';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rulesTest } from '../../src/cli/rules-test';
import { readConfig } from '../../src/config';

describe('neutralise', () => {
  it.each([
    ['clean text stays as is', '急！10号前送达 ok 😀', '急！10号前送达 ok 😀'],
    ['a right-to-left override is made visible', '…\u202e00.995', '…[U+202E]00.995'],
    ['every bidi control is made visible', 'a\u202ab\u2066c\u2069d\u200fe', 'a[U+202A]b[U+2066]c[U+2069]d[U+200F]e'],
    ['ANSI colour codes are removed', '\u001b[31mred\u001b[0m', 'red'],
    ['an OSC title sequence is removed', '\u001b]0;pwned\u0007x', 'x'],
    ['an 8-bit CSI is removed', '\u009b2Jx', 'x'],
    ['a lone ESC is removed', 'a\u001bb', 'a'],
    ['C0 and C1 controls are removed, tab and LF kept', 'a\u0007b\u0085c\td\ne\u007f', 'abc\td\ne'],
    ['CR LF becomes LF', 'a\r\nb\rc', 'a\nb\nc'],
    ['zero-width spaces used to split @channel are removed', '@chan\u200bnel', '@channel'],
    ['a joiner inside a word is removed', 'pa\u200dypal', 'paypal'],
    ['a joiner between pictographs stays (emoji sequence)', '👩\u200d💻', '👩\u200d💻'],
    ['tag characters (invisible ASCII) are removed', 'x\u{E0041}\u{E0042}y', 'xy'],
    ['line separators become line feeds', 'a\u2028b', 'a\nb'],
  ])('%s', (_label, input, expected) => {
    expect(neutralise(input)).toBe(expected);
  });
});

describe('a U+202E remark on every rendered card', () => {
  const now = new Date('2026-01-08T12:30:00Z');
  const remark = '请开发票 \u202e00.995 \u001b[2J\u200b@channel';
  const input: ExceptionCardInput = {
    exception: {
      id: 7, type: 'remark_invoice', severity: 'info', reasons: [{ key: 'reason.text', params: { text: 'remark asks for an invoice \u202e' } }], status: 'open', escalationLevel: 0, version: 1,
      claimedAt: null, resolvedAt: null, resolution: null, claimDueAt: now, resolveDueAt: now,
    },
    order: {
      source: 'generic', externalId: 'DY-\u202e1', channel: 'douyin', shop: 'home', createdAt: '2026-01-08T20:01:02+08:00', status: 'paid',
      buyer: { name: '王\u202e五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号' },
      items: [{ sku: 'LAMP-01', qty: 1, price: '599.00', name: '台灯' }], total: '599.00', paid: '599.00', currency: 'CNY',
      remark, presale: false, logistics: { intercepted: false }, tags: [],
    },
    assignee: null,
  };
  const card = buildExceptionCard(input);
  const opts = { locale: 'en' as const, timezone: 'Asia/Shanghai', now };
  const hostile = /[\u202a-\u202e\u2066-\u2069\u001b\u200b]/;

  it('Slack Block Kit', () => {
    const texts = collectStrings(cardMessage(card, opts));
    expect(texts.join('\n')).toContain('[U+202E]00.995');
    expect(texts.some((s) => hostile.test(s))).toBe(false);
  });

  it('Feishu card JSON 2.0', () => {
    const rendered = renderFeishuCard(card, exceptionCardTexts(card, opts, feishuFormat), { locale: 'en' });
    const texts = collectStrings(rendered);
    expect(texts.join('\n')).toContain('&#91;U+202E&#93;00.995');
    expect(texts.some((s) => hostile.test(s.replace(/\u200b(?=:)/g, '')))).toBe(false);
  });

  it('the local page', () => {
    const view = cardView({ id: 1, channel: 'service', cardKey: card.key, card, notes: [], rev: 1, updatedAt: now }, opts);
    const texts = collectStrings(view.texts);
    expect(texts.join('\n')).toContain('[U+202E]00.995');
    expect(texts.some((s) => hostile.test(s))).toBe(false);
  });
});

describe('the command line', () => {
  it('orderops rules test shows a hostile order id and remark neutralised', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'oo-')), 'order.json');
    writeFileSync(file, JSON.stringify({
      id: 'X\u202e1\u001b[31m', created_at: '2026-01-08T20:01:02+08:00', status: 'paid', items: [{ sku: 'A', qty: 1 }], total: '10.00',
      remark: '急\u001b]0;pwned\u0007 \u202e00.995',
    }));
    const r = rulesTest(file, readConfig({}).settings, []);
    expect(r.text).toContain('[U+202E]');
    expect(r.text).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});

function collectStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => collectStrings(x, out));
  return out;
}
