import type { AppLanguage } from '../../i18n/app-language';

/**
 * The outside party's page strings, kept in this module (zh-CN is the shape; en-US must match it). The page
 * is reached without signing in, so it needs none of the console's own strings.
 */
const zhCN = {
  title: '共享的理赔资料',
  loading: '正在打开共享链接…',
  sharedWith: '共享给：{{party}}',
  validUntil: '有效期至：{{date}}',
  fields: '理赔信息',
  documents: '材料',
  noDocuments: '此共享不含材料。',
  download: '下载',
  downloadFailed: '下载失败，链接可能已失效。',
  noToken: '链接不完整：请打开理赔处理人发给您的完整链接。',
  unavailable: '此链接无效、已过期或已被撤回。如仍需查看，请联系理赔处理人。',
  tooManyAttempts: '尝试次数过多，请稍后再试。',
  unexpected: '暂时无法打开此链接，请稍后再试。',
  notice: '这些资料含有个人信息，仅供处理本次理赔使用，请勿转发或留存。每次查看均有记录。',
  partyKinds: { garage: '修理厂', hospital: '医院', 'loss-adjuster': '公估机构', other: '其他机构' },
  fieldLabels: {
    number: '赔案号',
    state: '案件状态',
    productLine: '险种',
    incidentDate: '出险日期',
    amountClaimed: '索赔金额',
    description: '出险经过',
    incidentLocation: '出险地点',
    claimantName: '索赔人姓名',
    claimantPhone: '索赔人电话',
  },
  categories: { photo: '事故照片', medical: '医疗材料' },
};

export type ShareStrings = typeof zhCN;

const enUS: ShareStrings = {
  title: 'Shared claim information',
  loading: 'Opening the shared link…',
  sharedWith: 'Shared with: {{party}}',
  validUntil: 'Valid until: {{date}}',
  fields: 'Claim information',
  documents: 'Documents',
  noDocuments: 'No documents are shared.',
  download: 'Download',
  downloadFailed: 'The download failed; the link may have ended.',
  noToken: 'The link is incomplete: open the whole link the claim handler sent you.',
  unavailable:
    'This link is invalid, has expired or was withdrawn. If you still need it, contact the claim handler.',
  tooManyAttempts: 'Too many attempts; try again later.',
  unexpected: 'The link cannot be opened right now; try again later.',
  notice:
    'This information contains personal data for handling this claim only; do not forward or keep it. Every view is recorded.',
  partyKinds: { garage: 'Garage', hospital: 'Hospital', 'loss-adjuster': 'Loss adjuster', other: 'Other' },
  fieldLabels: {
    number: 'Claim number',
    state: 'Claim state',
    productLine: 'Product line',
    incidentDate: 'Incident date',
    amountClaimed: 'Amount claimed',
    description: 'What happened',
    incidentLocation: 'Incident location',
    claimantName: "Claimant's name",
    claimantPhone: "Claimant's phone",
  },
  categories: { photo: 'Accident photo', medical: 'Medical document' },
};

export const shareStrings: Record<AppLanguage, ShareStrings> = { 'zh-CN': zhCN, 'en-US': enUS };

/** `{{name}}` placeholders filled in. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}
