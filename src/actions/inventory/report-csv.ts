import type { Queryable } from '../../db/pool';
import { reportRowsPage } from '../../db/inventory-report';

const HEADER = ['sku', 'platform', 'shop', 'owner', 'in_master', 'expected_stock', 'listing_stock', 'stock_diff', 'master_price', 'listing_price', 'price_diff', 'stock_ok', 'price_ok', 'seen_at'];

/** One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @) is defused with a quote. */
export function csvCell(v: string | number | boolean | null, text = false): string {
  if (v === null) return '';
  let s = String(v);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A report's deviation table as CSV, worst first, read page by page so a large report streams
 * without being held in memory. Starts with a BOM so spreadsheet apps read the UTF-8 names right.
 */
export async function* reportCsv(db: Queryable, reportId: number, pageSize = 5000): AsyncGenerator<string> {
  yield `\uFEFF${HEADER.join(',')}\r\n`;
  let after: { score: number; sku: string; platform: string; shop: string } | null = null;
  for (;;) {
    const page = await reportRowsPage(db, reportId, after, pageSize);
    if (page.length === 0) return;
    yield page.map((r) => [
      csvCell(r.sku, true), csvCell(r.platform, true), csvCell(r.shop, true), csvCell(r.owner, true), csvCell(r.known),
      csvCell(r.expectedStock), csvCell(r.listingStock), csvCell(r.stockDiff), csvCell(r.masterPrice), csvCell(r.listingPrice),
      csvCell(r.priceDiff), csvCell(r.stockOk), csvCell(r.priceOk), csvCell(r.seenAt),
    ].join(',')).join('\r\n') + '\r\n';
    const last = page[page.length - 1]!;
    after = { score: last.score, sku: last.sku, platform: last.platform, shop: last.shop };
    if (page.length < pageSize) return;
  }
}
