import type { OrderopsCommand } from './command';
import { poolCommand } from './pool';
import { oncallCommand } from './oncall';

/**
 * Every `/orderops` sub-command, in the order `/orderops help` lists them. A feature adds its
 * command in a file of its own beside this one and one line here.
 */
export const COMMANDS: readonly OrderopsCommand[] = [
  poolCommand,
  oncallCommand,
];
