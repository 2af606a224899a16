/**
 * How escalations reach people outside chat, declared here and implemented in src/integrations/email
 * (SMTP) and src/integrations/sms (Aliyun, Twilio, a webhook); wired in src/app.ts. Providers' errors
 * arrive as ChatDeliveryError (transient: the job retries; permanent: recorded as failed).
 */

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. X-Orderops-Order so mail rules can file it. */
  headers?: Record<string, string>;
}

/** @example await mailer.send({ to: 'boss@shop.example', subject, text, html }) */
export interface Mailer {
  send(email: Email): Promise<{ messageId: string }>;
  close(): void;
}

export interface SmsMessage {
  to: string;
  /** The full text (Twilio, webhook). */
  text: string;
  /** Template variables (Aliyun sends a pre-approved template with these). */
  params: Record<string, string>;
}

/** @example await sms.send({ to: '+8613800000000', text, params: { order: 'DY-1' } }) */
export interface SmsSender {
  readonly provider: string;
  send(m: SmsMessage): Promise<{ id: string }>;
}
