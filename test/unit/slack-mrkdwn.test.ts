import { clip, escapeMrkdwn, noticeText, slackFormat, slackMention } from '../../src/integrations/slack/mrkdwn';

describe('Slack mrkdwn escaping', () => {
  it.each([
    ['<!channel> refund now', '&lt;!channel&gt; refund now'],
    ['<!here>', '&lt;!here&gt;'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<!subteam^S123>', '&lt;!subteam^S123&gt;'],
    ['<#C123>', '&lt;#C123&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['<!date^1392734382^{date}|x>', '&lt;!date^1392734382^{date}|x&gt;'],
    ['Tom & Jerry', 'Tom &amp; Jerry'],
    ['&lt; already', '&amp;lt; already'],
    ['*bold* _it_ ~s~ `c` "q" \'a\'', '*bold* _it_ ~s~ `c` "q" \'a\''],
    ['急！10号前送达', '急！10号前送达'],
  ])('%s → %s', (input, out) => {
    expect(escapeMrkdwn(input)).toBe(out);
    expect(escapeMrkdwn(input)).not.toMatch(/[<>]/);
  });

  it('mentions staff by Slack id, else by their escaped name', () => {
    expect(slackMention({ name: '李四', slackUserId: 'U01LISI' })).toBe('<@U01LISI>');
    expect(slackMention({ name: 'Wei', slackUserId: 'W0123ABC' })).toBe('<@W0123ABC>');
    expect(slackMention({ name: '<!channel> Bob', slackUserId: null })).toBe('&lt;!channel&gt; Bob');
    // A malformed id from the config is not trusted as markup either.
    expect(slackMention({ name: 'Eve', slackUserId: 'U1> <!channel' })).toBe('Eve');
    expect(slackFormat.mention({ id: 'x', name: 'X', slackUserId: 'U0X1', feishuOpenId: null })).toBe('<@U0X1>');
  });

  it('clips with a marker and never leaves half an entity, mention or surrogate pair', () => {
    expect(clip('abcdef', 10)).toBe('abcdef');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab&amp;cd', 5)).toBe('ab…');
    expect(clip('hi <@U12345> there', 8)).toBe('hi …');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('x'.repeat(10_000), 3000)).toHaveLength(3000);
  });

  it('fills a notice with escaped variables', () => {
    const text = noticeText('en', { key: 'notice.already_claimed', vars: { orderId: '<!here>', by: '<@U1>' } });
    expect(text).toBe('This exception of order &lt;!here&gt; is already claimed by &lt;@U1&gt;.');
  });
});
