import type pg from 'pg';
import { ChatDeliveryError } from '../../domain/errors';
import type { Card, ChatPort, Clock, Notice, PostedMessage } from '../../domain/ports';
import type { Staff } from '../../domain/staff';
import { addCardNote, findCardByKey, insertMessage, replaceCard, upsertCard } from './local-store';

/**
 * The local web channel as a chat platform: cards and messages live in Postgres (so every copy of
 * the bot serves the same page) and each write NOTIFYs the copies, which push it to open pages.
 * Every team has a channel here, named after the team; every staff member can be messaged (the
 * local identity is the staff id).
 *
 * @example
 *   const port = localChatPort(pool, systemClock);
 *   const msg = await port.postCard(port.channelFor('service')!, card);
 */
export function localChatPort(pool: pg.Pool, clock: Clock): ChatPort {
  return {
    platform: 'local',
    channelFor: (team) => team,

    async postCard(channel: string, card: Card): Promise<PostedMessage> {
      const id = await upsertCard(pool, channel, card);
      return { channel, messageId: String(id) };
    },

    async findCard(channel: string, card: Card): Promise<PostedMessage | undefined> {
      const row = await findCardByKey(pool, channel, card.key);
      return row ? { channel: row.channel, messageId: String(row.id) } : undefined;
    },

    async updateCard(message: PostedMessage, card: Card): Promise<void> {
      const id = Number(message.messageId);
      if (!Number.isSafeInteger(id) || id < 1) throw new ChatDeliveryError('gone', `not a local message id: ${message.messageId}`);
      if ((await replaceCard(pool, id, card)) === 'gone') throw new ChatDeliveryError('gone', `local message ${id} no longer exists`);
    },

    async replyPrivately(to: { channel: string; userId: string }, notice: Notice): Promise<void> {
      await insertMessage(pool, { staffId: to.userId, kind: 'private', channel: to.channel, notice });
    },

    async sendDirect(to: Staff, notice: Notice): Promise<boolean> {
      await insertMessage(pool, { staffId: to.id, kind: 'direct', channel: null, notice });
      return true;
    },

    /** A note under the card that names the people, and the same notice in each one's panel. */
    async mentionOnCard(message: PostedMessage, people: Staff[], notice: Notice): Promise<void> {
      const id = Number(message.messageId);
      const note = { at: clock.now().toISOString(), people: people.map((p) => ({ id: p.id, name: p.name })), notice };
      if (!Number.isSafeInteger(id) || !(await addCardNote(pool, id, note))) {
        throw new ChatDeliveryError('gone', `local message ${message.messageId} no longer exists`);
      }
      for (const p of people) await insertMessage(pool, { staffId: p.id, kind: 'mention', channel: message.channel, notice });
    },
  };
}
