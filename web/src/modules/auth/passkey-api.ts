import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import { queryOptions } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { ApiProblem, apiDelete, apiGet, apiPost } from '../../api/api-client';
import { problemMessage } from './problem-messages';

/** A passkey as `GET /auth/passkeys` sends it. */
export type Passkey = {
  id: string;
  deviceName: string;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
};

const BASE = '/api/v1/auth/passkeys';

export const myPasskeysQueryOptions = queryOptions({
  queryKey: ['auth', 'passkeys'] as const,
  queryFn: ({ signal }) => apiGet<Passkey[]>(BASE, { signal }),
});

export const deletePasskey = (id: string) => apiDelete<{ ok: true }>(`${BASE}/${id}`);

/**
 * Creates a passkey on this device and registers it: the first factor at set-up (then the server returns
 * ten recovery codes), or one more on My security (the server may ask for a step-up first, which the API
 * client answers with the step-up modal before the browser prompt opens).
 */
export async function addPasskey(
  deviceName: string,
): Promise<{ passkey: Passkey; recoveryCodes: string[] | null }> {
  const optionsJSON = await apiPost<PublicKeyCredentialCreationOptionsJSON>(`${BASE}/registration/options`);
  const response = await startRegistration({ optionsJSON });
  const name = deviceName.trim();
  return apiPost(`${BASE}/registration`, { ...response, ...(name ? { deviceName: name } : {}) });
}

/**
 * Confirms the sign-in, or steps up, with a passkey. It performs the second factor itself, so a refusal
 * is never answered by another step-up prompt.
 */
export async function confirmWithPasskey(): Promise<{ secondFactorAt: string }> {
  const optionsJSON = await apiPost<PublicKeyCredentialRequestOptionsJSON>(
    `${BASE}/authentication/options`,
    undefined,
    { stepUp: false },
  );
  const response = await startAuthentication({ optionsJSON });
  return apiPost(`${BASE}/authentication`, response, { stepUp: false });
}

/** The message for a failed passkey ceremony: the server's problem, or the browser's refusal. */
export function passkeyErrorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiProblem) return problemMessage(t, error);
  if (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED')
    return t('passkeys.cancelled');
  if (error instanceof Error && error.name === 'NotAllowedError') return t('passkeys.cancelled');
  if (error instanceof Error && error.name === 'InvalidStateError') return t('passkeys.alreadyRegistered');
  return t('passkeys.failed');
}
