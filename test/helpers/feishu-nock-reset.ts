/**
 * Import this FIRST in a test file that uses nock (before nock itself).
 *
 * nock 14 intercepts through @mswjs/interceptors, which keeps ONE running interceptor per process
 * on `globalThis` (Symbol.for('client-request-interceptor'), …). Jest runs test files one after
 * another in the same worker process, so a later file's nock does not set up its own interceptor:
 * it adds its listeners to the earlier file's one, *after* the earlier file's nock listeners. If
 * the earlier file left `nock.disableNetConnect()` on (the Slack fake API's `done()` does), its
 * listener refuses every request this file wanted to fake ("Nock: Disallowed net connect") before
 * this file's nock sees it. That earlier file is finished: drop its listeners so ours decide.
 */
const STALE = ['client-request-interceptor', 'fetch-interceptor', 'xhr-interceptor', 'nock-interceptor'];

for (const name of STALE) {
  const instance = (globalThis as Record<symbol, unknown>)[Symbol.for(name)] as { emitter?: { removeAllListeners?: () => void } } | undefined;
  instance?.emitter?.removeAllListeners?.();
}

export {};
