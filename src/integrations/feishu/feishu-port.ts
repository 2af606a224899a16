import { createHash } from 'node:crypto';
import type { TeamSettings } from '../../config/settings';
import { ChatDeliveryError } from '../../domain/errors';
import type { Card, ChatPort, Clock, Notice, PostedMessage } from '../../domain/ports';
import type { Locale } from '../../present/i18n';
import { feishuCard, feishuMention, feishuNotice } from './feishu-card';
import type { Staff } from '../../domain/staff';
import type { FeishuApi } from './feishu-api';
import { FeishuApiError } from './feishu-errors';

export interface FeishuPortDeps {
  api: FeishuApi;
  teams: Record<string, TeamSettings>;
  /** FEISHU_CHAT_ID: where a team without its own `feishu_chat` goes. */
  fallbackChatId?: string;
  /** Cards, notices and mentions are laid out here (feishu-card.ts) from the shared texts of src/present. */
  locale: Locale;
  timezone: string;
  clock: Clock;
}

/**
 * Idempotency key of a card's post to a chat (Feishu drops a repeated `uuid` within its dedupe
 * window), so a post retried after a lost answer or a crash lands once.
 */
export function cardUuid(cardKey: string, chatId: string): string {
  return `orderops-${createHash('sha256').update(`${cardKey}\u0000${chatId}`).digest('hex').slice(0, 32)}`;
}

/**
 * Feishu/Lark as a ChatPort: cards go to group chats by team (FEISHU_CHAT_ID as the fallback),
 * updates use the message PATCH API, direct messages go by open_id (or email). Every failure is a
 * ChatDeliveryError so the card jobs know whether to retry, back off, or give up.
 *
 * @example
 *   const msg = await feishu.postCard(feishu.channelFor('service')!, card);
 *   await feishu.urgent(msg, [manager]); // 加急 on the bot's own card
 */
export class FeishuPort implements ChatPort {
  readonly platform = 'feishu' as const;
  /**
   * Cards whose message turned out deleted or recalled: their next post must not reuse the old
   * uuid, or Feishu's dedupe would hand back the dead message.
   */
  private readonly reposts = new Map<string, number>();

  constructor(private readonly deps: FeishuPortDeps) {}

  channelFor(team: string): string | undefined {
    return this.deps.teams[team]?.feishu_chat ?? this.deps.fallbackChatId;
  }

  async postCard(channel: string, card: Card): Promise<PostedMessage> {
    const repost = this.reposts.get(card.key);
    const uuid = cardUuid(repost ? `${card.key}\u0000${repost}` : card.key, channel);
    const sent = await delivery(() =>
      this.deps.api.send({ type: 'chat_id', id: channel }, { msgType: 'interactive', content: JSON.stringify(feishuCard(card, this.deps)), uuid }),
    );
    return { channel: sent.chatId || channel, messageId: sent.messageId };
  }

  async updateCard(message: PostedMessage, card: Card): Promise<void> {
    try {
      await delivery(() => this.deps.api.patch(message.messageId, JSON.stringify(feishuCard(card, this.deps))));
    } catch (e) {
      if (e instanceof ChatDeliveryError && e.kind === 'gone') {
        this.reposts.set(card.key, Date.now());
        if (this.reposts.size > 10_000) this.reposts.delete(this.reposts.keys().next().value!);
      }
      throw e;
    }
  }

  /** Feishu shows toasts only in a callback's answer; outside one, a direct message is the private channel. */
  async replyPrivately(to: { channel: string; userId: string }, notice: Notice): Promise<void> {
    await delivery(() => this.deps.api.send({ type: to.userId.startsWith('on_') ? 'union_id' : 'open_id', id: to.userId }, this.noticeMessage(notice)));
  }

  async sendDirect(to: Staff, notice: Notice): Promise<boolean> {
    const id = to.feishuOpenId;
    const target = id?.startsWith('ou_')
      ? { type: 'open_id' as const, id }
      : id?.startsWith('on_')
        ? { type: 'union_id' as const, id }
        : to.email
          ? { type: 'email' as const, id: to.email }
          : undefined;
    if (!target) return false;
    await delivery(() => this.deps.api.send(target, this.noticeMessage(notice)));
    return true;
  }

  /**
   * Mention people under a posted card (a reply to it) for SLA level 1: real `<at>` mentions for
   * those with an open_id, their names otherwise.
   */
  async mentionOnCard(message: PostedMessage, people: Staff[], notice: Notice): Promise<void> {
    const card = feishuMention(people, notice, this.deps.locale);
    await delivery(() => this.deps.api.reply(message.messageId, { msgType: 'interactive', content: JSON.stringify(card) }, message.channel));
  }

  /** 加急 (in-app buzz) on the bot's own card for these people, for SLA level 2. */
  async urgent(message: PostedMessage, people: Staff[]): Promise<void> {
    const openIds = people.map((p) => p.feishuOpenId).filter((id): id is string => Boolean(id?.startsWith('ou_')));
    if (openIds.length === 0) throw new ChatDeliveryError('permanent', 'nobody to buzz: none of them has a Feishu open_id');
    const r = await this.urgentByOpenIds(message.messageId, openIds);
    if (r.invalidOpenIds.length === openIds.length) throw new ChatDeliveryError('permanent', `Feishu refused to buzz ${r.invalidOpenIds.join(', ')}`);
  }

  /**
   * 加急 by open_id: in-app by default; `sms` and `phone` use the tenant's paid urgency quota.
   * Resolves with the open_ids Feishu refused.
   */
  async urgentByOpenIds(messageId: string, openIds: string[], kind: 'app' | 'sms' | 'phone' = 'app'): Promise<{ invalidOpenIds: string[] }> {
    return delivery(() => this.deps.api.urgent(messageId, openIds, kind));
  }

  private noticeMessage(notice: Notice): { msgType: string; content: string } {
    return { msgType: 'interactive', content: JSON.stringify(feishuNotice(notice, this.deps.locale)) };
  }
}

/** Narrow a ChatPort to the Feishu one (for 加急, which only Feishu has). */
export function isFeishuPort(chat: ChatPort): chat is FeishuPort {
  return chat instanceof FeishuPort;
}

async function delivery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof FeishuApiError ? e.toDelivery() : e;
  }
}
