import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Locale } from '../../present/i18n';
import type { Card, ChatPort, Clock, Notice, PostedMessage } from '../../domain/ports';
import type { Staff } from '../../domain/staff';
import { CARD_EVENT_TYPE, cardMessage, cardMetadata } from './blocks/card-blocks';
import { SLACK_LIMITS } from './blocks/limits';
import { clip, noticeText, slackMention } from './mrkdwn';
import { Pacer, type Timer } from './pacer';
import type { SlackApi } from './slack-api';

export interface SlackPortOptions {
  api: SlackApi;
  locale: Locale;
  timezone: string;
  clock: Clock;
  logger: Logger;
  /** Where each team's cards go (`teams.<team>.slack_channel`), and the fallback (SLACK_CHANNEL). */
  teamChannels: Record<string, string | undefined>;
  fallbackChannel?: string;
  /** How far back `findCard` looks (messages of the channel, newest first). */
  historyLimit?: number;
  /** Posts per channel: `burst` at once, then one per `intervalMs` (Slack: ~1/s/channel). */
  postPace?: { intervalMs: number; burst: number };
  timer?: Timer;
}

type HistoryMessage = { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

/**
 * Slack's side of the chat port: cards as Block Kit messages (with metadata naming the card, so
 * a post whose outcome was unknown is found rather than repeated), updates with chat.update,
 * private replies as ephemeral messages, direct messages through conversations.open.
 *
 * @example
 *   const slack = new SlackChatPort({ api, locale: 'en', timezone: 'Asia/Shanghai', clock, logger, teamChannels: { service: 'C01' } });
 *   const msg = await slack.postCard('C01', card);          // { channel: 'C01', messageId: '1700000000.000100' }
 *   await slack.updateCard(msg, rerendered);
 */
export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;
  private readonly posts: Pacer;
  private readonly updates: Pacer;
  /** A person's DM channel never changes: one conversations.open (Tier 3) per person per process. */
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly opts: SlackPortOptions) {
    this.posts = new Pacer(opts.postPace ?? { intervalMs: 1000, burst: 3 }, opts.timer);
    // chat.update is Tier 3 (50+/min per workspace): pace all updates together.
    this.updates = new Pacer({ intervalMs: 1200, burst: 20 }, opts.timer);
  }

  channelFor(team: string): string | undefined {
    return this.opts.teamChannels[team] ?? this.opts.fallbackChannel;
  }

  postDelay(channel: string): number {
    return this.posts.delay(channel);
  }

  updateDelay(): number {
    return this.updates.delay('chat.update');
  }

  /** chat.postMessage to a channel: paced per channel, retries included, and a 429 holds that channel only. */
  private channelPolicy(channel: string) {
    return {
      rateKey: `chat.postMessage:${channel}`,
      pace: () => this.posts.take(channel),
      onRateLimited: (ms: number) => this.posts.hold(channel, ms),
    };
  }

  async postCard(channel: string, card: Card): Promise<PostedMessage> {
    const msg = this.render(card);
    const res = await this.opts.api.call<webApi.ChatPostMessageResponse>(
      'chat.postMessage',
      { channel, text: msg.text, blocks: msg.blocks, metadata: cardMetadata(card), unfurl_links: false, unfurl_media: false },
      {
        ...this.channelPolicy(channel),
        idempotent: false,
        // A 5xx or a timeout may still have posted it: look before posting again.
        lookup: async () => {
          const found = await this.findCard(channel, card);
          return found ? ({ ok: true, channel: found.channel, ts: found.messageId } as webApi.ChatPostMessageResponse) : undefined;
        },
      },
    );
    return { channel: res.channel ?? channel, messageId: res.ts! };
  }

  async findCard(channel: string, card: Card): Promise<PostedMessage | undefined> {
    const res = await this.opts.api.call<webApi.ConversationsHistoryResponse>(
      'conversations.history',
      { channel, limit: this.opts.historyLimit ?? 200, include_all_metadata: true },
      { idempotent: true },
    );
    const hit = (res.messages as HistoryMessage[] | undefined)?.find(
      (m) => m.metadata?.event_type === CARD_EVENT_TYPE && m.metadata.event_payload?.card_key === card.key,
    );
    return hit?.ts ? { channel, messageId: hit.ts } : undefined;
  }

  async updateCard(message: PostedMessage, card: Card): Promise<void> {
    const msg = this.render(card);
    await this.opts.api.call(
      'chat.update',
      { channel: message.channel, ts: message.messageId, text: msg.text, blocks: msg.blocks, metadata: cardMetadata(card) },
      { idempotent: true, pace: () => this.updates.take('chat.update'), onRateLimited: (ms) => this.updates.hold('chat.update', ms) },
    );
  }

  async replyPrivately(to: { channel: string; userId: string }, notice: Notice): Promise<void> {
    await this.ephemeral(to, noticeText(this.opts.locale, notice));
  }

  /** An ephemeral message of ready-made mrkdwn (already escaped by the caller). */
  async ephemeral(to: { channel: string; userId: string }, text: string): Promise<void> {
    await this.opts.api.call('chat.postEphemeral', { channel: to.channel, user: to.userId, text: clip(text, SLACK_LIMITS.replyText) }, { idempotent: true });
  }

  async sendDirect(to: Staff, notice: Notice): Promise<boolean> {
    if (!to.slackUserId) return false;
    let channel = this.dmChannels.get(to.slackUserId);
    if (!channel) {
      const open = await this.opts.api.call<webApi.ConversationsOpenResponse>('conversations.open', { users: to.slackUserId }, { idempotent: true });
      channel = open.channel?.id;
      if (!channel) return false;
      this.dmChannels.set(to.slackUserId, channel);
    }
    // At least once: a DM repeated after an ambiguous failure beats an escalation nobody saw.
    await this.opts.api.call('chat.postMessage', { channel, text: clip(noticeText(this.opts.locale, notice), SLACK_LIMITS.replyText) }, { ...this.channelPolicy(channel), idempotent: true });
    return true;
  }

  /** An SLA reminder: a thread reply under the card mentioning the people (by name when they have no Slack id). */
  async mentionOnCard(message: PostedMessage, people: Staff[], notice: Notice): Promise<void> {
    const who = people.map((p) => slackMention(p)).join(' ');
    // The notice names the people in `people`; here they become real mentions.
    const text = notice.vars && 'people' in notice.vars ? noticeText(this.opts.locale, notice, { people: who }) : `${who} ${noticeText(this.opts.locale, notice)}`;
    await this.opts.api.call(
      'chat.postMessage',
      { channel: message.channel, thread_ts: message.messageId, text: clip(text.trim(), SLACK_LIMITS.replyText) },
      { ...this.channelPolicy(message.channel), idempotent: true },
    );
  }

  /** Open a modal; one attempt only, since the trigger_id is single-use and lives 3 seconds. */
  async openView(triggerId: string, view: object): Promise<void> {
    await this.opts.api.call('views.open', { trigger_id: triggerId, view }, { idempotent: false, maxAttempts: 1 });
  }

  private render(card: Card) {
    return cardMessage(card, { locale: this.opts.locale, timezone: this.opts.timezone, now: this.opts.clock.now() });
  }
}
