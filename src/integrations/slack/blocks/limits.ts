/**
 * Block Kit limits (node-slack-sdk `@slack/types` block-kit/*.ts and views.ts; see
 * ../shared/reference/chat-platforms.md §1.8). Every renderer clips to these.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  sectionText: 3000,
  fieldsPerSection: 10,
  field: 2000,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  inputLabel: 2000,
  /**
   * All text of one message together. `msg_blocks_too_long` has been seen near 13k characters
   * although every documented limit was kept (bolt-js#2509), so stay well under.
   */
  messageText: 12_000,
  /** The top-level `text` (notifications, screen readers). */
  fallbackText: 3000,
  /** Ephemeral and slash-command answers: Slack accepts more but advises keeping under 4000. */
  replyText: 3900,
} as const;

/** Sum of every `text` string in a block tree: what counts toward `messageText`. */
export function blockTextLength(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + blockTextLength(x), 0);
  if (!node || typeof node !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(node)) n += k === 'text' && typeof v === 'string' ? v.length : blockTextLength(v);
  return n;
}
