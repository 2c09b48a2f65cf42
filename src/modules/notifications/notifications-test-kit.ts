import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../../db/database-schema.js';
import { DeliveryError, type OutgoingMessage, type SendResult, type SmsProvider } from './channels.js';
import type { Recipient, RecipientDirectory } from './notifications.service.js';

/** Test doubles and an in-process SMTP server for the notification tests. */

export type ReceivedMail = { envelopeTo: string[]; mail: ParsedMail };

/**
 * A real SMTP server on a free port of 127.0.0.1 (no TLS, no auth) that parses every message it accepts.
 * Recipients in `reject` are refused with `550 5.1.1 <address>: user unknown`, quoting the address the way
 * real servers do.
 */
export async function startSmtpTestServer(options: { reject?: readonly string[] } = {}): Promise<{
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.reject?.includes(address.address)) {
        const error = new Error(`5.1.1 <${address.address}>: user unknown`) as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A directory over a map `kind:id:channel → address`, counting look-ups. */
export class TestDirectory implements RecipientDirectory {
  readonly addresses = new Map<string, string>();
  lookups = 0;
  failing = false;

  set(recipient: Recipient, channel: 'email' | 'sms', address: string): void {
    this.addresses.set(`${recipient.kind}:${recipient.id}:${channel}`, address);
  }

  async addressOf(_db: Kysely<Database>, recipient: Recipient, channel: 'email' | 'sms') {
    this.lookups++;
    if (this.failing) throw new Error('directory down');
    return this.addresses.get(`${recipient.kind}:${recipient.id}:${channel}`) ?? null;
  }
}

/** An SMS provider that records what it sends, and can be told to fail or to take its time. */
export class RecordingSms implements SmsProvider {
  readonly sent: OutgoingMessage[] = [];
  /** Failures still to come: each send throws the next one instead of sending. */
  failures: Error[] = [];
  delayMs = 0;

  async send(message: OutgoingMessage): Promise<SendResult> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(message);
    return { providerMessageId: `sms-${randomUUID()}` };
  }

  failTimes(count: number, error: () => Error = () => new DeliveryError('carrier-busy')): void {
    this.failures = Array.from({ length: count }, error);
  }
}

/** A clock tests move by hand. */
export class TestClock {
  constructor(private current = new Date('2026-11-24T16:00:00.000Z')) {}
  readonly now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
