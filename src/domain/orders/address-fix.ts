import { classify } from './classify';
import { checkDivisions } from './divisions';
import type { Address, Order } from './order';
import type { RulesConfig } from './rules-types';
import { msg, type MessageRef } from '../message';

export type AddressField = 'province' | 'city' | 'district' | 'detail';
/** What is wrong with each field, as message keys (a field may have several reasons). */
export type AddressErrors = Partial<Record<AddressField, MessageRef[]>>;

const MAX: Record<AddressField, number> = { province: 32, city: 32, district: 32, detail: 200 };

/**
 * Check an address typed into the Fix address form with the same rule that flagged it, and say
 * which field is wrong. Empty result: the address is clean and the exception can be resolved.
 */
export function validateAddressFix(input: Partial<Record<AddressField, string>>, rules: RulesConfig): { address: Address; errors: AddressErrors } {
  const address: Address = {
    province: input.province?.trim() ?? '',
    city: input.city?.trim() ?? '',
    district: input.district?.trim() ?? '',
    detail: input.detail?.trim() ?? '',
  };
  const errors: AddressErrors = {};
  for (const f of ['province', 'city', 'detail'] as const) {
    if (!address[f]) errors[f] = [msg('reason.form.required')];
  }
  for (const f of Object.keys(MAX) as AddressField[]) {
    if ((address[f] ?? '').length > MAX[f]) errors[f] = [msg('reason.form.too_long', { max: MAX[f] })];
  }
  if (Object.keys(errors).length > 0) return { address, errors };

  const div = checkDivisions(address);
  if (!div.ok) {
    const field: AddressField = div.problem === 'unknown_province' ? 'province' : div.problem === 'city_not_in_province' ? 'city' : 'district';
    errors[field] = [div.detail];
  }
  const probe: Order = {
    source: 'form', externalId: 'form', channel: 'form', createdAt: new Date(0).toISOString(), status: 'paid',
    buyer: {}, address, items: [{ sku: 'form', qty: 1 }], total: '0', currency: 'CNY', presale: false, logistics: { intercepted: false },
  };
  const vague = classify(probe, { ...rules, vagueAddress: { ...rules.vagueAddress, enabled: true, checkDivisions: false } }, { now: new Date(0).toISOString() })
    .exceptions.find((e) => e.type === 'vague_address');
  if (vague && !errors.detail) errors.detail = vague.reasons;
  return { address, errors };
}
