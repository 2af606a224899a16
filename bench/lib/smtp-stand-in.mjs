// A real SMTP server on a free loopback port that keeps what it receives (escalation emails), with
// the orderops headers that name the order and the exception.
import { SMTPServer } from 'smtp-server';
import { nowMs } from './chat-stand-in.mjs';

export async function startSmtpStandIn() {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
        const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(head)?.[1]?.trim();
        mails.push({
          at: nowMs(),
          to: session.envelope.rcptTo.map((r) => r.address),
          order: header('X-Orderops-Order'),
          exception: header('X-Orderops-Exception'),
        });
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.server.address().port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
