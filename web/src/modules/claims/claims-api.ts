import { queryOptions } from '@tanstack/react-query';
import { apiDownload, apiGet, apiPost, apiUpload } from '../../api/api-client';

/** The claim lifecycle (server: `claim-transitions.ts`), in the order the console lists it. */
export const CLAIM_STATES = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
  'approving',
  'paying',
  'closed',
  'rejected',
  'withdrawn',
  'reopened',
] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

export function isClaimState(value: string): value is ClaimState {
  return (CLAIM_STATES as readonly string[]).includes(value);
}

/** 报案 → 立案 → 查勘 → 定损 → 理算 → 核赔 → 赔款支付 → 结案: the path a paid claim takes. */
export const MAIN_PATH = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
  'approving',
  'paying',
  'closed',
] as const satisfies readonly ClaimState[];

export const PRODUCT_LINES = ['motor', 'health', 'property', 'life', 'accident', 'cyber'] as const;
export type ProductLine = (typeof PRODUCT_LINES)[number];

export const VERIFICATIONS = ['pending', 'verified', 'manual-review', 'failed'] as const;

export const DOCUMENT_CATEGORIES = ['photo', 'medical'] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];

export const CUSTOMER_FIELDS = ['name', 'idNumber', 'phone', 'email', 'address'] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** What `POST /claims/:id/reveal` accepts (server: `REVEALABLE_CLAIM_FIELDS`). */
export const REVEALABLE_FIELDS = [
  'claimant.name',
  'claimant.idNumber',
  'claimant.phone',
  'claimant.email',
  'claimant.address',
  'description',
  'incidentLocation',
  'notes',
] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

export type Maskable = { value: string; masked: boolean } | null;

export type ClaimSummary = {
  id: string;
  number: string;
  state: ClaimState;
  version: number;
  productLine: string;
  branch: string;
  channel: string;
  incidentDate: string;
  amountClaimed: string | null;
  verification: string;
  assigneeId: string | null;
  surveyorId: string | null;
  reportedAt: string;
  updatedAt: string;
  claimantName: string;
};

export type ClaimPage = { items: ClaimSummary[]; total: number };

export type TimelineEntry = {
  from: string | null;
  to: string;
  actorType: string;
  actorId: string | null;
  actorRole: string | null;
  reason: string | null;
  at: string;
};

export type ClaimNote = {
  id: string;
  authorId: string;
  authorRole: string;
  body: Maskable;
  createdAt: string;
};

export type ClaimDetail = Omit<ClaimSummary, 'claimantName'> & {
  policy: {
    id: string;
    number: string;
    productLine: string;
    startsOn: string;
    endsOn: string;
    sumInsured: string;
    currency: string;
  };
  claimant: {
    id: string;
    idType: string;
    language: string;
    fields: Partial<Record<CustomerField, Maskable>>;
  };
  description: Maskable;
  incidentLocation: Maskable;
  resolutionReason: string | null;
  closedAt: string | null;
  timeline: TimelineEntry[];
  notes: ClaimNote[];
  allowedTransitions: { to: ClaimState; reasonRequired: boolean }[];
};

export type ClaimDocument = {
  id: string;
  claimId: string;
  category: DocumentCategory;
  contentType: string;
  size: number;
  createdAt: string;
  uploader: { type: string; role: string | null };
  hasThumbnail: boolean;
};

/** The list filters; none of them is personal data, so they may live in the page's address. */
export type ClaimFilter = { states: ClaimState[]; productLine?: string; number?: string };

/** A customer's identifier for `POST /claims/search`: personal data, so only ever in a request body. */
export type ClaimantLookup = { idNumber: string } | { phone: string } | { email: string };

export const PAGE_SIZES = [10, 20, 50, 100] as const;

/** `GET /claims` query string for a filter and a page; empty filters are left out. */
export function claimListQueryString(filter: ClaimFilter, page: { limit: number; offset: number }): string {
  const params = new URLSearchParams();
  if (filter.states.length > 0) params.set('state', filter.states.join(','));
  if (filter.productLine) params.set('productLine', filter.productLine);
  const number = filter.number?.trim();
  if (number) params.set('number', number);
  params.set('limit', String(page.limit));
  params.set('offset', String(page.offset));
  return `?${params.toString()}`;
}

/**
 * What kind of identifier a person typed in the search box: an email has an `@`, a mainland mobile number
 * is 11 digits starting with 1 (spaces, dashes and a +86 prefix allowed), anything else of 4 to 40
 * characters is taken as an ID number. Undefined when the text is too short to search for.
 */
