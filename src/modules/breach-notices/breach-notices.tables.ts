import type { Generated } from 'kysely';
import type { Language } from '../../config/config.js';

/**
 * Tables of the breach-notices module (migration 2026-11-25T0600-breach-notices). Only
 * `breach-notices.repository.ts` reads or writes them. SECURITY: no personal data: staff texts are refused
 * when they look like they carry any (personal-data-in-text.ts), incidents and staff are internal ids.
 */
export type BreachNoticeTables = {
  breach_notice_campaigns: BreachNoticeCampaignsTable;
};

export const CAMPAIGN_STATES = ['draft', 'approved', 'sending', 'paused', 'done'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** What staff write per language; the categories, harms and compensation link are added per customer. */
export type CampaignText = {
  /** One line: the notice's subject and the public page's heading. */
  headline: string;
  /** What happened (PIPL Art. 57(1), GDPR Art. 34(2) with Art. 33(3)(a)). */
  whatHappened: string;
  /** What the insurer has done (PIPL Art. 57(2), GDPR Art. 33(3)(d)). */
  measuresTaken: string;
  /** What the customer can do to reduce the harm (PIPL Art. 57(2), GB/T 35273-2020 §10.2). */
  whatYouCanDo: string;
  /** How to reach the insurer (PIPL Art. 57(3), GDPR Art. 33(3)(b)): a hotline, an office, a web page. */
  contact: string;
};

export type CampaignTexts = Record<Language, CampaignText>;

export type BreachNoticeCampaignsTable = {
  id: string;
  incident_id: string;
  incident_reference: string;
  is_drill: boolean;
  state: Generated<CampaignState>;
  /** Outbox channels (`in-app`, `sms`, `email`). */
  channels: string[];
  texts: CampaignTexts;
  version: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_by: string;
  updated_at: Generated<Date>;
  approved_by: string | null;
  approved_at: Date | null;
  started_at: Date | null;
  paused_at: Date | null;
  finished_at: Date | null;
  cursor: string | null;
  total_count: number | null;
  done_count: Generated<number>;
  queued_count: Generated<number>;
  /** Catalogue category ids met so far among the affected (for the public notice). */
  categories_seen: Generated<string[]>;
};
