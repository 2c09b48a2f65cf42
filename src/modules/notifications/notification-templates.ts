import { z } from 'zod';
import type { Language } from '../../config/config.js';
import { CLAIM_STATE_LABELS, type ClaimState, isClaimState } from '../claims/claim-transitions.js';
import { DATA_CATEGORIES, type DataCategory } from '../vault/personal-data-catalogue.js';
import type { Channel, RecipientKind } from './notifications.tables.js';

/**
 * The catalogue of notices ClaimGuard sends: for each template, who may receive it, over which channels,
 * its parameters (a Zod schema) and its text in every language.
 *
 * SECURITY: parameters are an allow-list of shapes that cannot carry personal data: masked claim numbers,
 * slugs (state ids, alert kinds), relative link paths, small numbers. A value that does not fit its shape is
 * refused at enqueue, before anything is stored. Secret parameters (`secret: true`, e.g. a verification
 * code) are never stored in the clear: the service seals them and wipes them once the notice is done with.
 * Texts use `{name}` placeholders; `{link}` parameters are rendered as absolute URLs under the public URL.
 */

/** A claim number shown masked: up to 8 leading characters, at least 3 stars, at most 4 trailing characters. */
export const maskedClaimNumber = z
  .string()
  .regex(/^[A-Za-z0-9-]{0,8}\*{3,}[A-Za-z0-9-]{0,4}$/, 'a masked claim number such as CLM-****1234');

/** A lower-case id such as a claim state or an alert kind. */
const slug = z.string().regex(/^[a-z][a-z0-9.-]{0,47}$/, 'a lower-case id');

/** A path inside the console or portal, without query string or fragment (which could carry data). */
const linkPath = z.string().regex(/^\/[A-Za-z0-9/_-]{0,199}$/, 'a path such as /portal/claims/<id>');

/** An incident's reference (e.g. INC-2026-0042): letters, digits and dashes. */
export const incidentReference = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'an incident reference such as INC-2026-0042');

/** Personal-data catalogue category ids, comma-separated (`identity,contact`); empty while unknown. */
export const categoryList = z
  .string()
  .max(200)
  .refine(
    (value) => value === '' || value.split(',').every((id) => Object.hasOwn(DATA_CATEGORIES, id)),
    'catalogue category ids separated by commas',
  );

/** A one-time code: digits only. */
const verificationCode = z.string().regex(/^[0-9]{4,8}$/, '4 to 8 digits');

type TemplateText = { subject: string; body: string };

type TemplateDefinition = {
  recipients: readonly RecipientKind[];
  channels: readonly Channel[];
  params: z.ZodType<Record<string, unknown>>;
  /** Parameters sealed at rest and wiped once the notice is sent or given up. */
  secretParams: readonly string[];
  /** Parameters holding a link path; rendered as absolute URLs. */
  linkParams: readonly string[];
  /**
   * Parameters that are not stored but supplied at the moment of rendering by the resolver registered for
   * the template (`NotificationService.registerResolver`), e.g. a campaign's texts shared by a million rows.
   */
  resolvedParams: readonly string[];
  text: Record<Language, TemplateText>;
};

