import nodemailer, { type Transporter } from 'nodemailer';
import { ChatDeliveryError } from '../../domain/errors';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. X-Orderops-Order so mail rules can file it. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(email: Email): Promise<{ messageId: string }>;
  close(): void;
}

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
