import fc from 'fast-check';
import {
  compareDecimal, fenToYuan, moneyDifference, normalizeMoney, percentChange, subtractYuan, toYuan, unitPriceFromFen,
} from '../../src/domain/money';

/** The rules of src/domain/money.ts, one table each. */
describe('money: reading and printing (rules 1–3)', () => {
  it.each<[unknown, string | null]>([
    ['128.50', '128.50'], ['12.5', '12.50'], [119.9, '119.90'], [9.9, '9.90'], [2999, '2999.00'], ['007.10', '7.10'],
    ['1.230', '1.23'], [' 0.01 ', '0.01'], ['-3.5', '-3.50'], ['.5', '0.50'],
    ['1.234', null], [0.1 + 0.2, null], ['1e3', null], [1e21, null], [Number.NaN, null], [Infinity, null], ['abc', null], ['', null], [null, null], [undefined, null],
  ])('toYuan(%p) = %p', (v, expected) => expect(toYuan(v)).toBe(expected));

  it.each<[string | number, string | null]>([
    ['599', '599.00'], ['599.5', '599.50'], [' 0.01 ', '0.01'], [12.3, '12.30'], ['999999999999.99', '999999999999.99'],
    ['-1', null], ['1.234', null], ['abc', null], ['', null], ['1e3', null], ['1000000000000', null],
  ])('normalizeMoney(%p) = %p (a master-record price: not negative, 12 digits)', (v, expected) => expect(normalizeMoney(v)).toBe(expected));
});

describe('money: minor units (rule 4)', () => {
  it.each<[unknown, string | null]>([
    [59900, '599.00'], ['63800', '638.00'], [5, '0.05'], [0, '0.00'], [-150, '-1.50'],
    ['900719925474099312', '9007199254740993.12'], [1.5, null], ['12.3', null], [undefined, null],
  ])('fenToYuan(%p) = %p', (v, expected) => expect(fenToYuan(v)).toBe(expected));

  it.each<[unknown, number, string | undefined]>([
    [3900, 3, '13.00'], [1000, 3, undefined], [1000, 0, undefined], [1000, 1.5, undefined], ['x', 1, undefined],
  ])('unitPriceFromFen(%p, %p) = %p', (fen, qty, expected) => expect(unitPriceFromFen(fen, qty)).toBe(expected));

  it('subtracts exactly', () => {
    expect(subtractYuan('0.30', '0.10')).toBe('0.20');
    expect(subtractYuan('100.00', '60.00')).toBe('40.00');
    expect(() => subtractYuan('x', '1')).toThrow('not amounts');
  });

  it('turns any whole number of fen into yuan and back without loss', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (fen) => {
      const yuan = fenToYuan(fen.toString())!;
      expect(toYuan(yuan)).toBe(yuan);
      expect(BigInt(yuan.replace('.', ''))).toBe(fen);
    }));
  });
});

describe('money: comparing and differences (rule 5)', () => {
  it.each<[string, string, -1 | 0 | 1 | null]>([
    ['599.00', '599', 0], ['0.1', '0.10', 0], ['2999.99', '3000', -1], ['3000.001', '3000', 1], ['598.999', '599.00', -1],
    ['-1', '0', -1], ['12345678901234567890.01', '12345678901234567890', 1], ['abc', '1', null], ['1e3', '1000', null],
  ])('compareDecimal(%s, %s) = %s', (a, b, expected) => expect(compareDecimal(a, b)).toBe(expected));

  it.each<[string, string, string | null]>([
    ['599.00', '299.00', '-300.00'], ['0.10', '0.30', '0.20'], ['1', '1', '0.00'], ['1.001', '2', null], ['x', '1', null],
  ])('moneyDifference(%s, %s) = %s', (a, b, expected) => expect(moneyDifference(a, b)).toBe(expected));

  it('is exact where floats are not: 0.1 + 0.2 apart from 0.3 is zero', () => {
    expect(moneyDifference('0.30', subtractYuan('0.30', '0.00'))).toBe('0.00');
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 10 ** 9 }), (a, b) => {
      const x = fenToYuan(a)!;
      const y = fenToYuan(b)!;
      expect(compareDecimal(moneyDifference(x, y)!, fenToYuan(b - a)!)).toBe(0);
    }));
  });
});

describe('money: the one rounding (rule 6)', () => {
  it.each<[string, string, number | null]>([
    ['100', '112.345', 12.35], ['100', '87.655', -12.35], ['3', '4', 33.33], ['3', '5', 66.67], ['599.00', '599.00', 0], ['0', '1', null], ['x', '1', null],
  ])('percentChange(%s, %s) = %p', (a, b, expected) => expect(percentChange(a, b)).toBe(expected));
});
