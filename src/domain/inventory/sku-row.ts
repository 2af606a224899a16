import { normalizeMoney } from '../money';

/** One master record as imported (CSV, JSON lines, PUT /api/skus); absent fields keep their value. */
export interface SkuInput {
  sku: string;
  stock: number;
  name?: string;
  price?: string;
  owner?: string;
  lowStockThreshold?: number;
}

export interface FieldError {
  field: string;
  message: string;
}

export const SKU_FIELDS = ['sku', 'name', 'stock', 'price', 'owner', 'low_stock_threshold'] as const;
const SKU_RE = /^[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]{0,99}$/;
const STAFF_ID = /^[a-zA-Z0-9_.-]{1,64}$/;
const MAX_STOCK = 1_000_000_000;

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function wholeNumber(v: unknown, max: number): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= max ? v : null;
  if (typeof v === 'string' && /^\s*\d{1,10}\s*$/.test(v)) {
    const n = Number(v);
    return n <= max ? n : null;
  }
  return null;
}

/**
 * Check one row; every problem is reported (not just the first), each with its field and what to
 * write instead. Cells from CSV arrive as strings, JSON values as they were sent.
 */
export function validateSkuRow(raw: unknown): { ok: true; value: SkuInput } | { ok: false; errors: FieldError[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(row)', message: 'must be an object with sku, stock and optionally name, price, owner, low_stock_threshold' }] };
  }
  const r = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const unknown = Object.keys(r).filter((k) => !(SKU_FIELDS as readonly string[]).includes(k));
  for (const k of unknown) errors.push({ field: k, message: `unknown field; use ${SKU_FIELDS.join(', ')}` });

  const sku = typeof r.sku === 'string' ? r.sku.trim() : typeof r.sku === 'number' ? String(r.sku) : '';
  if (isBlank(r.sku)) errors.push({ field: 'sku', message: 'missing: every row needs its SKU code' });
  else if (!SKU_RE.test(sku)) errors.push({ field: 'sku', message: 'must be 1–100 characters without control characters' });

  let stock = 0;
  if (isBlank(r.stock)) errors.push({ field: 'stock', message: 'missing: the units on hand, a whole number ≥ 0' });
  else {
    const n = wholeNumber(r.stock, MAX_STOCK);
    if (n === null) errors.push({ field: 'stock', message: `must be a whole number from 0 to ${MAX_STOCK}, got ${JSON.stringify(r.stock)}` });
    else stock = n;
  }

  const value: SkuInput = { sku, stock };
  if (!isBlank(r.name)) {
    if (typeof r.name !== 'string' || r.name.length > 200) errors.push({ field: 'name', message: 'must be text of at most 200 characters' });
    else value.name = r.name.trim();
  }
  if (!isBlank(r.price)) {
    const p = typeof r.price === 'string' || typeof r.price === 'number' ? normalizeMoney(r.price) : null;
    if (p === null) errors.push({ field: 'price', message: `must be an amount like 599 or 599.00 (≥ 0, at most 2 decimals), got ${JSON.stringify(r.price)}` });
    else value.price = p;
  }
  if (!isBlank(r.owner)) {
    const o = typeof r.owner === 'string' ? r.owner.trim() : '';
    if (!STAFF_ID.test(o)) errors.push({ field: 'owner', message: 'must be a staff id from orderops.yml (letters, digits, _ . -)' });
    else value.owner = o;
  }
  if (!isBlank(r.low_stock_threshold)) {
    const n = wholeNumber(r.low_stock_threshold, MAX_STOCK);
    if (n === null) errors.push({ field: 'low_stock_threshold', message: 'must be a whole number ≥ 0 (empty: the configured default)' });
    else value.lowStockThreshold = n;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
