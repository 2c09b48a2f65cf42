import type { Language } from '../../config/config.js';
import type { MaskingRule } from './masking.js';

/**
 * The personal-data catalogue (S2.1): every personal-data field ClaimGuard stores, declared once. The vault
 * refuses to seal or reveal a field that is not here, and reads are checked against the purposes a field
 * allows, so this table is what the product does with personal data, not documentation beside it.
 *
 * Legal grounds, for reviewers:
 * - `sensitive` follows PIPL Art. 28 (敏感个人信息: biometrics, religious belief, specific identity, medical
 *   health, financial accounts, whereabouts/location tracks, and any personal information of minors under
 *   14); Art. 29–32 then require a specific purpose, separate consent and necessity for processing it.
 * - `level` follows the NFRA data-security measures for banking and insurance institutions (2024:
 *   核心 / 重要 / 一般敏感 / 一般其他). It grades one customer's field; a bulk extract of many customers can
 *   reach a higher level and is graded by the data-security officer, not here.
 * - `retention` keeps records as long as PRC Insurance Law Art. 87 requires of business records (five years
 *   from the end of a contract of up to one year), and PIPL Art. 19 keeps it no longer than needed.
 */

export type LocalizedLabel = Readonly<Record<Language, string>>;

export const PURPOSES = {
  'claim-handling': { 'zh-CN': '理赔处理', 'en-US': 'Claim handling' },
  'identity-verification': { 'zh-CN': '身份核验', 'en-US': 'Identity verification' },
  payout: { 'zh-CN': '赔款支付', 'en-US': 'Claim payout' },
  'fraud-investigation': { 'zh-CN': '反欺诈调查', 'en-US': 'Fraud investigation' },
  'regulatory-reporting': { 'zh-CN': '监管报送', 'en-US': 'Regulatory reporting' },
  'incident-response': { 'zh-CN': '安全事件处置', 'en-US': 'Security incident response' },
  'customer-service': { 'zh-CN': '客户服务', 'en-US': 'Customer service' },
  'data-subject-request': { 'zh-CN': '个人信息权利请求', 'en-US': 'Data subject request' },
} as const satisfies Record<string, LocalizedLabel>;
export type PurposeId = keyof typeof PURPOSES;

export const DATA_CATEGORIES = {
  identity: { 'zh-CN': '身份信息', 'en-US': 'Identity' },
  contact: { 'zh-CN': '联系信息', 'en-US': 'Contact' },
  financial: { 'zh-CN': '金融账户信息', 'en-US': 'Financial account' },
  health: { 'zh-CN': '医疗健康信息', 'en-US': 'Medical and health' },
  biometric: { 'zh-CN': '生物识别信息', 'en-US': 'Biometric' },
  location: { 'zh-CN': '位置信息', 'en-US': 'Location' },
  'claim-evidence': { 'zh-CN': '理赔材料', 'en-US': 'Claim evidence' },
} as const satisfies Record<string, LocalizedLabel>;
export type DataCategory = keyof typeof DATA_CATEGORIES;

export const NFRA_LEVELS = {
  core: { 'zh-CN': '核心数据', 'en-US': 'Core data' },
  important: { 'zh-CN': '重要数据', 'en-US': 'Important data' },
  'general-sensitive': { 'zh-CN': '一般数据（敏感）', 'en-US': 'General data (sensitive)' },
  'general-other': { 'zh-CN': '一般数据（其他）', 'en-US': 'General data (other)' },
} as const satisfies Record<string, LocalizedLabel>;
export type NfraLevel = keyof typeof NFRA_LEVELS;

/** How a searchable field is normalised before its blind index is computed (see blind-index.ts). */
export type BlindIndexKind = 'id-number' | 'passport' | 'phone' | 'email' | 'bank-account';

/** When the retention period starts. */
export type RetentionStart = 'claim-closed' | 'contract-ended' | 'collected';

export type PersonalDataField = {
  readonly category: DataCategory;
  readonly level: NfraLevel;
  /** PIPL Art. 28 sensitive personal information. */
  readonly sensitive: boolean;
  /** The only purposes a read may name; anything else is refused by the vault. */
  readonly purposes: readonly PurposeId[];
  /** ISO 8601 duration, counted from `retentionFrom`. */
  readonly retention: string;
  readonly retentionFrom: RetentionStart;
  readonly masking: MaskingRule;
  /** Normaliser of the field's blind index, or null when the field is not searchable. */
  readonly blindIndex: BlindIndexKind | null;
  /** Binary content (documents, images): sealed and revealed as bytes, never masked as text. */
  readonly binary: boolean;
  readonly labels: LocalizedLabel;
};

