import { deliveryId } from '../../src/bot/slack/dedupe-deliveries';
import { mentionQuery } from '../../src/bot/slack/listeners/app-mention';
import { parseSlackBody } from '../../src/bot/slack/parse-body';
import { appMentionEventCallback, blockActionsButtonOnMessage, slashCommandFormFields, urlVerification } from '../helpers/slack-fixtures';

const form = (o: Record<string, string>) => Buffer.from(new URLSearchParams(o).toString());
const FORM = 'application/x-www-form-urlencoded';

describe('parsing what Slack posts', () => {
  it('reads interactivity from the payload form field', () => {
    const r = parseSlackBody(form({ payload: JSON.stringify(blockActionsButtonOnMessage) }), FORM);
    expect(r).toEqual({ kind: 'body', body: blockActionsButtonOnMessage });
  });

  it('reads a slash command from its form fields', () => {
    const r = parseSlackBody(form(slashCommandFormFields), `${FORM}; charset=utf-8`);
    expect(r.kind === 'body' && r.body.command).toBe('/hello-world');
  });

  it('reads Events API JSON and answers url_verification', () => {
    expect(parseSlackBody(Buffer.from(JSON.stringify(appMentionEventCallback)), 'application/json')).toMatchObject({ kind: 'body' });
    expect(parseSlackBody(Buffer.from(JSON.stringify(urlVerification)), 'application/json')).toEqual({ kind: 'url_verification', challenge: urlVerification.challenge });
  });

  it('recognises ssl_check and refuses the malformed', () => {
    expect(parseSlackBody(form({ ssl_check: '1', token: 't' }), FORM)).toEqual({ kind: 'ssl_check' });
    for (const [raw, type] of [
      [form({ payload: '{' }), FORM],
      [form({ payload: '"a string"' }), FORM],
      [form({ hello: 'x' }), FORM],
      [Buffer.from('[]'), 'application/json'],
      [Buffer.from('{"type":"url_verification"}'), 'application/json'],
      [Buffer.from('x'), 'text/plain'],
      [Buffer.alloc(0), undefined],
    ] as const) {
      expect(parseSlackBody(raw, type).kind).toBe('invalid');
    }
  });
});

describe('delivery ids for dedupe', () => {
  it('uses event_id for events and user+message+action+time for clicks', () => {
    expect(deliveryId(appMentionEventCallback)).toBe('event:Ev111');
    expect(deliveryId(blockActionsButtonOnMessage)).toBe('action:U111:1678252213.679169:button:1678252216.469172');
    const fix = structuredClone(blockActionsButtonOnMessage);
    fix.actions[0]!.action_id = 'exception.fix_address';
    expect(deliveryId(fix)).toBeUndefined();
    expect(deliveryId(slashCommandFormFields)).toBeUndefined();
  });
});

describe('the query in an @mention', () => {
  it.each([
    ['<@U0BOT> order DY-1', 'DY-1'],
    ['<@U0BOT|orderops> 订单 DY-1', 'DY-1'],
    ['<@U0BOT>  5678 ', '5678'],
    ['<@U0BOT>', ''],
  ])('%s → %s', (text, q) => expect(mentionQuery(text)).toBe(q));
});
