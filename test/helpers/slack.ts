import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createHmac } from 'node:crypto';
import { appMentionEventCallback, blockActionsButtonOnMessage, slashCommandFormFields, viewSubmissionPlainTextInput } from './slack-fixtures';
import { eventually, startTestApp, type TestApp } from './test-app';
import { fakeSlackApi, onlyLocalNetwork, type FakeSlackApi } from './slack-fake-api';

export const SLACK_SECRET = 'test-slack-signing-secret';
/** The workspace and app of the fixtures (slack-fixtures.ts): what the fake auth.test answers. */
export const SLACK_TEAM_ID = 'T111';
export const SLACK_APP_ID = 'A111';

/** Sign as Slack does: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` (the bot verifies with Bolt). */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
export const SLACK_TOKEN = 'xoxb-test-token';
export const FALLBACK_CHANNEL = 'C0FALLBACK';
export const CHANNELS = { service: 'C0SERVICE', review: 'C0REVIEW' } as const;

/** Ten agents (for concurrent claims), supervisors of two teams, a manager, and people without Slack ids. */
export const STAFF = {
  agents: Array.from({ length: 10 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return { id: `agent${n}`, name: `Agent ${n}`, role: 'agent', team: 'service', slack: `U0AGENT${n}` };
  }),
  supervisor: { id: 'sup', name: 'Sam Super', role: 'supervisor', team: 'service', slack: 'U0SUPER' },
  reviewSupervisor: { id: 'suprev', name: 'Rita Review', role: 'supervisor', team: 'review', slack: 'U0SUPREV' },
  offline: { id: 'supoff', name: 'Otto Offline', role: 'supervisor', team: 'service' },
  manager: { id: 'mgr', name: 'Mia Manager', role: 'manager', slack: 'U0MANAGER' },
} as const;

/** A temporary orderops.yml with the staff above and two teams routed to Slack channels. */
export function writeSlackConfig(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-slack-'));
  const file = path.join(dir, 'orderops.yml');
  const staff = [...STAFF.agents, STAFF.supervisor, STAFF.reviewSupervisor, STAFF.offline, STAFF.manager];
  const yaml = [
    'timezone: Asia/Shanghai',
    'locale: en',
    'teams:',
    `  service: { name: Service, slack_channel: ${CHANNELS.service} }`,
    `  review: { name: Review, slack_channel: ${CHANNELS.review} }`,
    '  finance: { name: Finance }',
    '  warehouse: { name: Warehouse }',
    'staff:',
    ...staff.map((s) => `  - ${JSON.stringify(s)}`),
    '',
  ].join('\n');
  writeFileSync(file, yaml);
  return file;
}

export function slackEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_CHANNEL: FALLBACK_CHANNEL,
    ORDEROPS_CONFIG: writeSlackConfig(),
    ...extra,
  };
}

export interface SlackRequestOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  signature?: string | null;
  headers?: Record<string, string>;
}

export interface SlackResponse {
  status: number;
  text: string;
  json: any;
}

