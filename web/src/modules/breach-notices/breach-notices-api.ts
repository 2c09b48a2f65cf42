import { queryOptions } from '@tanstack/react-query';
import { apiDownload, apiGet, apiPost, apiRequest } from '../../api/api-client';

/** Breach notices to affected customers (S4.2): one campaign per incident. */
export const NOTICE_CHANNELS = ['in-app', 'sms', 'email'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export const CAMPAIGN_STATES = ['draft', 'approved', 'sending', 'paused', 'done'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const TEXT_FIELDS = ['headline', 'whatHappened', 'measuresTaken', 'whatYouCanDo', 'contact'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type CampaignText = Record<TextField, string>;
export type NoticeLanguage = 'zh-CN' | 'en-US';
export type CampaignTexts = Record<NoticeLanguage, CampaignText>;

/** The most characters each text may have (as the server checks). */
export const TEXT_LIMITS: Record<TextField, number> = {
  headline: 120,
  whatHappened: 2_000,
  measuresTaken: 2_000,
  whatYouCanDo: 2_000,
  contact: 300,
};

export type Progress = { done: number; total: number | null; queued: number };

export type Campaign = {
  id: string;
  incidentId: string;
  incidentReference: string;
  isDrill: boolean;
  state: CampaignState;
  channels: NoticeChannel[];
  texts: CampaignTexts;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  pausedAt: string | null;
  finishedAt: string | null;
  progress: Progress;
  categories: string[];
};

export type ChannelDelivery = {
  channel: NoticeChannel;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
};

export type PublicNotice = Record<NoticeLanguage, { title: string; body: string }>;

export type BreachStatusItem = {
  reference: string;
  status: string;
  texts: CampaignTexts;
  categories: string[];
  /** The categories' catalogue labels (the public cannot read the staff catalogue). */
  categoryNames: Record<NoticeLanguage, string[]>;
  noticesStarted: boolean;
  approvedAt: string | null;
  updatedAt: string;
};

const base = '/api/v1/breach-notices';
const campaignPath = (id: string) => `${base}/campaigns/${encodeURIComponent(id)}`;

export const campaignQueryKey = (incidentId: string) => ['breach-notices', 'incident', incidentId] as const;

/** The incident's campaign; polled every 2 s while it is sending. */
export const campaignQueryOptions = (incidentId: string) =>
  queryOptions({
    queryKey: campaignQueryKey(incidentId),
    queryFn: () =>
      apiGet<{ campaign: Campaign | null }>(`${base}/incidents/${encodeURIComponent(incidentId)}/campaign`),
    refetchInterval: (query) => (query.state.data?.campaign?.state === 'sending' ? 2_000 : false),
  });

export const deliveryQueryOptions = (campaignId: string, live: boolean) =>
  queryOptions({
    queryKey: ['breach-notices', 'delivery', campaignId] as const,
    queryFn: () => apiGet<{ channels: ChannelDelivery[] }>(`${campaignPath(campaignId)}/delivery`),
    refetchInterval: live ? 5_000 : false,
  });

export const publicStatusQueryOptions = queryOptions({
  queryKey: ['breach-notices', 'public-status'] as const,
  queryFn: () => apiGet<{ items: BreachStatusItem[] }>('/api/v1/public/breach-status'),
  refetchInterval: 60_000,
});

export const createCampaign = (incidentId: string, channels: NoticeChannel[], texts: CampaignTexts) =>
  apiPost<Campaign>(`${base}/campaigns`, { incidentId, channels, texts });

export const editCampaign = (campaign: Campaign, channels: NoticeChannel[], texts: CampaignTexts) =>
  apiRequest<Campaign>('PUT', campaignPath(campaign.id), { version: campaign.version, channels, texts });

export const approveCampaign = (campaign: Campaign) =>
  apiPost<Campaign>(`${campaignPath(campaign.id)}/approval`, { version: campaign.version });

export const startCampaign = (id: string) => apiPost<Campaign>(`${campaignPath(id)}/start`);
export const pauseCampaign = (id: string) => apiPost<Campaign>(`${campaignPath(id)}/pause`);

export const retryOnChannel = (id: string, from: NoticeChannel, to: NoticeChannel) =>
  apiPost<{ considered: number; queued: number }>(`${campaignPath(id)}/retry`, { from, to });

export const fetchPublicNotice = (id: string) => apiGet<PublicNotice>(`${campaignPath(id)}/public-notice`);

export async function downloadLetters(id: string): Promise<{ blob: Blob; fileName: string }> {
  const { blob, fileName } = await apiDownload(`${campaignPath(id)}/letters`, {
    method: 'POST',
    body: { json: {} },
  });
  return { blob, fileName: fileName ?? `breach-letters-${id}.pdf` };
}

/** Percent of the affected customers whose notices are queued (0 while the total is unknown). */
export function progressPercent(progress: Progress): number {
  if (!progress.total) return progress.done > 0 ? 100 : 0;
  return Math.min(100, Math.floor((progress.done / progress.total) * 100));
}

/** Whether the signed-in officer may approve: a second officer, who neither wrote nor last edited it. */
export function mayApprove(campaign: Campaign, userId: string | undefined): boolean {
  return (
    campaign.state === 'draft' &&
    userId !== undefined &&
    userId !== campaign.createdBy &&
    userId !== campaign.updatedBy
  );
}

/** Channels undelivered notices of `from` can be retried on: the others. */
export function retryTargets(from: NoticeChannel): NoticeChannel[] {
  return NOTICE_CHANNELS.filter((channel) => channel !== from);
}

/** Empty texts in both languages, for a new campaign's form. */
export function emptyTexts(): CampaignTexts {
  const blank = (): CampaignText => ({
    headline: '',
    whatHappened: '',
    measuresTaken: '',
    whatYouCanDo: '',
    contact: '',
  });
  return { 'zh-CN': blank(), 'en-US': blank() };
}

export const PERSONAL_DATA_KINDS = ['id-number', 'phone', 'bank-card', 'email'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];
export type Finding = { language: NoticeLanguage; field: TextField; kinds: PersonalDataKind[] };

/**
 * The `findings` of a `personal-data-in-text` problem (`[{ field: 'zh-CN.contact', kinds: ['phone'] }]`),
 * keeping only well-formed ones, so the editor can say which text to fix.
 */
export function findingsOf(value: unknown): Finding[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): Finding[] => {
    const { field, kinds } = (entry ?? {}) as { field?: unknown; kinds?: unknown };
    if (typeof field !== 'string' || !Array.isArray(kinds)) return [];
    const [language, name] = field.split('.');
    if (
      (language !== 'zh-CN' && language !== 'en-US') ||
      !(TEXT_FIELDS as readonly string[]).includes(name ?? '')
    )
      return [];
    const known = kinds.filter((kind): kind is PersonalDataKind =>
      (PERSONAL_DATA_KINDS as readonly unknown[]).includes(kind),
    );
    return [{ language, field: name as TextField, kinds: known }];
  });
}