export const NOTIFICATION_TEMPLATES = {
  'claim.reported': {
    recipients: ['customer'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({ claimNumber: maskedClaimNumber, link: linkPath }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '您的理赔申请 {claimNumber} 已受理',
        body: '我们已收到您的理赔申请 {claimNumber}，将尽快处理。查看进度：{link}',
      },
      'en-US': {
        subject: 'We have received your claim {claimNumber}',
        body: 'We have received your claim {claimNumber} and will handle it promptly. Follow its progress: {link}',
      },
    },
  },
  'claim.state-changed': {
    recipients: ['customer'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({ claimNumber: maskedClaimNumber, state: slug, link: linkPath }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '您的理赔 {claimNumber} 状态已更新',
        body: '您的理赔 {claimNumber} 当前状态：{state}。详情：{link}',
      },
      'en-US': {
        subject: 'Your claim {claimNumber} has a new status',
        body: 'Your claim {claimNumber} is now: {state}. Details: {link}',
      },
    },
  },
  'claim.verification-code': {
    recipients: ['customer'],
    // Not in-app: the in-app row is the message, and the code is wiped from it once sent.
    channels: ['email', 'sms'],
    params: z.strictObject({
      claimNumber: maskedClaimNumber,
      code: verificationCode,
      validMinutes: z.number().int().min(1).max(60),
    }),
    secretParams: ['code'],
    linkParams: [],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '理赔 {claimNumber} 验证码',
        body: '您的验证码是 {code}，{validMinutes} 分钟内有效。请勿告诉任何人，我们的工作人员不会向您索取。',
      },
      'en-US': {
        subject: 'Verification code for claim {claimNumber}',
        body: 'Your verification code is {code}. It is valid for {validMinutes} minutes. Do not share it: our staff will never ask you for it.',
      },
    },
  },
  'claim.payout-paid': {
    recipients: ['customer'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({ claimNumber: maskedClaimNumber, link: linkPath }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '理赔 {claimNumber} 赔款已支付',
        body: '您的理赔 {claimNumber} 赔款已支付到您登记的账户，案件已结案。详情：{link}',
      },
      'en-US': {
        subject: 'The payout for claim {claimNumber} has been paid',
        body: 'The payout for your claim {claimNumber} has been paid to the account on file, and the claim is closed. Details: {link}',
      },
    },
  },
  'portal.registration-code': {
    recipients: ['customer'],
    // Sent to the phone or email ON FILE that the person named when registering; never in-app (no account yet).
    channels: ['email', 'sms'],
    params: z.strictObject({ code: verificationCode, validMinutes: z.number().int().min(1).max(60) }),
    secretParams: ['code'],
    linkParams: [],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '客户服务平台注册验证码',
        body: '您正在注册 ClaimGuard 客户服务平台，验证码是 {code}，{validMinutes} 分钟内有效。如非本人操作，请忽略并联系我们。请勿告诉任何人。',
      },
      'en-US': {
        subject: 'Your customer portal registration code',
        body: 'You are registering for the ClaimGuard customer portal. Your code is {code}, valid for {validMinutes} minutes. If this was not you, ignore it and contact us. Do not share it.',
      },
    },
  },
  'portal.sign-in-code': {
    recipients: ['customer'],
    channels: ['email', 'sms'],
    params: z.strictObject({ code: verificationCode, validMinutes: z.number().int().min(1).max(60) }),
    secretParams: ['code'],
    linkParams: [],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '客户服务平台登录验证码',
        body: '您的登录验证码是 {code}，{validMinutes} 分钟内有效。如非本人操作，说明有人知道您的密码，请尽快修改。请勿告诉任何人，我们的工作人员不会向您索取。',
      },
      'en-US': {
        subject: 'Your customer portal sign-in code',
        body: 'Your sign-in code is {code}, valid for {validMinutes} minutes. If this was not you, someone knows your password: change it soon. Do not share it: our staff will never ask you for it.',
      },
    },
  },
  'portal.contact-change-code': {
    recipients: ['customer'],
    // To the CURRENT phone or email, before a signed-in customer changes it (S3.1); never in-app.
    channels: ['email', 'sms'],
    params: z.strictObject({ code: verificationCode, validMinutes: z.number().int().min(1).max(60) }),
    secretParams: ['code'],
    linkParams: [],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '变更联系方式验证码',
        body: '您正在变更在 ClaimGuard 登记的手机号码或电子邮箱，验证码是 {code}，{validMinutes} 分钟内有效。如非本人操作，说明有人登录了您的账户，请立即修改密码并拨打您保单上的客服电话。请勿告诉任何人。',
      },
      'en-US': {
        subject: 'Your code to change your contact details',
        body: 'You are changing the mobile number or email ClaimGuard holds for you. Your code is {code}, valid for {validMinutes} minutes. If this was not you, someone is signed in to your account: change your password and call the customer service number on your policy at once. Do not share it.',
      },
    },
  },
  /**
   * A customer's contact details changed (S3.1, S4.3): sent to the OLD phone and email (the outbox row's
   * sealed `to`) and in-app, so that a takeover by someone who changed them is noticed. No parameters:
   * nothing in it says what the new details are.
   */
  'customer.contact-changed': {
    recipients: ['customer'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({}),
    secretParams: [],
    linkParams: [],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '您的联系方式已变更',
        body: '您在 ClaimGuard 登记的联系方式（手机号码、电子邮箱或联系地址）刚刚已变更。如非本人操作，请立即拨打您保单上的客服电话联系我们，我们将暂停相关变更和赔款支付并核实。',
      },
      'en-US': {
        subject: 'Your contact details were changed',
        body: 'The contact details (mobile number, email or postal address) ClaimGuard holds for you were just changed. If this was not you, call the customer service number on your policy at once: we will hold the change and any payouts while we check.',
      },
    },
  },
  'security.alert': {
    recipients: ['staff'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({
      alertKind: slug,
      severity: z.enum(['info', 'warning', 'critical']),
      link: linkPath,
    }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '[{severity}] 安全告警：{alertKind}',
        body: 'ClaimGuard 发出了一条安全告警（{alertKind}，级别 {severity}）。请登录处理：{link}',
      },
      'en-US': {
        subject: '[{severity}] Security alert: {alertKind}',
        body: 'ClaimGuard raised a security alert ({alertKind}, severity {severity}). Sign in to handle it: {link}',
      },
    },
  },
  // Reports to regulators (S4.4): a report's deadline approaches or has passed. Regime id, report kind, due
  // time (UTC, ISO 8601) and a console link only.
  'regulatory-report.deadline-approaching': {
    recipients: ['staff'],
    channels: ['in-app', 'email'],
    params: z.strictObject({
      regime: slug,
      reportKind: z.enum(['initial', 'update', 'summary']),
      dueAt: z.iso.datetime(),
      link: linkPath,
    }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '[监管报告] {regime} 报告即将到期',
        body: '监管报告（{regime}，{reportKind}）将于 {dueAt}（UTC）到期，请尽快完成并报送：{link}',
      },
      'en-US': {
        subject: '[Regulatory report] {regime} report due soon',
        body: 'The regulatory report ({regime}, {reportKind}) is due at {dueAt} (UTC). Complete and submit it: {link}',
      },
    },
  },
  'regulatory-report.deadline-missed': {
    recipients: ['staff'],
    channels: ['in-app', 'email'],
    params: z.strictObject({
      regime: slug,
      reportKind: z.enum(['initial', 'update', 'summary']),
      dueAt: z.iso.datetime(),
      link: linkPath,
    }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '[监管报告] {regime} 报告已逾期',
        body: '监管报告（{regime}，{reportKind}）已于 {dueAt}（UTC）到期但尚未报送。请立即报送，并记录迟延理由：{link}',
      },
      'en-US': {
        subject: '[Regulatory report] {regime} report overdue',
        body: 'The regulatory report ({regime}, {reportKind}) was due at {dueAt} (UTC) and has not been submitted. Submit it now and record the reasons for the delay: {link}',
      },
    },
  },
  /**
   * A leak-detection alert for the security officers (S2.3, issue 5 section 1): which rule, how severe, and
   * where to handle it. SECURITY: nothing about whom or what it concerns: that is behind the sign-in.
   */
  'detection.alert': {
    recipients: ['staff'],
    channels: ['in-app', 'email'],
    params: z.strictObject({
      rule: slug,
      severity: z.enum(['low', 'medium', 'high', 'critical']),
      link: linkPath,
    }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: [],
    text: {
      'zh-CN': {
        subject: '[{severity}] 泄露检测告警：{rule}',
        body: 'ClaimGuard 检测规则 {rule} 触发了一条 {severity} 级告警。请登录控制台查看证据并处理：{link}',
      },
      'en-US': {
        subject: '[{severity}] Leak detection alert: {rule}',
        body: 'The ClaimGuard detection rule {rule} raised a {severity} alert. Sign in to the console to see the evidence and handle it: {link}',
      },
    },
  },
  'breach.notice': {
    // S4.2: PIPL Art. 57, GB/T 35273-2020 §10.2, GDPR Art. 34. Stored per row: the incident's reference,
    // the catalogue categories of THIS customer's exposed data, the compensation link. The campaign's texts
    // (written once by staff, checked for personal data) are resolved when the notice is rendered.
    recipients: ['customer'],
    channels: ['in-app', 'email', 'sms'],
    params: z.strictObject({ incident: incidentReference, categories: categoryList, link: linkPath }),
    secretParams: [],
    linkParams: ['link'],
    resolvedParams: ['drill', 'headline', 'whatHappened', 'harms', 'measures', 'advice', 'contact'],
    text: {
      'zh-CN': {
        subject: '{drill}【个人信息安全事件告知 {incident}】{headline}',
        body: '{drill}尊敬的客户：\n\n{whatHappened}\n\n涉及您的个人信息种类：{categories}\n可能对您造成的影响：{harms}\n\n我们已采取的补救措施：{measures}\n\n您可以采取的措施：{advice}\n\n联系我们：{contact}\n\n如您因本事件遭受损失，可在线申请赔偿：{link}',
      },
      'en-US': {
        subject: '{drill}[Personal data breach notice {incident}] {headline}',
        body: '{drill}Dear customer,\n\n{whatHappened}\n\nYour personal data involved: {categories}\nPossible consequences for you: {harms}\n\nWhat we have done: {measures}\n\nWhat you can do: {advice}\n\nContact us: {contact}\n\nIf this incident caused you a loss, you can claim compensation online: {link}',
      },
    },
  },
} as const satisfies Record<string, TemplateDefinition>;

