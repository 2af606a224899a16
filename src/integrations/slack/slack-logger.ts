import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * The app's pino logger in the shape Bolt and WebClient expect. Their chatter (request retries,
 * socket reconnects) goes to debug; warnings and errors keep their level.
 */
export function toSlackLogger(logger: Logger, name = 'slack'): SlackLogger {
  let child = logger.child({ component: name });
  let level = LogLevel.INFO;
  const line = (msg: unknown[]) => {
    const [first, ...rest] = msg;
    if (first instanceof Error) return { obj: { err: first.message }, text: rest.map(String).join(' ') || first.message };
    return { obj: {}, text: msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ') };
  };
  return {
    debug: (...msg) => { const l = line(msg); child.debug(l.obj, l.text); },
    info: (...msg) => { const l = line(msg); child.debug(l.obj, l.text); },
    warn: (...msg) => { const l = line(msg); child.warn(l.obj, l.text); },
    error: (...msg) => { const l = line(msg); child.error(l.obj, l.text); },
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: (n) => { child = logger.child({ component: n }); },
  };
}
