import { z } from 'zod';
import { CHANNELS } from '../notifications/notifications.tables.js';
import { CAMPAIGN_STATES } from './breach-notices.tables.js';

/** Zod schemas of the breach-notices API; they validate input and are the allow-list of what is sent back. */
const channel = z.enum(CHANNELS);
const line = (max: number) => z.string().trim().min(1).max(max);

export const campaignTextSchema = z
  .object({
    headline: line(120),
    whatHappened: line(2_000),
    measuresTaken: line(2_000),
    whatYouCanDo: line(2_000),
    contact: line(300),
  })
  .meta({ id: 'BreachNoticeText' });

export const campaignTextsSchema = z.object({ 'zh-CN': campaignTextSchema, 'en-US': campaignTextSchema });

const channelsSchema = z
  .array(channel)
  .min(1)
  .max(CHANNELS.length)
  .refine((list) => new Set(list).size === list.length, 'each channel once');

export const newCampaignSchema = z.object({
  incidentId: z.string().trim().min(1).max(100),
  channels: channelsSchema,
  texts: campaignTextsSchema,
});

export const editCampaignSchema = z.object({
  version: z.number().int().positive(),
  channels: channelsSchema,
  texts: campaignTextsSchema,
});

export const approvalSchema = z.object({ version: z.number().int().positive() });

const progressSchema = z.object({
  done: z.number().int(),
  total: z.number().int().nullable(),
  queued: z.number().int(),
});

export const campaignSchema = z
  .object({
    id: z.string(),
    incidentId: z.string(),
    incidentReference: z.string(),
    isDrill: z.boolean(),
    state: z.enum(CAMPAIGN_STATES),
    channels: z.array(channel),
    texts: campaignTextsSchema,
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.date(),
    updatedBy: z.string(),
    updatedAt: z.date(),
    approvedBy: z.string().nullable(),
    approvedAt: z.date().nullable(),
    startedAt: z.date().nullable(),
    pausedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
    progress: progressSchema,
    categories: z.array(z.string()),
  })
  .meta({ id: 'BreachNoticeCampaign' });

export const progressResponseSchema = z.object({
  state: z.enum(CAMPAIGN_STATES),
  progress: progressSchema,
});

export const deliverySchema = z.object({
  channels: z.array(
    z.object({
      channel,
      pending: z.number().int(),
      sent: z.number().int(),
      failed: z.number().int(),
      skipped: z.number().int(),
    }),
  ),
});

export const failuresQuerySchema = z.object({
  channel,
  after: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const failuresSchema = z.object({
  items: z.array(
    z.object({
      /** An internal data subject id, not personal data. */
      subjectId: z.string(),
      channel,
      status: z.enum(['failed', 'skipped']),
      reason: z.string().nullable(),
      attempts: z.number().int(),
      at: z.date(),
    }),
  ),
  nextAfter: z.string().nullable(),
});

export const retrySchema = z.object({ from: channel, to: channel });
export const retryResultSchema = z.object({ considered: z.number().int(), queued: z.number().int() });

export const lettersBodySchema = z.object({
  after: z.uuid().optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

const noticeTextSchema = z.object({ title: z.string(), body: z.string() });
export const publicNoticeSchema = z.object({ 'zh-CN': noticeTextSchema, 'en-US': noticeTextSchema });

export const publicStatusSchema = z
  .object({
    items: z.array(
      z.object({
        reference: z.string(),
        status: z.string(),
        texts: campaignTextsSchema,
        categories: z.array(z.string()),
        categoryNames: z.object({ 'zh-CN': z.array(z.string()), 'en-US': z.array(z.string()) }),
        noticesStarted: z.boolean(),
        approvedAt: z.date().nullable(),
        updatedAt: z.date(),
      }),
    ),
  })
  .meta({ id: 'BreachStatus' });

export const portalBannerSchema = z.object({
  affected: z.boolean(),
  items: z.array(
    z.object({
      incidentReference: z.string(),
      isDrill: z.boolean(),
      headline: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
      noticePath: z.string(),
      compensationPath: z.string(),
    }),
  ),
});
