import { ApiProblem, fileNameOf, isProblemDetails } from '../../api/api-client';

/** Where the outside party opens a share: the token follows in the fragment, which no request carries. */
export const SHARE_PATH = '/share';

export const SHARED_FIELDS = [
  'number',
  'state',
  'productLine',
  'incidentDate',
  'amountClaimed',
  'description',
  'incidentLocation',
  'claimantName',
  'claimantPhone',
] as const;
export type SharedField = (typeof SHARED_FIELDS)[number];

export type SharedClaim = {
  party: { name: string; kind: 'garage' | 'hospital' | 'loss-adjuster' | 'other' };
  expiresAt: string;
  claim: Partial<Record<SharedField, string | null>>;
  documents: {
    id: string;
    category: 'photo' | 'medical';
    contentType: string;
    size: number;
    createdAt: string;
  }[];
};

/** The token in `#<token>`, or null when the fragment holds nothing that could be one. */
export function tokenFromHash(hash: string): string | null {
  const token = hash.startsWith('#') ? hash.slice(1) : hash;
  return /^[\w-]{20,200}$/.test(token) ? token : null;
}

/**
 * Posts the token (in the body, never in a URL) without cookies: the party is not a console user, and a
 * console session in the same browser must not ride along.
 */
async function post(path: string, token: string): Promise<Response> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
    body: JSON.stringify({ token }),
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (response.ok) return response;
  const body: unknown = await response.json().catch(() => undefined);
  throw new ApiProblem(
    isProblemDetails(body)
      ? body
      : { type: 'about:blank', title: `HTTP ${response.status}`, status: response.status },
  );
}

export async function openShare(token: string): Promise<SharedClaim> {
  return (await (await post('/api/v1/shares/open', token)).json()) as SharedClaim;
}

export async function downloadSharedDocument(
  token: string,
  documentId: string,
): Promise<{ blob: Blob; fileName: string }> {
  const response = await post(`/api/v1/shares/documents/${encodeURIComponent(documentId)}`, token);
  return {
    blob: await response.blob(),
    fileName: fileNameOf(response.headers.get('content-disposition')) ?? documentId,
  };
}
