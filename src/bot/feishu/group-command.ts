import type pg from 'pg';
import { createHash } from 'node:crypto';
import { staffLookup } from '../../actions/lookup-order';
import type { ActionDeps } from '../../actions/exception-actions';
import type { Queryable } from '../../db/pool';
import type { Clock } from '../../domain/ports';
import { t, type Locale } from '../../present/i18n';
import { lookupText } from '../../present/lookup-text';
import { markdownCard } from '../../integrations/feishu/feishu-card';
import { feishuFormat } from '../../integrations/feishu/feishu-format';
import type { FeishuEnvelope } from './feishu-verify';
import type { InventoryActions } from '../../actions/inventory';
import { findStaffByChatUser } from '../../db/staff';
import type { Card } from '../../domain/ports';
import type { FrontDeps } from '../front';
import { dispatchCommand, findCommand, parseCommand } from '../commands/dispatch';

export interface GroupCommandDeps {
  pool: pg.Pool;
  clock: Clock;
  locale: Locale;
  timezone: string;
  /** The bot's open_id, to tell a mention of the bot from a mention of someone else. */
  botOpenId(): Promise<string>;
  /** Post in the chat, as a reply to the message (a command's card answer, for the whole group). */
  reply(to: AnswerTarget, card: object, uuid: string): Promise<void>;
  /**
   * Answer the asker alone: in a direct chat a reply; in a group an ephemeral card only they see,
   * or a direct message where the group takes none. Never a post to the group.
   */
  replyPrivately(to: AnswerTarget & { openId: string }, card: object, uuid: string): Promise<void>;
  /** Price-change requests (`调价 <sku> <amount>`). */
  inventory?: Pick<InventoryActions, 'requestPriceChange'>;
  /** Re-render cards: a lookup gives an order's storm-digest lines cards of their own. */
  cards?: ActionDeps['cards'];
  /** `@bot <command> …` (src/bot/commands): what the commands are given, and how a card answer is drawn. */
  commands?: { front: FrontDeps; renderCard(card: Card): object };
}

export interface AnswerTarget {
  messageId: string;
  chatId: string;
  /** A direct chat with the bot: a reply there is already private. */
  p2p: boolean;
}

interface MessageEvent {
  sender?: { sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    mentions?: { key?: string; id?: { open_id?: string } }[];
  };
}

/** `order <id>`, `/order <id>`, `查单 <id>` once the mentions are taken out. */
const COMMAND = /^\/?(?:order|查单|查订单)(?=\s|$)\s*(.*)$/is;
/** `price <sku> <amount>`, `/price …`, `调价 <sku> <amount>`: the same as Slack's `/price`. */
const PRICE = /^\/?(?:price|调价)(?=\s|$)\s*(.*)$/is;

/** The command in a message, or null when the message is not for us. */
export function parseGroupCommand(
  event: MessageEvent,
  botOpenId: string,
): { query: string } | { price: string } | { command: string } | { help: true } | null {
  const m = event.message;
  if (event.sender?.sender_type !== 'user' || !m || m.message_type !== 'text' || typeof m.content !== 'string') return null;
  const mentions = m.mentions ?? [];
  if (m.chat_type !== 'p2p' && !mentions.some((x) => x.id?.open_id === botOpenId)) return null;
  let text: string;
  try {
    const c = JSON.parse(m.content) as { text?: unknown };
    text = typeof c.text === 'string' ? c.text : '';
  } catch {
    return null;
  }
  for (const x of mentions) if (x.key) text = text.split(x.key).join(' ');
  const clean = text.replace(/\s+/g, ' ').trim();
  const word = parseCommand(clean).word.replace(/^\//, '');
  if (word === 'help' || word === '帮助' || word === 'orderops' || findCommand(word)) return { command: clean.replace(/^\/?orderops\b\s*/i, '').replace(/^\//, '') };
  const price = PRICE.exec(clean);
  if (price) return { price: price[1]!.trim() };
  const cmd = COMMAND.exec(clean);
  return cmd ? { query: cmd[1]!.trim() } : { help: true };
}

/**
 * `@bot order <id>` / `@bot 查单 <id>` in a group (or the same without the mention in a direct
 * chat): the same lookup as Slack's `/order`, escaped for Feishu, for staff only (audited), and
 * answered to the asker alone — as every text answer here is; only a command's card goes to the group.
 */
export async function handleGroupMessage(deps: GroupCommandDeps, envelope: FeishuEnvelope): Promise<void> {
  const event = (envelope.event ?? {}) as MessageEvent;
  const m = event.message;
  if (!m?.message_id || !m.chat_id || event.sender?.sender_type !== 'user') return;
  const cmd = parseGroupCommand(event, await deps.botOpenId());
  if (!cmd) return;
  // The reply's uuid comes from the message answered: a retried answer is not posted twice.
  const uuid = `orderops-r-${createHash('sha256').update(m.message_id).digest('hex').slice(0, 32)}`;
  const openId = (event as { sender?: { sender_id?: { open_id?: string } } }).sender?.sender_id?.open_id;
  const to: AnswerTarget = { messageId: m.message_id, chatId: m.chat_id, p2p: m.chat_type === 'p2p' };
  // Without the sender's open_id nothing can be answered privately (and nobody can be checked).
  if (!openId) return;
  const privately = (text: string) => deps.replyPrivately({ ...to, openId }, markdownCard(text), uuid);
  if ('command' in cmd && deps.commands) {
    const answer = await dispatchCommand(deps.commands.front, { platform: 'feishu', userId: openId }, cmd.command, { channel: m.chat_id });
    // `@bot help` also says how to look orders up and ask for prices (not /orderops commands in Feishu).
    const isHelp = ['', 'help', '帮助'].includes(parseCommand(cmd.command).word);
    if (answer.kind === 'text') return privately((isHelp ? `${t(deps.locale, 'feishu.lookup.usage')}\n\n` : '') + answer.render(feishuFormat));
    return deps.reply(to, deps.commands.renderCard(answer.card), uuid);
  }
  let text: string;
  if ('help' in cmd || 'command' in cmd) text = t(deps.locale, 'feishu.lookup.usage');
  else if ('price' in cmd) text = await priceRequest(deps, cmd.price, openId);
  else {
    const result = await staffLookup({ pool: deps.pool, clock: deps.clock, cards: deps.cards }, { platform: 'feishu', userId: openId }, cmd.query);
    text = result.kind === 'usage'
      ? t(deps.locale, 'feishu.lookup.usage')
      : lookupText(result, { locale: deps.locale, timezone: deps.timezone, now: deps.clock.now() }, feishuFormat);
  }
  await privately(text);
}

async function priceRequest(deps: GroupCommandDeps, args: string, openId: string | undefined): Promise<string> {
  const m = /^(\S{1,128})\s+(\S{1,20})$/.exec(args);
  if (!m || !deps.inventory) return t(deps.locale, 'feishu.price.usage');
  const staff = openId ? await findStaffByChatUser(deps.pool, { platform: 'feishu', userId: openId }) : null;
  if (!staff) return t(deps.locale, 'notice.unknown_user', { userId: feishuFormat.escape(openId ?? '?') });
  const r = await deps.inventory.requestPriceChange({ sku: m[1]!, price: m[2]!, requestedBy: staff.id, via: 'feishu' });
  if (!r.ok) return feishuFormat.escape(r.message);
  const vars = Object.fromEntries(Object.entries(r.notice.vars ?? {}).map(([k, v]) => [k, typeof v === 'string' ? feishuFormat.escape(v) : v]));
  return t(deps.locale, r.notice.key, vars);
}