export function claimantLookupOf(text: string): ClaimantLookup | undefined {
  const value = text.trim();
  if (value.includes('@')) return value.length >= 3 ? { email: value } : undefined;
  const digits = value.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  if (/^1\d{10}$/.test(digits)) return { phone: digits };
  const id = value.replace(/\s/g, '').toUpperCase();
  return id.length >= 4 && id.length <= 40 ? { idNumber: id } : undefined;
}

/**
 * Which state filter values are valid claim states (from the address, which anyone can edit); unknown
 * ones are dropped rather than sent to the server to be refused.
 */
export function statesOf(value: string | null): ClaimState[] {
  if (!value) return [];
  return value
    .split(',')
    .map((state) => state.trim())
    .filter(isClaimState);
}

export const claimListQueryOptions = (filter: ClaimFilter, page: { limit: number; offset: number }) =>
  queryOptions({
    queryKey: ['claims', 'list', filter, page] as const,
    queryFn: ({ signal }) =>
      apiGet<ClaimPage>(`/api/v1/claims${claimListQueryString(filter, page)}`, { signal }),
    placeholderData: (previous) => previous,
  });

export const searchClaims = (lookup: ClaimantLookup, page: { limit: number; offset: number }) =>
  apiPost<ClaimPage>('/api/v1/claims/search', { ...lookup, ...page });

export const claimQueryKey = (id: string) => ['claims', 'detail', id] as const;

export const claimQueryOptions = (id: string) =>
  queryOptions({
    queryKey: claimQueryKey(id),
    queryFn: ({ signal }) => apiGet<ClaimDetail>(`/api/v1/claims/${encodeURIComponent(id)}`, { signal }),
  });

export const revealClaim = (id: string, fields: RevealableField[], purpose: string) =>
  apiPost<ClaimDetail>(`/api/v1/claims/${encodeURIComponent(id)}/reveal`, { fields, purpose });

export const transitionClaim = (
  id: string,
  input: { to: ClaimState; reason: string | null; version: number },
) => apiPost<ClaimDetail>(`/api/v1/claims/${encodeURIComponent(id)}/transitions`, input);

export const assignClaim = (
  id: string,
  input: { assigneeId?: string | null; surveyorId?: string | null; version: number },
) => apiPost<ClaimDetail>(`/api/v1/claims/${encodeURIComponent(id)}/assignment`, input);

/** An adjuster or surveyor the claim may be given to (GET /claims/:id/handlers; supervisors only). */
export type ClaimHandler = { id: string; displayName: string; openClaims: number; skilled: boolean };
export type ClaimHandlers = { adjusters: ClaimHandler[]; surveyors: ClaimHandler[] };

export const claimHandlersQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['claims', 'handlers', id] as const,
    queryFn: ({ signal }) =>
      apiGet<ClaimHandlers>(`/api/v1/claims/${encodeURIComponent(id)}/handlers`, { signal }),
  });

export const addClaimNote = (id: string, body: string) =>
  apiPost<{ id: string }>(`/api/v1/claims/${encodeURIComponent(id)}/notes`, { body });

export const claimDocumentsQueryKey = (id: string) => ['claims', 'documents', id] as const;

export const claimDocumentsQueryOptions = (id: string) =>
  queryOptions({
    queryKey: claimDocumentsQueryKey(id),
    queryFn: ({ signal }) =>
      apiGet<{ items: ClaimDocument[] }>(`/api/v1/claims/${encodeURIComponent(id)}/documents`, { signal }),
  });

/** The upload's headers: the client's file name percent-encoded (UTF-8) and its declared type. */
export function documentUploadHeaders(file: { name: string; type: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (file.name) headers['x-document-name'] = encodeURIComponent(file.name).slice(0, 1024);
  if (file.type) headers['x-document-type'] = file.type.slice(0, 200);
  return headers;
}

export const uploadClaimDocument = (id: string, category: DocumentCategory, file: File) =>
  apiUpload<ClaimDocument>(
    `/api/v1/claims/${encodeURIComponent(id)}/documents?category=${category}`,
    file,
    documentUploadHeaders(file),
  );

/** A document's content for a purpose (the server asks for a fresh second factor and audits the read). */
export const downloadClaimDocument = (documentId: string, purpose: string) =>
  apiDownload(
    `/api/v1/documents/${encodeURIComponent(documentId)}/content?purpose=${encodeURIComponent(purpose)}`,
  );
