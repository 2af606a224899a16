/**
 * An exception's reasons as a JSON array of message refs, for any query over `exceptions` aliased
 * `alias`: the stored keys, or — for rows written before reasons were keys — the old text as one
 * `reason.text` message (domain/message.ts TEXT_KEY), so every reader gets one shape.
 */
export const reasonsSql = (alias = 'e'): string =>
  `coalesce(${alias}.reason_refs, jsonb_build_array(jsonb_build_object('key', 'reason.text', 'params', jsonb_build_object('text', ${alias}.reason))))`;
