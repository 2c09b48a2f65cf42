import { describe, expect, it } from 'vitest';
import { DeliveryError, emailProviderFromConfig, errorCodeOf, SmtpEmailProvider } from './channels.js';

describe('notification channels', () => {
  it('keeps a short code of a failed send, never its message (which may quote the address)', () => {
    const smtp = Object.assign(new Error('550 5.1.1 <ouyang.nana@example.com>: user unknown'), {
      responseCode: 550,
      code: 'EENVELOPE',
    });
    expect(errorCodeOf(smtp)).toEqual({ code: 'smtp-550', permanent: true });
    expect(errorCodeOf(Object.assign(new Error('421 try later'), { responseCode: 421 }))).toEqual({
      code: 'smtp-421',
      permanent: false,
    });
    expect(errorCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 'ECONNREFUSED',
      permanent: false,
    });
    expect(errorCodeOf(new DeliveryError('blocked-number', true))).toEqual({
      code: 'blocked-number',
      permanent: true,
    });
    // A code that is not a code (here: an address) is not stored either.
    expect(errorCodeOf(new DeliveryError('13912345678 <x@example.com>'))).toEqual({
      code: 'send-failed',
      permanent: false,
    });
    expect(errorCodeOf(new Error('13912345678 unreachable'))).toEqual({
      code: 'send-failed',
      permanent: false,
    });
    expect(errorCodeOf('plain string')).toEqual({ code: 'send-failed', permanent: false });
  });

  it('sends email only when both the SMTP URL and the sender are configured', () => {
    expect(emailProviderFromConfig({ smtpUrl: undefined, mailFrom: undefined })).toBeNull();
    expect(emailProviderFromConfig({ smtpUrl: 'smtp://127.0.0.1:2525', mailFrom: undefined })).toBeNull();
    expect(emailProviderFromConfig({ smtpUrl: undefined, mailFrom: 'noreply@example.com' })).toBeNull();
    const provider = emailProviderFromConfig({
      smtpUrl: 'smtp://127.0.0.1:2525',
      mailFrom: 'noreply@example.com',
    });
    expect(provider).toBeInstanceOf(SmtpEmailProvider);
    provider?.close();
  });
});
