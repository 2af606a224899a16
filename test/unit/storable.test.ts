import { instantProblem, makeStorable, orderInstantProblems, storableText, textNeedsRepair, tooDeep } from '../../src/domain/orders/storable';
import { writeFailureKind } from '../../src/db/write-errors';

describe('storableText', () => {
  it.each([
    ['plain text', '急！10号前送达', '急！10号前送达'],
    ['a valid surrogate pair (emoji)', 'ok 😀', 'ok 😀'],
    ['a NUL', 'a\u0000b', 'ab'],
    ['a lone high surrogate', 'a\ud800b', 'a\ufffdb'],
    ['a lone low surrogate', 'a\udc00b', 'a\ufffdb'],
    ['a high surrogate at the end', 'ab\ud83d', 'ab\ufffd'],
    ['two high surrogates then a low one', '\ud83d\ud83d\ude00', '\ufffd😀'],
    ['a NUL between the halves of a pair', '\ud83d\u0000\ude00', '😀'],
  ])('%s', (_label, input, expected) => {
    expect(storableText(input)).toBe(expected);
    expect(textNeedsRepair(input)).toBe(input !== expected);
  });
});

describe('makeStorable', () => {
  it('repairs strings and keys anywhere, naming each path, and returns the same object when clean', () => {
    const clean = { a: ['x', { b: 'y' }], n: 1 };
    expect(makeStorable(clean).value).toBe(clean);
    const r = makeStorable({ remark: 'a\u0000', items: [{ name: 'ok' }, { name: '\ud800' }], ['k\u0000']: 1 });
    expect(r.value).toEqual({ remark: 'a', items: [{ name: 'ok' }, { name: '\ufffd' }], k: 1 });
    expect(r.repaired).toEqual(['remark', 'items.1.name', 'k (key)']);
  });
});

describe('tooDeep', () => {
  it.each([
    [{}, 1, null],
    [{ a: {} }, 1, 'a'],
    [{ a: [1, [2]] }, 2, 'a.1'],
    [[[[]]], 3, null],
  ])('%j within %i → %p', (value, max, expected) => {
    expect(tooDeep(value, max)).toBe(expected);
  });

  it('measures a value a million levels deep without exhausting the stack', () => {
    const v = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(tooDeep(v)).toMatch(/^0\.0\.0\.0\.…\(\d+ more\)\.0\.0$/);
  });
});

describe('instantProblem', () => {
  it.each([
    ['2026-01-08T20:01:02+08:00', null],
    ['1970-01-01T00:00:00Z', null],
    ['9999-12-31T23:59:59Z', null],
    ['1969-12-31T23:59:59Z', 'out_of_range'],
    ['0000-01-01T00:00:00Z', 'out_of_range'],
    ['+010000-01-01T00:00:00Z', 'out_of_range'],
    ['10000-01-01T00:00:00Z', 'out_of_range'],
    ['yesterday', 'unparseable'],
  ])('%s → %p', (iso, expected) => {
    expect(instantProblem(iso)).toBe(expected);
  });

  it('checks every top-level …At field of an order', () => {
    expect(orderInstantProblems({ createdAt: '0000-01-01T00:00:00Z', paidAt: 'soon', remark: '0000-01-01' })).toEqual([
      { field: 'createdAt', problem: 'out_of_range' },
      { field: 'paidAt', problem: 'unparseable' },
    ]);
  });
});

describe('writeFailureKind', () => {
  const pgError = (code: string, constraint?: string) => Object.assign(new Error('x'), { code, constraint });
  it.each([
    ['22P05 unsupported Unicode escape', pgError('22P05'), 'row'],
    ['22008 date out of range', pgError('22008'), 'row'],
    ['23514 check violation', pgError('23514'), 'row'],
    ['23505 on another constraint', pgError('23505', 'other_key'), 'row'],
    ['23505 on the dedupe key (a race)', pgError('23505', 'orders_source_external_id_key'), 'server'],
    ['54001 stack depth', pgError('54001'), 'row'],
    ['08006 connection failure', pgError('08006'), 'server'],
    ['53300 too many connections', pgError('53300'), 'server'],
    ['57P01 admin shutdown', pgError('57P01'), 'server'],
    ['40P01 deadlock', pgError('40P01'), 'server'],
    ['XX000 internal', pgError('XX000'), 'server'],
    ['ECONNREFUSED (no SQLSTATE)', pgError('ECONNREFUSED'), 'server'],
    ['a pool timeout (no code)', new Error('timeout exceeded when trying to connect'), 'server'],
    ['a RangeError while serialising', new RangeError('Maximum call stack size exceeded'), 'row'],
    ['42P01 undefined table', pgError('42P01'), 'unknown'],
    ['P0001 raise', pgError('P0001'), 'unknown'],
  ])('%s → %s', (_label, err, kind) => {
    expect(writeFailureKind(err)).toBe(kind);
  });
});
