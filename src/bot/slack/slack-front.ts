import type { ChatFront, FrontDeps } from '../front';

/** Placeholder until the Slack front lands: disabled. */
export function createSlackFront(_deps: FrontDeps): ChatFront | undefined {
  return undefined;
}
