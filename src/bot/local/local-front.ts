import { LocalFeed, type FeedEvent } from '../../integrations/local/local-feed';
import { localChatPort } from '../../integrations/local/local-port';
import { cardById, messageById } from '../../integrations/local/local-store';
import type { ChatFront, FrontDeps } from '../front';
import { localChannelMode, isLoopbackHost } from './local-mode';
import { registerLocalRoutes } from './local-routes';
import { cardView, messageView } from './local-view';
import { SseHub } from './sse-hub';

/**
 * The built-in local chat channel: a web page served by the bot that shows every team's cards
 * with working buttons, each person's private replies and DMs, and live updates. On by default
 * when no Slack or Feishu credentials are set; loopback only unless forced.
 */
export function createLocalFront(deps: FrontDeps): ChatFront | undefined {
  const mode = localChannelMode(deps.config);
  if (!mode.serve) {
    if (mode.why) deps.logger.warn(mode.why);
    return undefined;
  }
  const { pool, config, logger } = deps;
  const port = localChatPort(pool, deps.clock);
  const hub = new SseHub();
  const feed = new LocalFeed(config.databaseUrl, logger);
  const { locale, timezone } = config.settings;

  // One read per change per process, and only while someone has the page open.
  const relay = async (e: FeedEvent): Promise<void> => {
    if (hub.size === 0) return;
    if (e.t === 'resync') return hub.broadcast('resync', {});
    if (e.t === 'card') {
      const row = await cardById(pool, e.id);
      if (row) hub.broadcast('card', cardView(row, { locale, timezone, now: deps.clock.now() }));
      return;
    }
    if (!hub.hasStaff(e.staff)) return;
    const row = await messageById(pool, e.id);
    if (row) hub.sendTo(row.staffId, 'message', messageView(row, { locale, timezone, now: deps.clock.now() }));
  };
  feed.subscribe((e) => {
    relay(e).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'local channel: could not relay a live update'));
  });

  return {
    port,
    register(http) {
      registerLocalRoutes(http, { ...deps, port, hub, demoStaff: mode.demoStaff, loopbackOnly: isLoopbackHost(config.host) });
    },
    start: () => feed.start(),
    async stop() {
      hub.close();
      await feed.stop();
    },
    describe(baseUrl) {
      const who = mode.demoStaff ? ' with demo staff (no staff: in orderops.yml)' : '';
      return `local chat channel: open ${baseUrl.replace(/\/$/, '')}/ in a browser${who}`;
    },
  };
}
