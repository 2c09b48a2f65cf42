import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiPost } from '../../api/api-client';

/** Field-scoped, time-limited shares of a claim with outside parties (garages, hospitals, loss adjusters). */
export const SHAREABLE_FIELDS = [
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
export type ShareableField = (typeof SHAREABLE_FIELDS)[number];

export const SHARE_PARTY_KINDS = ['garage', 'hospital', 'loss-adjuster', 'other'] as const;
export type SharePartyKind = (typeof SHARE_PARTY_KINDS)[number];

/** Fields that are personal data: sharing them needs the unmask permission and a fresh second factor. */
export const PERSONAL_SHARE_FIELDS: readonly ShareableField[] = [
  'description',
  'incidentLocation',
  'claimantName',
  'claimantPhone',
];

export const MAX_SHARE_DAYS = 30;

export type ClaimShare = {
  id: string;
  party: { name: string; kind: SharePartyKind };
  fields: ShareableField[];
  documentIds: string[];
  expiresAt: string;
  createdAt: string;
  revokedAt: string | null;
  lastOpenedAt: string | null;
  openings: number;
  status: 'active' | 'expired' | 'revoked' | 'claim-finished';
};

export type NewShare = {
  party: { name: string; kind: SharePartyKind };
  fields: ShareableField[];
  documentIds: string[];
  expiresAt: string;
};

export type CreatedShare = { id: string; token: string; link: string; expiresAt: string };

export const claimSharesQueryKey = (claimId: string) => ['claims', 'shares', claimId] as const;

export const claimSharesQueryOptions = (claimId: string) =>
  queryOptions({
    queryKey: claimSharesQueryKey(claimId),
    queryFn: () => apiGet<{ items: ClaimShare[] }>(`/api/v1/claims/${encodeURIComponent(claimId)}/shares`),
  });

export const createShare = (claimId: string, share: NewShare) =>
  apiPost<CreatedShare>(`/api/v1/claims/${encodeURIComponent(claimId)}/shares`, share);

export const revokeShare = (shareId: string) =>
  apiPost<unknown>(`/api/v1/shares/${encodeURIComponent(shareId)}/revocation`, {});

/** The expiry `days` from `now`, at the end of that day in UTC, never beyond the maximum. */
export function shareExpiry(days: number, now: Date = new Date()): string {
  const bounded = Math.min(Math.max(Math.round(days), 1), MAX_SHARE_DAYS);
  const end = new Date(now.getTime() + bounded * 86_400_000);
  return new Date(
    Math.min(end.getTime(), now.getTime() + MAX_SHARE_DAYS * 86_400_000 - 60_000),
  ).toISOString();
}

/** The absolute link to hand to the party: the token stays in the fragment, which browsers never send. */
export function absoluteShareLink(link: string, origin: string): string {
  return new URL(link, origin).toString();
}
