import { z } from 'zod';
import { instantProblem } from '../../../domain/orders/storable';
import { ORDER_STAGES, ORDER_STATUSES, REFUND_STATUSES, type Order } from '../../../domain/orders/order';

/** The documented generic order format (PRODUCT.md). Unknown fields are kept, not rejected. */
const money = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((v) => /^-?\d{1,12}(\.\d{1,2})?$/.test(v), 'must be a decimal amount such as "599.00"')
  .refine((v) => !v.startsWith('-'), 'must not be negative');
const isoTime = z.iso
  .datetime({ offset: true, abort: true, message: 'must be ISO 8601 with an offset, e.g. 2026-01-08T20:01:02+08:00' })
  .refine((v) => instantProblem(v) === null, 'must be a time between 1970-01-01 and 9999-12-31');
const text = (max: number) => z.string().max(max);

const item = z.looseObject({
  sku: text(128).min(1, 'is required'),
  qty: z.number().int('must be a whole number').positive('must be positive').max(100_000),
  price: money.optional(),
  name: text(500).optional(),
});

export const genericOrderSchema = z.looseObject({
  id: z.union([text(128).min(1), z.number().int().nonnegative()]).transform(String),
  channel: text(64).optional(),
  shop: text(128).optional(),
  created_at: isoTime,
  updated_at: isoTime.optional(),
  status: z.enum(ORDER_STATUSES),
  stage: z.enum(ORDER_STAGES).optional(),
  buyer: z
    .looseObject({ name: text(200).optional(), phone: text(40).optional(), vip: z.boolean().optional() })
    .optional(),
  address: z
    .looseObject({
      province: text(64).optional(),
      city: text(64).optional(),
      district: text(64).optional(),
      detail: text(500).optional(),
    })
    .optional(),
  items: z.array(item).min(1, 'needs at least one item').max(1000),
  total: money,
  paid: money.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').optional(),
  remark: text(2000).optional(),
  seller_remark: text(2000).optional(),
  presale: z.boolean().optional(),
  balance_due_at: isoTime.optional(),
  paid_at: isoTime.optional(),
  ship_by: isoTime.optional(),
  shipped_at: isoTime.optional(),
  refund: z.looseObject({ status: z.enum(REFUND_STATUSES), at: isoTime.optional() }).optional(),
  logistics: z
    .looseObject({ intercepted: z.boolean().optional(), carrier: text(64).optional(), tracking_no: text(64).optional() })
    .optional(),
});

export type GenericOrder = z.infer<typeof genericOrderSchema>;

export type ParseResult = { ok: true; order: Order } | { ok: false; errors: FieldError[] };
export interface FieldError {
  field: string;
  message: string;
}

/** Validate one generic order and map it onto the internal order. */
export function parseGenericOrder(input: unknown, source = 'generic'): ParseResult {
  const r = genericOrderSchema.safeParse(input);
  if (!r.success) {
    return {
      ok: false,
      errors: r.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(order)', message: i.message })),
    };
  }
  const g = r.data;
  return {
    ok: true,
    order: {
      source,
      externalId: g.id,
      channel: g.channel ?? source,
      shop: g.shop,
      createdAt: g.created_at,
      updatedAt: g.updated_at,
      status: g.status,
      stage: g.stage,
      buyer: { name: g.buyer?.name, phone: g.buyer?.phone, vip: g.buyer?.vip },
      address: { ...pick(g.address) },
      items: g.items.map((i) => ({ sku: i.sku, qty: i.qty, price: i.price, name: i.name })),
      total: g.total,
      paid: g.paid,
      currency: g.currency ?? 'CNY',
      remark: g.remark,
      sellerRemark: g.seller_remark,
      presale: g.presale ?? false,
      balanceDueAt: g.balance_due_at,
      logistics: {
        intercepted: g.logistics?.intercepted ?? false,
        carrier: g.logistics?.carrier,
        trackingNo: g.logistics?.tracking_no,
      },
      paidAt: g.paid_at,
      shipBy: g.ship_by,
      shippedAt: g.shipped_at,
      refund: g.refund ? { status: g.refund.status, at: g.refund.at } : undefined,
    },
  };
}

function pick(a: GenericOrder['address']): Order['address'] {
  return { province: a?.province, city: a?.city, district: a?.district, detail: a?.detail };
}
