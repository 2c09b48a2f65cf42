import nodemailer, { type Transporter } from 'nodemailer';
import type { Language } from '../../config/config.js';

/**
 * Channel providers: how a rendered notice leaves ClaimGuard. The dispatcher hands a provider the address
 * (looked up the moment before, never stored) and the rendered text; the provider answers with its message
 * id or throws. SECURITY: a provider's error text can quote the address (`550 <a@b>: user unknown`), so the
 * dispatcher keeps only a short code from it (see {@link errorCodeOf}); providers must not log addresses.
 */

export type OutgoingMessage = {
  /** Email address or phone number. SECURITY: personal data; use for sending only. */
  to: string;
  subject: string;
  body: string;
  language: Language;
  /** The outbox row's id: lets a provider make the send idempotent. */
  notificationId: string;
};

export type SendResult = { providerMessageId: string | null };

export interface EmailProvider {
  send(message: OutgoingMessage): Promise<SendResult>;
}

/**
 * Sends SMS. ClaimGuard ships none: an installation plugs in its carrier's API by implementing this.
 * Throw a {@link DeliveryError} with `permanent: true` for a refusal that retrying cannot cure.
 */
export interface SmsProvider {
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** A failure a provider classifies itself: a short code (no personal data) and whether retrying can help. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    readonly code: string,
    readonly permanent = false,
  ) {
    super(code);
  }
}

const CODE = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * A short code for a failed send, safe to store: a {@link DeliveryError}'s code, an SMTP reply as
 * `smtp-<status>`, a Node/nodemailer error code (`ECONNECTION`, `ETIMEDOUT` …), otherwise `send-failed`.
 * Never the error's message, which may quote the address.
 */
export function errorCodeOf(error: unknown): { code: string; permanent: boolean } {
  if (error instanceof DeliveryError)
    return { code: CODE.test(error.code) ? error.code : 'send-failed', permanent: error.permanent };
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    responseCode?: unknown;
    code?: unknown;
  };
  if (typeof fields.responseCode === 'number' && fields.responseCode >= 400 && fields.responseCode < 600)
    return { code: `smtp-${fields.responseCode}`, permanent: fields.responseCode >= 500 };
  if (typeof fields.code === 'string' && CODE.test(fields.code))
    return { code: fields.code, permanent: false };
  return { code: 'send-failed', permanent: false };
}

/** Email over SMTP with nodemailer: plain text, one recipient, `Content-Language` set to the notice's. */
export class SmtpEmailProvider implements EmailProvider {
  private readonly transport: Transporter;

  constructor(options: { smtpUrl: string; from: string }) {
    this.transport = nodemailer.createTransport(options.smtpUrl, { from: options.from });
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const info = await this.transport.sendMail({
      to: message.to,
      subject: message.subject,
      text: message.body,
      headers: { 'Content-Language': message.language },
    });
    return { providerMessageId: typeof info.messageId === 'string' ? info.messageId.slice(0, 255) : null };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * The email provider a configuration asks for: SMTP when both CLAIMGUARD_SMTP_URL and CLAIMGUARD_MAIL_FROM
 * are set, otherwise none (email notices are then skipped with `email-not-configured`).
 */
export function emailProviderFromConfig(config: {
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
}): SmtpEmailProvider | null {
  if (!config.smtpUrl || !config.mailFrom) return null;
  return new SmtpEmailProvider({ smtpUrl: config.smtpUrl, from: config.mailFrom });
}
