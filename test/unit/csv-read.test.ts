import iconv from 'iconv-lite';
import { detectCsvEncoding, readCsvRecords, type CsvRecord } from '../../src/actions/inventory/csv-read';

/** The bytes as a stream cut into `size`-byte chunks (so characters and CRLFs fall across chunks). */
async function* chunks(bytes: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function records(bytes: Buffer, encoding?: string, size?: number): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(chunks(bytes, size), { encoding })) out.push(r);
  return out;
}

const TEXT = 'sku,name,stock\nGBK-01,智能台灯（白色）,5\nGBK-02,"护眼灯, 升级款",3\n';
const EXPECTED = [
  { line: 1, cells: ['sku', 'name', 'stock'] },
  { line: 2, cells: ['GBK-01', '智能台灯（白色）', '5'] },
  { line: 3, cells: ['GBK-02', '护眼灯, 升级款', '3'] },
];

describe('CSV encodings', () => {
  it.each<[string, Buffer, string]>([
    ['UTF-8', Buffer.from(TEXT), 'utf-8'],
    ['UTF-8 with a BOM (Excel "CSV UTF-8")', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'utf-8'],
    ['GBK (Excel "CSV" on Chinese Windows)', iconv.encode(TEXT, 'gbk'), 'gb18030'],
    ['GB18030', iconv.encode(TEXT, 'gb18030'), 'gb18030'],
    ['a short GBK file with one Chinese name', iconv.encode('sku,name,stock\nA,台灯,1\n', 'gbk'), 'gb18030'],
    ['UTF-16LE with a BOM (Excel "Unicode text")', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf-16le')]), 'utf-16le'],
  ])('%s is detected', (_name, bytes, encoding) => {
    expect(detectCsvEncoding(bytes)).toBe(encoding);
  });

  it.each<[string, Buffer]>([
    ['GBK', iconv.encode(TEXT, 'gbk')],
    ['GB18030 with CRLF line ends', iconv.encode(TEXT.replace(/\n/g, '\r\n'), 'gb18030')],
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf-16le')])],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)])],
  ])('%s reads into the same records, whatever the chunk boundaries', async (_name, bytes) => {
    for (const size of [1, 2, 7, 1 << 16]) expect(await records(bytes, undefined, size)).toEqual(EXPECTED);
  });

  it('reads GBK as Latin-1 garbage without detection, and right when told', async () => {
    const bytes = iconv.encode(TEXT, 'gbk');
    expect((await records(bytes, 'latin1'))[1]).not.toEqual(EXPECTED[1]);
    expect(await records(bytes, 'gbk')).toEqual(EXPECTED);
    await expect(records(bytes, 'klingon')).rejects.toThrow('unknown encoding "klingon"');
  });
});

describe('CSV records', () => {
  it.each<[string, string, string[][]]>([
    ['plain', 'a,b,c\n', [['a', 'b', 'c']]],
    ['quoted comma and doubled quote', '"智能台灯, 直播款","say ""hi""",3\n', [['智能台灯, 直播款', 'say "hi"', '3']]],
    ['a quoted field across lines', 'a,"line one\nline two",c\nd,e,f\n', [['a', 'line one\nline two', 'c'], ['d', 'e', 'f']]],
    ['empty trailing cells', 'a,,\n', [['a', '', '']]],
    ['cells are trimmed outside quotes', ' a , b \n', [['a', 'b']]],
    ['blank lines are skipped, no final newline', 'a\n\nb', [['a'], ['b']]],
  ])('%s', async (_n, text, cells) => {
    const out = await records(Buffer.from(text));
    expect(out.map((r) => ('cells' in r ? r.cells : r.error))).toEqual(cells);
  });

  it('gives each record the line it starts on', async () => {
    const out = await records(Buffer.from('h1,h2\n"two\nlines",x\n\nlast,y\n'));
    expect(out.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('reports a quote never closed, with its line, after the good rows', async () => {
    const out = await records(Buffer.from('sku,stock\nA,1\nB,"2\n'));
    expect(out).toEqual([
      { line: 1, cells: ['sku', 'stock'] },
      { line: 2, cells: ['A', '1'] },
      { line: 3, error: expect.stringContaining('never closed') },
    ]);
  });
});
