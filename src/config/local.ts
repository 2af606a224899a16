import { ErrorCode, OrderopsError } from '../domain/errors';

export interface LocalChannelConfig {
  /** Serve the built-in local web channel: on when no Slack or Feishu credentials are set. */
  enabled: boolean;
  /** ORDEROPS_LOCAL_CHANNEL=1: on beside chat credentials, and even when HOST is not loopback. */
  forced: boolean;
}

/** ORDEROPS_LOCAL_CHANNEL: unset = automatic, 1/true = always on, 0/false = off. */
export function readLocalConfig(env: NodeJS.ProcessEnv): LocalChannelConfig {
  const flag = (env.ORDEROPS_LOCAL_CHANNEL ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false'].includes(flag)) {
    throw new OrderopsError(ErrorCode.ConfigInvalid, `ORDEROPS_LOCAL_CHANNEL must be 1 (always on), 0 (off) or unset (on when no Slack/Feishu credentials are set), got "${env.ORDEROPS_LOCAL_CHANNEL}"`);
  }
  const forced = flag === '1' || flag === 'true';
  const off = flag === '0' || flag === 'false';
  const chatCredentials = Boolean(env.SLACK_BOT_TOKEN || env.FEISHU_APP_ID);
  return { enabled: forced || (!off && !chatCredentials), forced };
}
