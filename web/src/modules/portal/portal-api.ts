import { ApiProblem, CSRF_HEADER, isProblemDetails } from '../../api/api-client';

/**
 * The customer portal's API client. The portal has its own session cookie and so its own CSRF token,
 * kept here in memory only (the staff console's token, in api-client.ts, is never sent to portal routes).
 */
const BASE = '/api/v1/portal';
const SAFE_METHODS = new Set(['GET', 'HEAD']);
let portalCsrf: string | undefined;

export function setPortalCsrfToken(token: string | undefined): void {
  portalCsrf = token || undefined;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const body: unknown = await response.json().catch(() => undefined);
  if (isProblemDetails(body)) return new ApiProblem(body);
  return new ApiProblem({ type: 'about:blank', title: `HTTP ${response.status}`, status: response.status });
}

async function send(method: 'GET' | 'POST', path: string, body?: unknown, raw?: RawBody): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (!SAFE_METHODS.has(method) && portalCsrf) headers[CSRF_HEADER] = portalCsrf;
  if (raw) {
    headers['content-type'] = 'application/octet-stream';
    headers['x-document-name'] = encodeURIComponent(raw.name);
    if (raw.type) headers['x-document-type'] = raw.type;
  } else if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${BASE}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(raw ? { body: raw.file } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

type RawBody = { file: Blob; name: string; type: string };

/** Sends a portal request; a `csrf-failed` refusal (e.g. after a reload) refetches the token once. */
export async function portalRequest<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  raw?: RawBody,
): Promise<T> {
  let response = await send(method, path, body, raw);
  if (!response.ok) {
    const problem = await problemOf(response);
    if (problem.code !== 'csrf-failed') throw problem;
    const me = await send('GET', '/me');
    if (!me.ok) throw problem;
    setPortalCsrfToken(((await me.json()) as { csrfToken?: string }).csrfToken);
    response = await send(method, path, body, raw);
    if (!response.ok) throw await problemOf(response);
  }
  return (await response.json()) as T;
}

// ---- types ---------------------------------------------------------------------------------------

export type ClaimState =
  | 'reported'
  | 'registered'
  | 'surveying'
  | 'assessing'
  | 'adjusting'
  | 'approving'
  | 'paying'
  | 'closed'
  | 'rejected'
  | 'withdrawn'
  | 'reopened';

export type PortalMe = {
  customerId: string;
  language: 'zh-CN' | 'en-US';
  name: string;
  phone: string | null;
  email: string | null;
  csrfToken: string;
};

export type PortalPolicy = { number: string; productLine: string; startsOn: string; endsOn: string };

export type PortalClaimSummary = {
  id: string;
  number: string;
  state: ClaimState;
  version: number;
  productLine: string;
  incidentDate: string;
  amountClaimed: string | null;
  reportedAt: string;
  updatedAt: string;
};

export type Maskable = { value: string; masked: boolean } | null;

export type PortalDocument = {
  id: string;
  category: 'photo' | 'medical';
  contentType: string;
  size: number;
  createdAt: string;
  uploader: { type: string; role: string | null };
};

export type TimelineStep = {
  from: string | null;
  to: ClaimState;
  at: string;
  actorType: string;
  actorRole: string | null;
  reason: string | null;
};

export type PortalClaimDetail = PortalClaimSummary & {
  channel: string;
  policy: PortalPolicy;
  description: Maskable;
  incidentLocation: Maskable;
  resolutionReason: string | null;
  closedAt: string | null;
  timeline: TimelineStep[];
  allowedTransitions: { to: ClaimState; reasonRequired: boolean }[];
  documents: PortalDocument[];
  payouts: PortalPayout[];
};

/** A payout as the claimant sees it: amount, state, bank and masked card number. */
export type PortalPayout = {
  amount: string;
  currency: string;
  state: 'proposed' | 'approved' | 'paid';
  payee: { bankName: string; number: { value: string; masked: true } } | null;
  proposedAt: string;
  paidAt: string | null;
};

export type InAppMessage = {
  id: string;
  template: string;
  subject: string;
  body: string;
  createdAt: string;
  readAt: string | null;
};

export type AccessEntry = {
  seq: number;
  at: string;
  actor: { type: string; id: string | null; role: string | null };
  self: boolean;
  action: string;
  fields: string[];
  purpose: string | null;
  outcome: 'success' | 'denied' | 'failure';
};

/** One party who touched my data, summed up (staff by role and internal number, never by name). */
export type AccessParty = {
  actor: AccessEntry['actor'];
  self: boolean;
  count: number;
  denied: number;
  firstAt: string;
  lastAt: string;
  purposes: string[];
  fields: string[];
};

export type AccessSummary = { parties: AccessParty[]; counted: number; complete: boolean };

/** Entries of the access history fetched at a time (newest first). */
export const HISTORY_PAGE = 50;

