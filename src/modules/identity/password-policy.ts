import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';

/**
 * Staff passwords: at least 12 characters, not on the bundled list of common and breached passwords
 * (zxcvbn-ts's list of about 49,000), not guessable by zxcvbn's estimate, hashed with argon2id at the
 * OWASP-recommended cost (19 MiB memory, 2 iterations, 1 lane).
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

const COMMON_PASSWORDS = new Set<string>(
  (dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase()),
);

const strength = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export type PasswordVerdict =
  | { ok: true }
  | { ok: false; reason: 'too-short' | 'too-long' | 'common' | 'guessable' | 'contains-login' };

export function judgePassword(password: string, loginName?: string): PasswordVerdict {
  if ([...password].length < MIN_PASSWORD_LENGTH) return { ok: false, reason: 'too-short' };
  if (password.length > MAX_PASSWORD_LENGTH) return { ok: false, reason: 'too-long' };
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return { ok: false, reason: 'common' };
  if (loginName && loginName.length >= 3 && lowered.includes(loginName.toLowerCase())) {
    return { ok: false, reason: 'contains-login' };
  }
  if (strength.check(password, loginName ? [loginName] : []).score < 3)
    return { ok: false, reason: 'guessable' };
  return { ok: true };
}

export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Verified against when the login name is unknown, so the answer takes as long as for a real account. */
let dummyHash: Promise<string> | null = null;
export function timingDummyHash(): Promise<string> {
  dummyHash ??= argon2.hash('claimguard-timing-equaliser', ARGON2_OPTIONS);
  return dummyHash;
}
