export type ParsedSlackBody =
  | { kind: 'ssl_check' }
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'body'; body: Record<string, unknown> }
  | { kind: 'invalid'; message: string };

/**
 * The three shapes Slack posts to one URL: Events API JSON; interactivity as a form with a
 * `payload` JSON field; slash commands as plain form fields.
 */
export function parseSlackBody(raw: Buffer, contentType: string | undefined): ParsedSlackBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    if (form.get('ssl_check') === '1') return { kind: 'ssl_check' };
    const payload = form.get('payload');
    if (payload !== null) {
      const body = parseJsonObject(payload);
      return body ? { kind: 'body', body } : { kind: 'invalid', message: 'the payload field is not a JSON object' };
    }
    if (!form.has('command')) return { kind: 'invalid', message: 'a form post needs a payload (interactivity) or a command (slash command)' };
    return { kind: 'body', body: Object.fromEntries(form) };
  }
  if (type === 'application/json') {
    const body = parseJsonObject(text);
    if (!body) return { kind: 'invalid', message: 'the body is not a JSON object' };
    if (body.type === 'url_verification') {
      return typeof body.challenge === 'string' ? { kind: 'url_verification', challenge: body.challenge } : { kind: 'invalid', message: 'url_verification without a challenge' };
    }
    return { kind: 'body', body };
  }
  return { kind: 'invalid', message: `unsupported content type "${type}": Slack posts JSON or application/x-www-form-urlencoded` };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