const CLAIM_WORK: readonly PurposeId[] = ['claim-handling', 'fraud-investigation', 'incident-response'];

export const PERSONAL_DATA_CATALOGUE = {
  'customer.name': {
    category: 'identity',
    level: 'general-sensitive',
    sensitive: false,
    purposes: [
      ...CLAIM_WORK,
      'identity-verification',
      'payout',
      'customer-service',
      'regulatory-reporting',
      'data-subject-request',
    ],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'name',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '客户姓名', 'en-US': 'Customer name' },
  },
  'customer.id_number': {
    category: 'identity',
    level: 'general-sensitive',
    // Art. 28 names "specific identity" and all data of minors under 14; an ID number identifies a person
    // uniquely for life and may belong to a minor, and GB/T 35273 lists it as sensitive: treated as such.
    sensitive: true,
    purposes: [
      ...CLAIM_WORK,
      'identity-verification',
      'payout',
      'regulatory-reporting',
      'data-subject-request',
    ],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'id-number',
    blindIndex: 'id-number',
    binary: false,
    labels: { 'zh-CN': '身份证号码', 'en-US': 'Resident ID number' },
  },
  'customer.passport_number': {
    category: 'identity',
    level: 'general-sensitive',
    // Same reasoning as the ID number: a lifelong identifier of a specific identity.
    sensitive: true,
    purposes: [...CLAIM_WORK, 'identity-verification', 'regulatory-reporting', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'passport',
    blindIndex: 'passport',
    binary: false,
    labels: { 'zh-CN': '护照号码', 'en-US': 'Passport number' },
  },
  'customer.phone': {
    category: 'contact',
    level: 'general-sensitive',
    sensitive: false,
    purposes: [...CLAIM_WORK, 'identity-verification', 'customer-service', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'phone',
    blindIndex: 'phone',
    binary: false,
    labels: { 'zh-CN': '手机号码', 'en-US': 'Mobile phone number' },
  },
  'customer.email': {
    category: 'contact',
    level: 'general-other',
    sensitive: false,
    purposes: [...CLAIM_WORK, 'customer-service', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'email',
    blindIndex: 'email',
    binary: false,
    labels: { 'zh-CN': '电子邮箱', 'en-US': 'Email address' },
  },
  'customer.address': {
    category: 'contact',
    level: 'general-sensitive',
    sensitive: false,
    purposes: [...CLAIM_WORK, 'customer-service', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'address',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '联系地址', 'en-US': 'Postal address' },
  },
  'customer.birth_date': {
    category: 'identity',
    level: 'general-other',
    sensitive: false,
    purposes: [...CLAIM_WORK, 'identity-verification', 'regulatory-reporting', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'contract-ended',
    masking: 'birth-date',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '出生日期', 'en-US': 'Date of birth' },
  },
  'customer.face_image': {
    category: 'biometric',
    level: 'general-sensitive',
    // Art. 28: biometric information. Art. 19 (shortest necessary time): kept only to settle a dispute about
    // the verification it was collected for, then erased.
    sensitive: true,
    purposes: ['identity-verification', 'fraud-investigation', 'data-subject-request'],
    retention: 'P90D',
    retentionFrom: 'collected',
    masking: 'full',
    blindIndex: null,
    binary: true,
    labels: { 'zh-CN': '人脸图像', 'en-US': 'Face image' },
  },
  'bank_account.number': {
    category: 'financial',
    level: 'general-sensitive',
    // Art. 28: financial accounts.
    sensitive: true,
    purposes: [
      'payout',
      'fraud-investigation',
      'incident-response',
      'regulatory-reporting',
      'data-subject-request',
    ],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'bank-account',
    blindIndex: 'bank-account',
    binary: false,
    labels: { 'zh-CN': '银行账号', 'en-US': 'Bank account number' },
  },
  'bank_account.holder_name': {
    category: 'financial',
    level: 'general-sensitive',
    sensitive: false,
    purposes: ['payout', 'fraud-investigation', 'incident-response', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'name',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '账户户名', 'en-US': 'Account holder name' },
  },
  'claim.medical_record': {
    category: 'health',
    level: 'general-sensitive',
    // Art. 28: medical and health information.
    sensitive: true,
    purposes: ['claim-handling', 'fraud-investigation', 'incident-response', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '病历摘要', 'en-US': 'Medical record summary' },
  },
  'claim.diagnosis': {
    category: 'health',
    level: 'general-sensitive',
    // Art. 28: medical and health information.
    sensitive: true,
    purposes: [
      'claim-handling',
      'fraud-investigation',
      'incident-response',
      'regulatory-reporting',
      'data-subject-request',
    ],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '诊断结果', 'en-US': 'Diagnosis' },
  },
  'claim.incident_location': {
    category: 'location',
    level: 'general-sensitive',
    // Art. 28 names whereabouts (行踪轨迹): where a person was at a given time is one point of such a track.
    sensitive: true,
    purposes: [...CLAIM_WORK, 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'address',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '出险地点', 'en-US': 'Incident location' },
  },
  'claim.description': {
    category: 'claim-evidence',
    level: 'general-sensitive',
    // Free text in the customer's or handler's words about what happened: it can name injuries, places and
    // other people, so it is handled as sensitive and never shown unmasked without a purpose.
    sensitive: true,
    purposes: [...CLAIM_WORK, 'customer-service', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '出险经过', 'en-US': 'Incident description' },
  },
  'claim.note': {
    category: 'claim-evidence',
    level: 'general-sensitive',
    // A handler's working note on a claim: free text, same reasoning as the description.
    sensitive: true,
    purposes: [...CLAIM_WORK],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: false,
    labels: { 'zh-CN': '理赔备注', 'en-US': 'Claim note' },
  },
  'document.health_record': {
    category: 'health',
    level: 'general-sensitive',
    // Art. 28: medical and health information (scans of hospital records, invoices, test results).
    sensitive: true,
    purposes: ['claim-handling', 'fraud-investigation', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: true,
    labels: { 'zh-CN': '医疗单据', 'en-US': 'Medical document' },
  },
  'document.accident_photo': {
    category: 'claim-evidence',
    level: 'general-sensitive',
    // Photos can show injuries (health) and faces (biometric when processed), so Art. 28 applies.
    sensitive: true,
    purposes: ['claim-handling', 'fraud-investigation', 'data-subject-request'],
    retention: 'P5Y',
    retentionFrom: 'claim-closed',
    masking: 'full',
    blindIndex: null,
    binary: true,
    labels: { 'zh-CN': '事故照片', 'en-US': 'Accident photo' },
  },
} as const satisfies Record<string, PersonalDataField>;

export type PersonalDataFieldId = keyof typeof PERSONAL_DATA_CATALOGUE;

export const PERSONAL_DATA_FIELD_IDS = Object.keys(PERSONAL_DATA_CATALOGUE) as PersonalDataFieldId[];

export function isPersonalDataFieldId(value: string): value is PersonalDataFieldId {
  return Object.hasOwn(PERSONAL_DATA_CATALOGUE, value);
}

export function isPurposeId(value: string): value is PurposeId {
  return Object.hasOwn(PURPOSES, value);
}

export function catalogueField(id: PersonalDataFieldId): PersonalDataField {
  return PERSONAL_DATA_CATALOGUE[id];
}

export type CatalogueForApi = {
  purposes: { id: PurposeId; labels: LocalizedLabel }[];
  categories: { id: DataCategory; labels: LocalizedLabel }[];
  levels: { id: NfraLevel; labels: LocalizedLabel }[];
  fields: ({ id: PersonalDataFieldId } & Omit<PersonalDataField, 'purposes'> & { purposes: PurposeId[] })[];
};

/** The catalogue as plain JSON (both languages' labels) for `GET /api/v1/catalogue`. */
export function catalogueForApi(): CatalogueForApi {
  const entries = <K extends string>(record: Record<K, LocalizedLabel>) =>
    (Object.entries(record) as [K, LocalizedLabel][]).map(([id, labels]) => ({ id, labels: { ...labels } }));
  return {
    purposes: entries<PurposeId>(PURPOSES),
    categories: entries<DataCategory>(DATA_CATEGORIES),
    levels: entries<NfraLevel>(NFRA_LEVELS),
    fields: PERSONAL_DATA_FIELD_IDS.map((id) => {
      const field: PersonalDataField = PERSONAL_DATA_CATALOGUE[id];
      return { id, ...field, purposes: [...field.purposes], labels: { ...field.labels } };
    }),
  };
}
