/**
 * Staff and customer roles (S3.2). One role per account keeps separation of duties checkable: nobody
 * holds the admin role and a role that reads personal data at once.
 */
export const ROLES = [
  'customer',
  'claims_intake',
  'adjuster',
  'surveyor',
  'claims_supervisor',
  'finance',
  'security_officer',
  'internal_auditor',
  'external_auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES = ROLES.filter((role) => role !== 'customer') as Exclude<Role, 'customer'>[];
export type StaffRole = Exclude<Role, 'customer'>;

/**
 * Roles that may ever see unmasked personal data (with a purpose and a fresh second factor). A second
 * factor is mandatory for them (S3.3); ClaimGuard requires it of every staff role, these included.
 */
export const UNMASKING_ROLES: readonly StaffRole[] = [
  'claims_intake',
  'adjuster',
  'surveyor',
  'claims_supervisor',
  'finance',
  'security_officer',
];

export const ROLE_LABELS: Record<Role, { 'zh-CN': string; 'en-US': string }> = {
  customer: { 'zh-CN': '客户', 'en-US': 'Customer' },
  claims_intake: { 'zh-CN': '报案受理员', 'en-US': 'Claims intake' },
  adjuster: { 'zh-CN': '理算员', 'en-US': 'Adjuster' },
  surveyor: { 'zh-CN': '查勘员', 'en-US': 'Surveyor' },
  claims_supervisor: { 'zh-CN': '理赔主管', 'en-US': 'Claims supervisor' },
  finance: { 'zh-CN': '财务', 'en-US': 'Finance' },
  security_officer: { 'zh-CN': '安全官', 'en-US': 'Security officer' },
  internal_auditor: { 'zh-CN': '内部审计', 'en-US': 'Internal auditor' },
  external_auditor: { 'zh-CN': '外部审计', 'en-US': 'External auditor' },
  admin: { 'zh-CN': '系统管理员', 'en-US': 'Administrator' },
};
