import type { App } from '@slack/bolt';
import type { SlackDeps } from '../slack-deps';
import { registerAppMention } from './app-mention';
import { registerExceptionActions } from './exception-actions';
import { registerFixAddressAction } from './fix-address-action';
import { registerFixAddressView } from './fix-address-view';
import { registerOrderCommand } from './order-command';
import { registerOrderopsCommand } from './orderops-command';
import { registerPriceActions } from './price-actions';
import { registerPriceCommand } from './price-command';
import { registerHandoffActions } from './handoff-actions';

/** Every listener, the same for the HTTP receiver and Socket Mode. */
export function registerListeners(app: App, deps: SlackDeps): void {
  registerExceptionActions(app, deps);
  registerFixAddressAction(app, deps);
  registerFixAddressView(app, deps);
  registerOrderCommand(app, deps);
  registerOrderopsCommand(app, deps);
  registerPriceActions(app, deps);
  registerPriceCommand(app, deps);
  registerHandoffActions(app, deps);
  registerAppMention(app, deps);
}
