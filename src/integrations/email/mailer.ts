import nodemailer, { type Transporter } from 'nodemailer';
import { ChatDeliveryError } from '../../domain/errors';
import type { Mailer } from '../../domain/notify/ports';

export type { Email, Mailer } from '../../domain/notify/ports';

/** SMTP through nodemailer (SMTP_URL). Transient SMTP failures (4xx, connection) are retried by the job. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(url);
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({ from, ...email });
        return { messageId: String(info.messageId) };
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        const permanent = code !== undefined && code >= 500;
        throw new ChatDeliveryError(permanent ? 'permanent' : 'transient', `smtp: ${(e as Error).message}`);
      }
    },
    close: () => transport.close(),
  };
}
