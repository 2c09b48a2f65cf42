import type { Language } from '../../config/config.js';
import { categoryLabels } from '../notifications/notification-templates.js';
import type { NotificationParams } from '../notifications/notifications.tables.js';
import { DATA_CATEGORIES, type DataCategory } from '../vault/personal-data-catalogue.js';
import type { CampaignText, CampaignTexts } from './breach-notices.tables.js';

/**
 * What a breach notice says (S4.2). The required contents, and where each comes from:
 *
 * | Required by PIPL Art. 57, GB/T 35273-2020 §10.2, GDPR Art. 34(2) | Source                            |
 * | ---------------------------------------------------------------- | --------------------------------- |
 * | what happened (cause, kind of incident)                           | staff text `whatHappened`         |
 * | which categories of the customer's OWN data were involved         | the blast radius, per customer    |
 * | the possible harm (per category)                                  | {@link HARMS}, per category       |
 * | the remedial measures taken                                       | staff text `measuresTaken`        |
 * | what the customer can do to reduce the harm                       | staff text `whatYouCanDo`         |
 * | how to contact the insurer                                        | staff text `contact`              |
 * | how to claim compensation (ClaimGuard's own promise)              | a portal link with the reference  |
 */

/** The possible harm of each catalogue category being exposed, as told to the customer. */
export const HARMS: Record<DataCategory, Record<Language, string>> = {
  identity: {
    'zh-CN': '身份信息可能被冒用，例如以您的名义办理业务或实施精准诈骗',
    'en-US': 'your identity could be misused, e.g. to open accounts in your name or for targeted fraud',
  },
  contact: {
    'zh-CN': '可能收到骚扰电话、短信或邮件，以及冒充本公司或理赔人员的诈骗',
    'en-US':
      'you may receive unwanted calls, texts or emails, and scams by people posing as us or our claims staff',
  },
  financial: {
    'zh-CN': '银行账户可能遭盗刷，或被以退款、理赔为名诱导转账',
    'en-US':
      'your bank account could be targeted, or you could be lured into transfers posing as refunds or payouts',
  },
  health: {
    'zh-CN': '健康信息外泄可能带来歧视或困扰，以及与医疗相关的诈骗',
    'en-US':
      'disclosure of health information could lead to discrimination or distress, and health-related scams',
  },
  biometric: {
    'zh-CN': '人脸等生物识别信息可能被用于冒用身份验证，且无法像密码一样更改',
    'en-US':
      'biometric data such as your face image could be used to impersonate you, and cannot be changed like a password',
  },
  location: {
    'zh-CN': '您曾到过的地点被他人知晓，可能影响人身安全',
    'en-US': 'others may learn where you have been, which could affect your personal safety',
  },
  'claim-evidence': {
    'zh-CN': '理赔经过被他人知晓，可能被用于冒充理赔或诈骗',
    'en-US': 'details of your claim may be known to others and used for fake claims or scams',
  },
};

const DRILL_MARK: Record<Language, string> = { 'zh-CN': '【演练】', 'en-US': '[DRILL] ' };

function isCategory(id: string): id is DataCategory {
  return Object.hasOwn(DATA_CATEGORIES, id);
}

/** The catalogue categories among `ids`, in catalogue order, without repeats or unknown ids. */
export function knownCategories(ids: readonly string[]): DataCategory[] {
  const wanted = new Set(ids);
  return (Object.keys(DATA_CATEGORIES) as DataCategory[]).filter((id) => wanted.has(id) && isCategory(id));
}

/** The harms of the given categories, one per category, joined for a notice in `language`. */
export function harmsOf(categories: readonly string[], language: Language): string {
  const known = knownCategories(categories);
  if (known.length === 0)
    return language === 'zh-CN'
      ? '我们仍在评估，如有进一步信息将及时告知您'
      : 'we are still assessing it and will tell you as soon as we know more';
  const [colon, separator] = language === 'zh-CN' ? ['：', '；'] : [': ', '; '];
  return known.map((id) => `${DATA_CATEGORIES[id][language]}${colon}${HARMS[id][language]}`).join(separator);
}

/**
 * The `resolvedParams` of the `breach.notice` template for one notice: the campaign's texts in the notice's
 * language and the harms of the customer's categories (stored per row as `categories`).
 */
export function resolvedNoticeParams(
  campaign: { texts: CampaignTexts; isDrill: boolean },
  language: Language,
  params: NotificationParams,
): NotificationParams {
  const text: CampaignText = campaign.texts[language];
  const categories =
    typeof params.categories === 'string' && params.categories ? params.categories.split(',') : [];
  return {
    drill: campaign.isDrill ? DRILL_MARK[language] : '',
    headline: text.headline,
    whatHappened: text.whatHappened,
    harms: harmsOf(categories, language),
    measures: text.measuresTaken,
    advice: text.whatYouCanDo,
    contact: text.contact,
  };
}

/** The portal path where a customer claims compensation for an incident (issue 5, section 8). */
export function compensationPath(reference: string): string {
  return `/portal/compensation/${reference}`;
}

/**
 * The public notice (GB/T 35273-2020 §10.2: where informing each person is hard, a public announcement in a
 * reasonable, effective way) in one language: the campaign's texts, every category met among the affected,
 * their harms, and where to check whether one is affected and to claim compensation.
 */
export function publicNoticeText(
  campaign: { texts: CampaignTexts; isDrill: boolean; reference: string; categories: readonly string[] },
  language: Language,
  publicUrl: string,
): { title: string; body: string } {
  const text = campaign.texts[language];
  const base = publicUrl.replace(/\/$/, '');
  const categories = categoryLabels(knownCategories(campaign.categories).join(','), language);
  const drill = campaign.isDrill ? DRILL_MARK[language] : '';
  if (language === 'zh-CN') {
    return {
      title: `${drill}关于个人信息安全事件的公告（${campaign.reference}）：${text.headline}`,
      body: [
        `${drill}${text.whatHappened}`,
        `涉及的个人信息种类：${categories}。`,
        `可能造成的影响：${harmsOf(campaign.categories, language)}。`,
        `我们已采取的补救措施：${text.measuresTaken}`,
        `建议您采取的措施：${text.whatYouCanDo}`,
        `联系我们：${text.contact}`,
        `事件最新进展：${base}/breach-status`,
        `客户可登录客户服务平台查看本人是否受影响，并在线申请赔偿：${base}${compensationPath(campaign.reference)}`,
      ].join('\n\n'),
    };
  }
  return {
    title: `${drill}Public notice of a personal data breach (${campaign.reference}): ${text.headline}`,
    body: [
      `${drill}${text.whatHappened}`,
      `Categories of personal data involved: ${categories}.`,
      `Possible consequences: ${harmsOf(campaign.categories, language)}.`,
      `What we have done: ${text.measuresTaken}`,
      `What you can do: ${text.whatYouCanDo}`,
      `Contact us: ${text.contact}`,
      `Latest news of the incident: ${base}/breach-status`,
      `Customers can sign in to the customer portal to see whether they are affected and claim compensation online: ${base}${compensationPath(campaign.reference)}`,
    ].join('\n\n'),
  };
}
