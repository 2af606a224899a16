import { arr, obj, str, type Json } from '../common/platform-order';

/** The fields pulled per order; kept in one place so the query and the normaliser agree. */
export const ORDER_FIELDS = `
  id legacyResourceId name createdAt updatedAt cancelledAt closedAt
  displayFinancialStatus displayFulfillmentStatus currencyCode note tags phone
  totalPriceSet { shopMoney { amount } }
  currentTotalPriceSet { shopMoney { amount } }
  totalOutstandingSet { shopMoney { amount } }
  customer { firstName lastName phone tags }
  shippingAddress { name firstName lastName address1 address2 city province provinceCode zip countryCodeV2 phone }
  lineItems(first: 100) { nodes { id sku quantity title variant { legacyResourceId } originalUnitPriceSet { shopMoney { amount } } } }
  fulfillments(first: 20) { createdAt trackingInfo(first: 1) { company number } }
  fulfillmentOrders(first: 10) { nodes { status fulfillBy } }`;

const FULFILLMENT: Record<string, string> = { FULFILLED: 'fulfilled', PARTIALLY_FULFILLED: 'partial', RESTOCKED: 'restocked' };
const money = (v: unknown): unknown => obj(obj(v).shopMoney).amount;

/**
 * A GraphQL Admin `Order` node → the REST/webhook order shape, so one mapper serves pushes and
 * pulls. `legacyResourceId` is an UnsignedInt64 sent as a string, so the id stays exact.
 */
export function graphqlToRest(n: Json): Json {
  const a = obj(n.shippingAddress);
  const c = obj(n.customer);
  return {
    id: str(n.legacyResourceId),
    admin_graphql_api_id: n.id,
    name: n.name,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    cancelled_at: n.cancelledAt,
    closed_at: n.closedAt,
    financial_status: str(n.displayFinancialStatus)?.toLowerCase(),
    fulfillment_status: FULFILLMENT[str(n.displayFulfillmentStatus) ?? ''] ?? null,
    currency: n.currencyCode,
    total_price: money(n.totalPriceSet),
    current_total_price: money(n.currentTotalPriceSet),
    total_outstanding: money(n.totalOutstandingSet),
    note: n.note,
    tags: n.tags,
    phone: n.phone,
    customer: { first_name: c.firstName, last_name: c.lastName, phone: c.phone, tags: c.tags },
    // The earliest deadline of the fulfillment orders still to ship (FulfillmentOrder.fulfillBy).
    fulfill_by: arr(obj(n.fulfillmentOrders).nodes).map(obj)
      .filter((f) => !['CLOSED', 'CANCELLED', 'INCOMPLETE'].includes(str(f.status) ?? ''))
      .map((f) => str(f.fulfillBy)).filter((v): v is string => v !== undefined && !Number.isNaN(Date.parse(v)))
      .sort((a, b) => Date.parse(a) - Date.parse(b))[0],
    shipping_address: {
      name: a.name, first_name: a.firstName, last_name: a.lastName, address1: a.address1, address2: a.address2,
      city: a.city, province: a.province, province_code: a.provinceCode, zip: a.zip, country_code: a.countryCodeV2, phone: a.phone,
    },
    line_items: arr(obj(n.lineItems).nodes).map((raw) => {
      const l = obj(raw);
      return {
        id: gidNumber(l.id), sku: l.sku, quantity: l.quantity, title: l.title,
        variant_id: str(obj(l.variant).legacyResourceId), price: money(l.originalUnitPriceSet),
      };
    }),
    fulfillments: arr(n.fulfillments).map((raw) => {
      const f = obj(raw);
      const t = obj(arr(f.trackingInfo)[0]);
      return { created_at: f.createdAt, tracking_company: t.company, tracking_number: t.number };
    }),
  };
}

const gidNumber = (v: unknown): string | undefined => str(v)?.match(/\/(\d+)$/)?.[1];
