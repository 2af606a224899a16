import type { ChatFront, FrontDeps } from '../front';

/** Placeholder until the Feishu front lands: disabled. */
export function createFeishuFront(_deps: FrontDeps): ChatFront | undefined {
  return undefined;
}