export type TemplateId = keyof typeof NOTIFICATION_TEMPLATES;
export const TEMPLATE_IDS = Object.keys(NOTIFICATION_TEMPLATES) as TemplateId[];

/** The parameters a template takes, secret ones included. */
export type TemplateParams<T extends TemplateId> = z.input<(typeof NOTIFICATION_TEMPLATES)[T]['params']>;

export function isTemplateId(value: string): value is TemplateId {
  return Object.hasOwn(NOTIFICATION_TEMPLATES, value);
}

export function templateOf(id: TemplateId): TemplateDefinition {
  return NOTIFICATION_TEMPLATES[id];
}

/** A template's placeholders, in order of appearance (for the catalogue test). */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((match) => match[1] ?? '');
}

export type RenderedNotice = { subject: string; body: string };

/**
 * Fills a template's text in `language`. `params` are the template's parameters (secret ones included,
 * opened); link parameters are joined to `publicUrl`. A placeholder without a value is a programming error.
 */
export function renderTemplate(
  id: TemplateId,
  language: Language,
  params: Readonly<Record<string, string | number | boolean>>,
  publicUrl: string,
): RenderedNotice {
  const template = templateOf(id);
  const base = publicUrl.replace(/\/$/, '');
  const fill = (text: string) =>
    text.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_whole, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`template ${id} lacks parameter ${name}`);
      if (name === 'state' && isClaimState(String(value)))
        return CLAIM_STATE_LABELS[String(value) as ClaimState][language];
      if (name === 'categories') return categoryLabels(String(value), language);
      return template.linkParams.includes(name) ? `${base}${String(value)}` : String(value);
    });
  const text = template.text[language];
  return { subject: fill(text.subject), body: fill(text.body) };
}

/** Category ids (`identity,contact`) as their catalogue labels in `language`. */
export function categoryLabels(ids: string, language: Language): string {
  const labels = ids
    .split(',')
    .filter((id): id is DataCategory => Object.hasOwn(DATA_CATEGORIES, id))
    .map((id) => DATA_CATEGORIES[id][language]);
  if (labels.length === 0) return language === 'zh-CN' ? '仍在调查中' : 'still under investigation';
  return labels.join(language === 'zh-CN' ? '、' : ', ');
}

/**
 * A claim number masked the way the templates accept: its last 4 characters (what people check) and up to
 * 4 leading ones, never more than half of it.
 */
export function maskClaimNumber(claimNumber: string): string {
  const value = claimNumber.replace(/[^A-Za-z0-9-]/g, '');
  const budget = Math.floor(value.length / 2);
  const tail = Math.min(4, budget);
  const head = Math.min(4, budget - tail);
  return `${value.slice(0, head)}****${tail > 0 ? value.slice(-tail) : ''}`;
}
