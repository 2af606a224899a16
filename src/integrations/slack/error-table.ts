import { webApi } from '@slack/bolt';
import { ChatDeliveryError } from '../../domain/errors';

// @slack/web-api comes with Bolt; use Bolt's re-export so there is one copy and one version.
const { ErrorCode, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } = webApi;
type WebAPIHTTPError = webApi.WebAPIHTTPError;
type WebAPIPlatformError = webApi.WebAPIPlatformError;
type WebAPIRateLimitedError = webApi.WebAPIRateLimitedError;
type WebAPIRequestError = webApi.WebAPIRequestError;

type Kind = ChatDeliveryError['kind'];

/**
 * Slack's `{ ok: false, error }` strings and what the card job should do about each (the idea of
 * grafana/oncall's slack/errors.py): `permanent` is recorded and not retried, `gone` means the
 * message no longer exists (post a fresh one), `rate_limited`/`transient` are retried.
 * Strings not listed are treated as transient: retried a bounded number of times, then logged.
 */
export const SLACK_ERROR_KINDS: Readonly<Record<string, Kind>> = {
  // The message to update or find no longer exists.
  message_not_found: 'gone',
  thread_not_found: 'gone',
  // Rate limits reported in the body rather than as HTTP 429.
  ratelimited: 'rate_limited',
  rate_limited: 'rate_limited',
  message_limit_exceeded: 'rate_limited',
  // Slack-side trouble: try again later.
  internal_error: 'transient',
  fatal_error: 'transient',
  service_unavailable: 'transient',
  request_timeout: 'transient',
  team_added_to_org: 'transient',
  // Channel and membership problems: an admin must act (invite the bot, fix the channel id).
  channel_not_found: 'permanent',
  not_in_channel: 'permanent',
  is_archived: 'permanent',
  user_not_in_channel: 'permanent',
  channel_type_not_supported: 'permanent',
  posting_to_general_channel_denied: 'permanent',
  restricted_action: 'permanent',
  restricted_action_read_only_channel: 'permanent',
  restricted_action_thread_only_channel: 'permanent',
  restricted_action_non_threadable_channel: 'permanent',
  team_access_not_granted: 'permanent',
  ekm_access_denied: 'permanent',
  // Token and scope problems: fix the app's installation.
  not_authed: 'permanent',
  invalid_auth: 'permanent',
  account_inactive: 'permanent',
  token_revoked: 'permanent',
  token_expired: 'permanent',
  no_permission: 'permanent',
  missing_scope: 'permanent',
  not_allowed_token_type: 'permanent',
  access_denied: 'permanent',
  // People: the recipient does not exist or cannot be messaged.
  user_not_found: 'permanent',
  users_not_found: 'permanent',
  user_disabled: 'permanent',
  cannot_dm_bot: 'permanent',
  // A payload Slack will never accept, however often it is sent.
  invalid_blocks: 'permanent',
  invalid_blocks_format: 'permanent',
  msg_too_long: 'permanent',
  msg_blocks_too_long: 'permanent',
  no_text: 'permanent',
  invalid_arguments: 'permanent',
  invalid_arg_name: 'permanent',
  invalid_array_arg: 'permanent',
  invalid_charset: 'permanent',
  invalid_form_data: 'permanent',
  invalid_post_type: 'permanent',
  invalid_metadata_format: 'permanent',
  invalid_metadata_schema: 'permanent',
  metadata_too_large: 'permanent',
  too_many_users: 'permanent',
  cant_update_message: 'permanent',
  // views.open: the trigger_id is single-use and lives 3 seconds.
  expired_trigger_id: 'permanent',
  invalid_trigger_id: 'permanent',
  exchanged_trigger_id: 'permanent',
  view_too_large: 'permanent',
  edit_window_closed: 'permanent',
  method_deprecated: 'permanent',
  deprecated_endpoint: 'permanent',
  unknown_method: 'permanent',
};

/** What an operator should do about a permanent error, appended to the recorded message. */
const ADVICE: Readonly<Record<string, string>> = {
  channel_not_found: 'check slack_channel / SLACK_CHANNEL is a channel id (C…) the app can see',
  not_in_channel: 'invite the app to the channel (/invite @orderops)',
  is_archived: 'the channel is archived: route the team to another channel',
  invalid_auth: 'SLACK_BOT_TOKEN is wrong or revoked: reinstall the app and copy the xoxb- token',
  not_authed: 'SLACK_BOT_TOKEN is missing',
  token_revoked: 'the bot token was revoked: reinstall the app',
  missing_scope: 'add the missing scope from slack-app-manifest.yml and reinstall the app',
};

/** Whether a failed call may have taken effect on Slack's side (so a blind retry could repeat it). */
export function isAmbiguous(err: unknown): boolean {
  if (err instanceof WebAPIRateLimitedError) return false;
  if (err instanceof WebAPIHTTPError) return err.statusCode >= 500;
  if (err instanceof WebAPIRequestError) return true;
  if (err instanceof WebAPIPlatformError) return SLACK_ERROR_KINDS[err.data.error] === 'transient' || !(err.data.error in SLACK_ERROR_KINDS);
  return true;
}

/** Any failure of a Web API call, as the typed error the card job understands. */
export function toChatDeliveryError(err: unknown, method = 'slack'): ChatDeliveryError {
  if (err instanceof ChatDeliveryError) return err;
  const code = (err as { code?: string } | undefined)?.code;
  if (err instanceof WebAPIRateLimitedError || code === ErrorCode.RateLimitedError) {
    const retryAfter = (err as WebAPIRateLimitedError).retryAfter;
    return new ChatDeliveryError('rate_limited', `${method}: rate limited, retry after ${retryAfter}s`, Math.max(0, retryAfter) * 1000);
  }
  if (err instanceof WebAPIPlatformError || code === ErrorCode.PlatformError) {
    const data = (err as WebAPIPlatformError).data;
    const error = data.error;
    const kind = SLACK_ERROR_KINDS[error] ?? 'transient';
    const retryAfter = (data.response_metadata as { retryAfter?: number } | undefined)?.retryAfter;
    const advice = ADVICE[error];
    return new ChatDeliveryError(kind, `${method}: ${error}${advice ? ` (${advice})` : ''}`, kind === 'rate_limited' ? (retryAfter ?? 1) * 1000 : undefined);
  }
  if (err instanceof WebAPIHTTPError || code === ErrorCode.HTTPError) {
    const status = (err as WebAPIHTTPError).statusCode;
    if (status === 429) return new ChatDeliveryError('rate_limited', `${method}: HTTP 429`, 1000);
    const kind: Kind = status >= 500 || status === 408 ? 'transient' : 'permanent';
    return new ChatDeliveryError(kind, `${method}: HTTP ${status}`);
  }
  if (err instanceof WebAPIRequestError || code === ErrorCode.RequestError) {
    return new ChatDeliveryError('transient', `${method}: request failed: ${(err as WebAPIRequestError).original?.message ?? (err as Error).message}`);
  }
  return new ChatDeliveryError('transient', `${method}: ${(err as Error | undefined)?.message ?? String(err)}`);
}