/** POST to /slack/events exactly as Slack does: the raw body signed with the signing secret. */
export async function postSlack(baseUrl: string, raw: string, contentType: string, opts: SlackRequestOptions = {}): Promise<SlackResponse> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), ...opts.headers };
  if (opts.signature !== null) headers['x-slack-signature'] = opts.signature ?? signSlackRequest(opts.secret ?? SLACK_SECRET, ts, raw);
  const res = await fetch(`${baseUrl}/slack/events`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export const FORM = 'application/x-www-form-urlencoded';
export const formBody = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
/** Interactivity: the JSON payload in a `payload` form field. */
export const interaction = (baseUrl: string, payload: object, opts?: SlackRequestOptions) => postSlack(baseUrl, formBody({ payload: JSON.stringify(payload) }), FORM, opts);

let seq = 0;
const actionTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

/** A button click on a posted card (fixture block_actions-button-on-message with our ids). */
export function blockAction(p: { userId: string; channel: string; messageTs: string; actionId: string; value: string; blocks?: unknown[] }) {
  const body = structuredClone(blockActionsButtonOnMessage) as any;
  body.team = { id: SLACK_TEAM_ID, domain: 'orderops-test' }; // the workspace of the other fixtures
  body.user = { id: p.userId, username: p.userId.toLowerCase(), team_id: body.team.id };
  body.container = { ...body.container, message_ts: p.messageTs, channel_id: p.channel };
  body.channel = { id: p.channel, name: 'orders' };
  body.message = { ...body.message, ts: p.messageTs, blocks: p.blocks ?? [] };
  body.trigger_id = `${Date.now()}.${++seq}.${randomUUID().replace(/-/g, '')}`;
  body.actions = [{ action_id: p.actionId, block_id: 'actions', text: { type: 'plain_text', text: p.actionId }, value: p.value, type: 'button', action_ts: actionTs() }];
  return body;
}

/** The Fix address form submitted (fixture view_submission-plain_text_input with our form). */
export function viewSubmission(p: { userId: string; privateMetadata: string; values: Record<string, string>; callbackId?: string }) {
  const body = structuredClone(viewSubmissionPlainTextInput) as any;
  body.user = { ...body.user, id: p.userId, username: p.userId.toLowerCase(), name: p.userId.toLowerCase() };
  body.view.callback_id = p.callbackId ?? 'exception.fix_address';
  body.view.private_metadata = p.privateMetadata;
  body.view.state.values = Object.fromEntries(Object.entries(p.values).map(([k, v]) => [k, { value: { type: 'plain_text_input', value: v } }]));
  return body;
}

/** `/order <text>` (fixture slash_command-form-fields). */
export function slashCommand(p: { userId: string; text: string; channel?: string; command?: string }): string {
  // Slack sends api_app_id with every command (the captured fixture predates it).
  const f = { ...slashCommandFormFields, api_app_id: SLACK_APP_ID, command: p.command ?? '/order', text: p.text, user_id: p.userId, channel_id: p.channel ?? CHANNELS.service };
  return formBody(f as Record<string, string>);
}

/** An app_mention event (fixture app_mention-event_callback). */
export function appMention(p: { eventId: string; userId: string; text: string; channel?: string }): string {
  const body = structuredClone(appMentionEventCallback) as any;
  body.event_id = p.eventId;
  body.event = { ...body.event, user: p.userId, text: p.text, channel: p.channel ?? CHANNELS.service, ts: actionTs() };
  return JSON.stringify(body);
}

/** The exception row of an order, once processing created it. */
export async function exceptionOf(db: pg.Pool, externalId: string, what = 'the exception'): Promise<{ id: number; type: string; status: string; version: number; assignee: string | null; team: string }> {
  return eventually(async () => {
    const { rows } = await db.query(
      `SELECT e.id::int AS id, e.type, e.status, e.version, e.assignee, e.team FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 ORDER BY e.id`,
      [externalId],
    );
    return rows[0];
  }, 15_000, what);
}

/**
 * A database of this test file's own, migrated from scratch. Every app start syncs the staff
 * table to its own config (deactivating everyone else) and sweeps unprocessed orders of the
 * whole database, so Slack tests (with their own staff and their own fake Slack) keep to
 * themselves. Returns its URL and a function that drops it.
 */
/**
 * The database this test file works in. Every file already gets its own copy of the migrated
 * template (test/helpers/per-file-db.ts), so there is nothing to create or drop here.
 */
export async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return { url: process.env.TEST_DATABASE_URL!, drop: async () => undefined };
}

/** What a Slack integration test file works with: the bot, its database and the faked Web API. */
export interface SlackTestBed {
  app: TestApp;
  db: pg.Pool;
  slack: FakeSlackApi;
}

/**
 * Register the file's set-up and tear-down: only local network, a faked Slack Web API, a database
 * of the file's own and the bot on it with the Slack config above. The bed is filled in beforeAll.
 *
 * @example
 *   const bed = useSlackTestBed();
 *   it('…', async () => { await postOrders(bed.app.url, order); expect(bed.slack.of('chat.postMessage')).toHaveLength(1); });
 */
export function useSlackTestBed(): SlackTestBed {
  const bed = {} as SlackTestBed;
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  beforeAll(async () => {
    onlyLocalNetwork();
    bed.slack = fakeSlackApi();
    database = await ownDatabase();
    bed.app = await startTestApp(slackEnv({ DATABASE_URL: database.url }));
    bed.db = new pg.Pool({ connectionString: database.url, max: 4 });
  });
  afterAll(async () => {
    await bed.app.close();
    await bed.db.end();
    await database.drop();
    bed.slack.done();
  });
  return bed;
}
