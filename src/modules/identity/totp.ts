import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of clock drift either way. The caller keeps
 * the highest step accepted and refuses any code of that step or earlier, so a code works once.
 */
const PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: 'ClaimGuard',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export async function totpEnrolment(
  secretBase32: string,
  label: string,
): Promise<{ uri: string; qrDataUrl: string }> {
  const uri = totpFor(secretBase32, label).toString();
  return {
    uri,
    qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 220 }),
  };
}

/** The time step a valid code belongs to, or null when the code is wrong. */
export function matchTotp(secretBase32: string, code: string, now: number = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32, 'check').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

export function totpCodeAt(secretBase32: string, timestamp: number): string {
  return totpFor(secretBase32, 'code').generate({ timestamp });
}
