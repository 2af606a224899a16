import pino from 'pino';
import { createSlackFront } from '../../src/bot/slack/slack-front';
import type { FrontDeps } from '../../src/bot/front';
import { readConfig } from '../../src/config';
import { systemClock } from '../../src/domain/ports';

function deps(env: NodeJS.ProcessEnv): FrontDeps {
  const config = readConfig({ PORT: '0', ...env });
  const pool = {} as FrontDeps['pool'];
  const actions = { pool, clock: systemClock, locale: 'en', cards: { changed: async () => undefined }, escalations: { escalated: async () => undefined } } as unknown as FrontDeps['actions'];
  const inventory = {} as FrontDeps['inventory'];
  return { config, pool, actions, inventory, rules: config.settings.rules, clock: systemClock, logger: pino({ level: 'silent' }) };
}

describe('the Slack front is configured from the environment', () => {
  it('is off without a bot token, and off (with a warning) with a token but no way to receive', () => {
    expect(createSlackFront(deps({}))).toBeUndefined();
    expect(createSlackFront(deps({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toBeUndefined();
  });

  it('serves POST /slack/events with a signing secret', () => {
    const front = createSlackFront(deps({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_CHANNEL: 'C0ALL' }))!;
    expect(front.port.platform).toBe('slack');
    expect(front.port.channelFor('anything')).toBe('C0ALL');
    expect(front.describe!('http://bot')).toBe('Slack: request URL http://bot/slack/events');
  });

  it('uses Socket Mode with an app token (connecting only at start), keeping the HTTP endpoint', () => {
    const front = createSlackFront(deps({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 's' }))!;
    expect(front.describe!('http://bot')).toContain('Socket Mode');
    expect((front.app as unknown as { receiver: { constructor: { name: string } } }).receiver.constructor.name).toBe('SocketModeReceiver');
  });
});
