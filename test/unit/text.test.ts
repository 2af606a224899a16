import { hasHouseNumber, matchKeywords, normalizeText } from '../../src/domain/orders/text';
import type { KeywordGroup } from '../../src/domain/orders/rules-types';

const urgent: KeywordGroup = { type: 'urgent', keywords: ['急', '加急', '尽快', '务必'], exclude: ['不急', '不着急', '不用急'] };
const invoice: KeywordGroup = {
  type: 'remark_invoice',
  keywords: ['发票', '开票', '专票'],
  exclude: ['不要发票', '不需要发票', '无需发票', '不用发票', '不开票'],
};

describe('normalizeText', () => {
  it.each([
    ['文三路９０号３幢５０１室', '文三路90号3幢501室'],
    ['ＲＯＯＭ　５０１', 'room 501'],
    ['  急！\n\t10号前  送达 ', '急! 10号前 送达'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('matchKeywords', () => {
  it.each<[string, string | undefined, KeywordGroup, string | null]>([
    ['article: 急', '急！10号前送达', urgent, '急'],
    ['article: 务必在10号前送达', '务必在10号前送达', urgent, '务必'],
    ['longest keyword at the same place wins', '加急发货', urgent, '加急'],
    ['earliest keyword wins', '请尽快，很急', urgent, '尽快'],
    ['不急 is excluded', '不急，慢慢发', urgent, null],
    ['不着急 is excluded', '不着急的', urgent, null],
    ['a second, non-excluded occurrence still counts', '不急，但是这单很急', urgent, '急'],
    ['发票 after 不急 still matches', '不急，但要发票', invoice, '发票'],
    ['不要发票 is excluded', '不要发票，谢谢', invoice, null],
    ['不开票 excludes 开票', '不开票', invoice, null],
    ['专票', '公司要开专票', invoice, '专票'],
    ['full-width text is normalised', '需要ＶＩＰ服务', { type: 'x', keywords: ['vip'], exclude: [] }, 'vip'],
    ['empty remark', '', urgent, null],
    ['undefined remark', undefined, urgent, null],
    ['no keyword', '周末送货', urgent, null],
  ])('%s', (_name, text, group, expected) => {
    expect(matchKeywords(text, group)).toBe(expected);
  });
});

describe('hasHouseNumber', () => {
  it.each<[string | undefined, boolean]>([
    ['文三路90号3幢501室', true],
    ['文三路９０号３幢５０１室', true],
    ['Room 501, 3号楼', true],
    ['Rm 501 Tower A', true],
    ['#501 Wensan Road', true],
    ['No. 90 Wensan Rd', true],
    ['Apt 5, Hangzhou', true],
    ['Unit 3 Xixi Park', true],
    ['Building 2 Huanglong', true],
    ['Bldg 2', true],
    ['123 Main Street', true],
    ['文三路3-501', true],
    ['幸福里3-2-501', true],
    ['文三路九十号', true],
    ['幸福小区二单元', true],
    ['长乐路12弄', true],
    ['王家村五组', true],
    ['幸福小区门口', false],
    ['菜鸟驿站', false],
    ['地铁3号线出口', false],
    ['文三路', false],
    ['万达广场对面', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (detail, expected) => {
    expect(hasHouseNumber(detail)).toBe(expected);
  });
});
