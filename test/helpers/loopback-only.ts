import nock from 'nock';

/** Only loopback (the app, Postgres, Redis, local stand-ins) is reachable; every platform host must be nocked. */
export function onlyLoopback(): void {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
}

/** Forget the fakes and let the network back in, for the next test file. */
export function restoreNet(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}
