import type { ChatFront, FrontDeps } from '../front';

/** Placeholder until the local channel lands: disabled. */
export function createLocalFront(_deps: FrontDeps): ChatFront | undefined {
  return undefined;
}