// ---- calls ---------------------------------------------------------------------------------------

export const portalKeys = {
  me: ['portal', 'me'] as const,
  claims: ['portal', 'claims'] as const,
  claim: (id: string) => ['portal', 'claims', id] as const,
  policies: ['portal', 'policies'] as const,
  notifications: ['portal', 'notifications'] as const,
  history: ['portal', 'access-history'] as const,
  historySummary: ['portal', 'access-history', 'summary'] as const,
};

export const portalApi = {
  startRegistration: (body: { idNumber: string; phone?: string; email?: string }) =>
    portalRequest<{ ticket: string; channel: 'sms' | 'email'; codeExpiresAt: string }>(
      'POST',
      '/register',
      body,
    ),
  completeRegistration: (body: { ticket: string; code: string; password: string }) =>
    portalRequest<{ ok: true }>('POST', '/register/complete', body),
  async login(body: { login: string; password: string }) {
    const result = await portalRequest<{
      channel: 'sms' | 'email';
      codeExpiresAt: string;
      csrfToken: string;
    }>('POST', '/login', body);
    setPortalCsrfToken(result.csrfToken);
    return result;
  },
  verifyCode: (code: string) => portalRequest<{ ok: true }>('POST', '/login/code', { code }),
  async logout() {
    await portalRequest<{ ok: true }>('POST', '/logout');
    setPortalCsrfToken(undefined);
  },
  async me() {
    const me = await portalRequest<PortalMe>('GET', '/me');
    setPortalCsrfToken(me.csrfToken);
    return me;
  },
  policies: () => portalRequest<{ items: PortalPolicy[] }>('GET', '/policies'),
  claims: () => portalRequest<{ items: PortalClaimSummary[]; total: number }>('GET', '/claims?limit=100'),
  claim: (id: string) => portalRequest<PortalClaimDetail>('GET', `/claims/${encodeURIComponent(id)}`),
  report: (body: {
    policyNumber: string;
    incidentDate: string;
    amountClaimed?: string | null;
    description?: string | null;
    incidentLocation?: string | null;
  }) => portalRequest<{ id: string; number: string }>('POST', '/claims', body),
  withdraw: (id: string, body: { reason: string; version: number }) =>
    portalRequest<PortalClaimDetail>('POST', `/claims/${encodeURIComponent(id)}/withdraw`, body),
  upload: (id: string, category: 'photo' | 'medical', file: File) =>
    portalRequest<PortalDocument>(
      'POST',
      `/claims/${encodeURIComponent(id)}/documents?category=${category}`,
      undefined,
      { file, name: file.name, type: file.type },
    ),
  notifications: () =>
    portalRequest<{ items: InAppMessage[]; unread: number; nextOffset: number | null }>(
      'GET',
      '/notifications?limit=100',
    ),
  markRead: (ids: string[]) => portalRequest<{ updated: number }>('POST', '/notifications/read', { ids }),
  /** Newest first; `before` is the previous page's `nextCursor`. */
  accessHistory: (before?: number) =>
    portalRequest<{ items: AccessEntry[]; nextCursor: number | null }>(
      'GET',
      `/access-history?limit=${HISTORY_PAGE}${before === undefined ? '' : `&before=${before}`}`,
    ),
  accessSummary: () => portalRequest<AccessSummary>('GET', '/access-history/summary'),
  /** Changing one's own phone or email (S3.1): a code to the CURRENT contact, then the code and the new value. */
  startContactChange: (field: 'phone' | 'email') =>
    portalRequest<{ id: string; channel: 'sms' | 'email'; codeExpiresAt: string }>(
      'POST',
      '/contact-change',
      {
        field,
      },
    ),
  confirmContactChange: (id: string, body: { code: string; phone?: string; email?: string }) =>
    portalRequest<{ changed: ('phone' | 'email')[]; contactChangedAt: string }>(
      'POST',
      `/contact-change/${encodeURIComponent(id)}`,
      body,
    ),
};

/** The main path of a claim, as the timeline shows it; the claim's current step is where it stands on it. */
export const CLAIM_PATH: readonly ClaimState[] = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
  'approving',
  'paying',
  'closed',
];

/**
 * Where a claim stands on the main path: the index of its state, or, for a claim that left the path
 * (rejected, withdrawn, reopened), the last main-path state it reached, with `off` set to the state.
 */
export function progressOf(
  state: ClaimState,
  timeline: readonly Pick<TimelineStep, 'to'>[],
): {
  current: number;
  off: ClaimState | null;
} {
  const onPath = CLAIM_PATH.indexOf(state);
  if (onPath >= 0) return { current: onPath, off: null };
  const reached = timeline
    .map((step) => CLAIM_PATH.indexOf(step.to))
    .filter((index) => index >= 0)
    .reduce((max, index) => Math.max(max, index), 0);
  return { current: reached, off: state };
}
