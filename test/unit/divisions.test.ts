import { canonicalProvince, checkDivisions, type DivisionProblem } from '../../src/domain/orders/divisions';
import { renderMessage } from '../../src/present/i18n/message';

describe('checkDivisions accepts real divisions', () => {
  it.each([
    ['full names', '浙江省', '杭州市', '西湖区'],
    ['short province and city names', '浙江', '杭州', '西湖区'],
    ['short district name', '浙江省', '杭州市', '西湖'],
    ['municipality written as its own city', '北京市', '北京市', '朝阳区'],
    ['municipality, all short', '北京', '北京', '朝阳区'],
    ['municipality with the data\'s 市辖区', '上海市', '市辖区', '浦东新区'],
    ['municipality, JD style (district in the city field)', '北京市', '朝阳区', '三环以内'],
    ['Chongqing county', '重庆市', '重庆市', '忠县'],
    ['内蒙古 short for 内蒙古自治区', '内蒙古', '呼和浩特市', '新城区'],
    ['广西 short for 广西壮族自治区', '广西', '南宁市', '青秀区'],
    ['wrong but common 广西省', '广西省', '南宁市', '青秀区'],
    ['新疆 short name', '新疆', '乌鲁木齐市', '天山区'],
    ['autonomous prefecture short form', '湖北省', '恩施州', '恩施市'],
    ['autonomous prefecture full name', '吉林省', '延边朝鲜族自治州', '延吉市'],
    ['city without districts, no district', '广东省', '东莞市', ''],
    ['city without districts, a town as district', '广东省', '东莞市', '长安镇'],
    ['中山市 without district', '广东省', '中山市', undefined],
    ['儋州市 without district', '海南省', '儋州市', undefined],
    ['嘉峪关市 without district', '甘肃省', '嘉峪关市', undefined],
    ['province-administered county-level city', '湖北省', '仙桃市', undefined],
    ['full-width spaces are ignored', '浙江省　', ' 杭州市', '西湖区'],
    ['Hong Kong is known', '香港特别行政区', '九龙', '油尖旺区'],
  ])('%s: %s/%s/%s', (_name, province, city, district) => {
    expect(checkDivisions({ province, city, district })).toEqual({ ok: true });
  });
});

describe('checkDivisions reports problems', () => {
  it.each<[string, string | undefined, string | undefined, string | undefined, DivisionProblem, string]>([
    ['province/city mismatch', '浙江省', '广州市', '天河区', 'city_not_in_province', '广州市不属于浙江省'],
    ['unknown province', '火星省', '杭州市', '西湖区', 'unknown_province', '火星省'],
    ['missing province', undefined, '杭州市', '西湖区', 'unknown_province', '缺少省份'],
    ['missing city', '浙江省', '', '西湖区', 'city_not_in_province', '缺少城市'],
    ['district of another city', '浙江省', '杭州市', '朝阳区', 'district_not_in_city', '朝阳区不属于杭州市'],
    ['missing district in a city that has districts', '浙江省', '杭州市', undefined, 'missing_district', '杭州市缺少区县'],
    ['missing district in a municipality', '北京市', '北京市', '', 'missing_district', '缺少区县'],
    ['municipality district from another municipality', '上海市', '上海市', '朝阳区', 'district_not_in_city', '朝阳区'],
  ])('%s', (_name, province, city, district, problem, detail) => {
    const r = checkDivisions({ province, city, district });
    expect(r).toMatchObject({ ok: false, problem });
    expect(r.ok ? '' : renderMessage('zh-CN', r.detail)).toContain(detail);
  });
});

describe('canonicalProvince', () => {
  it.each([
    ['新疆', '新疆维吾尔自治区'],
    ['新疆维吾尔自治区', '新疆维吾尔自治区'],
    ['西藏', '西藏自治区'],
    ['宁夏', '宁夏回族自治区'],
    ['北京', '北京市'],
    ['浙江', '浙江省'],
    ['火星', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(canonicalProvince(input)).toBe(expected);
  });
});
