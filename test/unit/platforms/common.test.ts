import { parseJsonLossless, quoteUnsafeIntegers } from '../../../src/integrations/platforms/common/lossless-json';
import { formatGmt8, gmt8ToIso, isoOrUndefined, splitWindow, unixToIso } from '../../../src/integrations/platforms/common/china-time';

describe('parseJsonLossless', () => {
  it.each<[string, string, unknown]>([
    ['a 19-digit id', '{"id":820982911946154508}', { id: '820982911946154508' }],
    ['a negative unsafe integer', '[-9007199254740993]', ['-9007199254740993']],
    ['safe integers stay numbers', '{"a":9007199254740991,"b":12,"c":-3}', { a: 9007199254740991, b: 12, c: -3 }],
    ['decimals and exponents untouched', '{"a":1.25,"b":1e21,"c":12345678901234567.5}', { a: 1.25, b: 1e21, c: 12345678901234567.5 }],
    ['digits inside strings untouched', '{"s":"x:12345678901234567890,","t":"\\"12345678901234567890"}', { s: 'x:12345678901234567890,', t: '"12345678901234567890' }],
    ['nested arrays', '{"s_ids":[6920000000000000002,6920000000000000003]}', { s_ids: ['6920000000000000002', '6920000000000000003'] }],
  ])('%s', (_l, text, expected) => {
    expect(parseJsonLossless(text)).toEqual(expected);
  });
  it('leaves text without unsafe integers as it is, and invalid JSON still fails', () => {
    const t = '{"a": [1, 2, "3"]}';
    expect(quoteUnsafeIntegers(t)).toBe(t);
    expect(() => parseJsonLossless('{"id":12345678901234567890')).toThrow();
  });
});

describe('time', () => {
  it('converts Unix seconds and GMT+8 strings to ISO 8601 with +08:00', () => {
    expect(unixToIso(1700000000)).toBe('2023-11-15T06:13:20+08:00');
    expect(unixToIso('1700000000')).toBe('2023-11-15T06:13:20+08:00');
    expect(unixToIso(0)).toBeUndefined();
    expect(gmt8ToIso('2024-06-01 12:00:00')).toBe('2024-06-01T12:00:00+08:00');
    expect(gmt8ToIso('2021-05-07 09:20:39.683')).toBe('2021-05-07T09:20:39+08:00');
    expect(gmt8ToIso('1970-01-01 08:00:00')).toBeUndefined();
    expect(gmt8ToIso('yesterday')).toBeUndefined();
    expect(Date.parse(gmt8ToIso('2024-06-01 12:00:00')!)).toBe(Date.parse('2024-06-01T04:00:00Z'));
    expect(formatGmt8(new Date('2024-06-01T04:00:00.123Z'))).toBe('2024-06-01 12:00:00');
    expect(formatGmt8(new Date('2024-06-01T04:00:00.123Z'), true)).toBe('2024-06-01 12:00:00.123');
    expect(isoOrUndefined('2026-01-08T07:01:02-05:00')).toBe('2026-01-08T07:01:02-05:00');
    expect(isoOrUndefined('2026-01-08 07:01:02')).toBeUndefined();
  });

  it('splits a window into spans that share their edges, leaving no gap', () => {
    const w = { since: new Date('2026-01-08T00:00:00Z'), until: new Date('2026-01-08T01:10:00Z') };
    const parts = splitWindow(w, 30 * 60_000).map((p) => [p.since.toISOString(), p.until.toISOString()]);
    expect(parts).toEqual([
      ['2026-01-08T00:00:00.000Z', '2026-01-08T00:30:00.000Z'],
      ['2026-01-08T00:30:00.000Z', '2026-01-08T01:00:00.000Z'],
      ['2026-01-08T01:00:00.000Z', '2026-01-08T01:10:00.000Z'],
    ]);
    expect(splitWindow({ since: w.until, until: w.since }, 1000)).toEqual([]);
  });

  it('aligned splitting cuts at GMT+8 midnights', () => {
    // 2026-01-08 10:00 → 2026-01-10 02:00 (GMT+8)
    const w = { since: new Date('2026-01-08T02:00:00Z'), until: new Date('2026-01-09T18:00:00Z') };
    const parts = splitWindow(w, 24 * 3600_000, true).map((p) => [formatGmt8(p.since), formatGmt8(p.until)]);
    expect(parts).toEqual([
      ['2026-01-08 10:00:00', '2026-01-09 00:00:00'],
      ['2026-01-09 00:00:00', '2026-01-10 00:00:00'],
      ['2026-01-10 00:00:00', '2026-01-10 02:00:00'],
    ]);
  });
});
