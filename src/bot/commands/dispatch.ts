import { findStaffByChatUser } from '../../db/staff';
import type { ChatUser } from '../../domain/staff';
import { t } from '../../present/i18n';
import type { FrontDeps } from '../front';
import { textAnswer, type CommandAnswer, type CommandContext, type OrderopsCommand } from './command';
import { COMMANDS } from './index';

/** Split `report health 2026-01` into the command word and the rest. */
export function parseCommand(text: string): { word: string; args: string } {
  const clean = text.replace(/\s+/g, ' ').trim();
  const i = clean.indexOf(' ');
  return i < 0 ? { word: clean.toLowerCase(), args: '' } : { word: clean.slice(0, i).toLowerCase(), args: clean.slice(i + 1).trim() };
}

/** The command a word names (its name or an alias), if any. */
export function findCommand(word: string, commands: readonly OrderopsCommand[] = COMMANDS): OrderopsCommand | undefined {
  const w = word.toLowerCase();
  return commands.find((c) => c.name === w || c.aliases.includes(w));
}

/**
 * Run `text` as typed after `/orderops` (or after `@bot`) for a chat user. Only people listed in
 * `staff` get an answer beyond a short denial; an unknown word answers the list of commands.
 */
export async function dispatchCommand(
  deps: FrontDeps,
  user: ChatUser,
  text: string,
  where: { channel?: string } = {},
  commands: readonly OrderopsCommand[] = COMMANDS,
): Promise<CommandAnswer> {
  const { locale, timezone } = deps.config.settings;
  const staff = await findStaffByChatUser(deps.pool, user);
  if (!staff) return textAnswer(() => t(locale, 'command.not_staff'));
  const { word, args } = parseCommand(text);
  const cmd = word === '' || word === 'help' || word === '帮助' ? undefined : findCommand(word, commands);
  if (!cmd) return helpAnswer(locale, word, commands);
  const ctx: CommandContext = { staff, platform: user.platform, channel: where.channel, locale, timezone, now: deps.clock.now() };
  return cmd.run(deps, ctx, args);
}

function helpAnswer(locale: FrontDeps['config']['settings']['locale'], word: string, commands: readonly OrderopsCommand[]): CommandAnswer {
  return textAnswer((escape) => {
    const lines = [word && word !== 'help' && word !== '帮助' ? t(locale, 'command.unknown', { word: escape(word) }) : t(locale, 'command.help.title')];
    for (const c of commands) lines.push(t(locale, c.usageKey));
    if (commands.length === 0) lines.push(t(locale, 'command.help.none'));
    return lines.join('\n');
  });
}
