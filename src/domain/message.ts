/**
 * Something the domain wants a person to read, as a message key and its parameters — never prose.
 * The presentation layer (src/present/i18n) renders it per locale; parameters that carry buyer text
 * are escaped by each front before the template is filled.
 *
 * @example
 *   const reason: MessageRef = { key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } };
 *   t('en', reason.key, reason.params) // → "address names a landmark (小区门口)"
 */
export interface MessageRef {
  key: string;
  params?: Record<string, string | number | boolean>;
}
