import type { Card } from '../../domain/ports';
import type { ChatPlatform, Staff } from '../../domain/staff';
import type { PlatformFormat } from '../../present/cards/card-types';
import type { Locale } from '../../present/i18n';
import type { FrontDeps } from '../front';

/** Who asked, where, and when: the same for `/orderops …` in Slack, `@bot …` in Feishu and the local page. */
export interface CommandContext {
  /** The staff member behind the chat user (commands answer only staff; see dispatch.ts). */
  staff: Staff;
  platform: ChatPlatform;
  /** The chat (Slack channel, Feishu chat, local channel) the command was typed in, when known. */
  channel?: string;
  locale: Locale;
  timezone: string;
  now: Date;
}

/**
 * What a command answers. `text` is shown to the asker alone (Slack ephemeral, Feishu private
 * answer, the local side panel), escaped by `render` for the asking platform; `card` is posted to the
 * chat it was asked in (a report, the stage board), rendered by that platform's card renderer.
 */
export type CommandAnswer =
  | { kind: 'text'; render(fmt: Pick<PlatformFormat, 'escape'>): string }
  | { kind: 'card'; card: Card; render?(fmt: Pick<PlatformFormat, 'escape'>): string };

/**
 * One sub-command of `/orderops` (Slack), `@bot <word>` (Feishu) and the local page's command box.
 * Each lives in a file of its own in this folder and is listed once in `index.ts`.
 *
 * @example
 *   export const oncallCommand: OrderopsCommand = {
 *     name: 'oncall', aliases: ['值班'], usageKey: 'command.oncall.usage',
 *     async run(deps, ctx, args) { return textAnswer(...) },
 *   };
 */
export interface OrderopsCommand {
  /** The English word typed after `/orderops`, e.g. `pool`, `kb`, `report`, `oncall`. */
  name: string;
  /** Other words that call it, e.g. the Chinese `库存池`, `指引`, `健康度`, `值班`. */
  aliases: readonly string[];
  /** i18n key of its one-line usage, listed by `/orderops help`. */
  usageKey: string;
  run(deps: FrontDeps, ctx: CommandContext, args: string): Promise<CommandAnswer>;
}

/** A private text answer; `render` is given the asking platform's escape for untrusted values. */
export const textAnswer = (render: (escape: (s: string) => string) => string): CommandAnswer => ({
  kind: 'text',
  render: (fmt) => render((s) => fmt.escape(s)),
});
