import type { OrderSource, ItemError } from '../source';
import type { IncomingOrder } from '../../../domain/platforms/ports';
import { parseGenericOrder } from './generic-order';
import { SIGNATURE_HEADER, verifySignature } from './signature';

/** `POST /webhooks/orders/generic`: one order or a JSON array, signed with ORDER_WEBHOOK_SECRET. */
export function genericSource(secret: string | undefined): OrderSource {
  return {
    name: 'generic',
    verify(body, headers) {
      if (!secret) return { ok: false, reason: 'not_configured' };
      return verifySignature(secret, body, headers[SIGNATURE_HEADER]);
    },
    parse(payload) {
      const list = Array.isArray(payload) ? payload : [payload];
      if (list.length === 0) return { ok: false, errors: [{ field: '(body)', message: 'the array holds no order' }] };
      const orders: IncomingOrder[] = [];
      const errors: ItemError[] = [];
      list.forEach((raw, i) => {
        const r = parseGenericOrder(raw, 'generic');
        if (r.ok) orders.push({ order: r.order, raw });
        else for (const e of r.errors) errors.push(Array.isArray(payload) ? { index: i, ...e } : e);
      });
      // All or nothing: a partly valid array is refused whole, so a sender's retry cannot half-apply.
      return errors.length > 0 ? { ok: false, errors } : { ok: true, orders };
    },
  };
}
