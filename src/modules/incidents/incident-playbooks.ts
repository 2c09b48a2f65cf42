import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../access/roles.js';
import type { LocalizedLabel } from '../vault/personal-data-catalogue.js';
import { INCIDENT_KINDS, type IncidentKind } from './incidents.tables.js';

/**
 * Incident playbooks (S2.5): what to do, by whom, by when, for each kind of incident, as data the security
 * officer edits (each save is a new version; an incident keeps the version it was declared under).
 * Declaring an incident turns its playbook's steps into tasks with an owner role and a due time counted
 * from the declaration. These are the shipped versions (version 0); the deadlines follow the strictest
 * regime that commonly applies (the CAC's 4 hours for a first report, 1 hour for critical infrastructure).
 */
export type PlaybookStep = {
  key: string;
  title: LocalizedLabel;
  ownerRole: StaffRole;
  /** Due this many hours after the incident is declared. */
  dueHours: number;
};

export type Playbook = {
  kind: IncidentKind;
  version: number;
  labels: LocalizedLabel;
  steps: PlaybookStep[];
  updatedBy: string | null;
  updatedAt: Date | null;
};

export const playbookStepSchema = z.object({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,63}$/)
    .describe('Stable id of the step within the playbook'),
  title: z.object({ 'zh-CN': z.string().trim().min(1).max(300), 'en-US': z.string().trim().min(1).max(300) }),
  ownerRole: z.enum(STAFF_ROLES),
  dueHours: z
    .number()
    .min(0)
    .max(24 * 365),
});

export const playbookInputSchema = z.object({
  labels: z.object({
    'zh-CN': z.string().trim().min(1).max(100),
    'en-US': z.string().trim().min(1).max(100),
  }),
  steps: z
    .array(playbookStepSchema)
    .min(1)
    .max(50)
    .refine((steps) => new Set(steps.map((step) => step.key)).size === steps.length, 'step keys are unique'),
});
export type PlaybookInput = z.infer<typeof playbookInputSchema>;

const step = (key: string, zh: string, en: string, ownerRole: StaffRole, dueHours: number): PlaybookStep => ({
  key,
  title: { 'zh-CN': zh, 'en-US': en },
  ownerRole,
  dueHours,
});

/** Steps every playbook shares: scope, regulator clock, notices, review. */
const COMMON_TAIL: PlaybookStep[] = [
  step(
    'blast-radius',
    '依据审计日志计算影响范围并保存',
    'Compute and save the blast radius from the audit log',
    'security_officer',
    2,
  ),
  step(
    'regulator-decision',
    '判定适用的监管报告义务并开始计时（网信部门 4 小时）',
    'Decide which regulator reports apply and start their clocks (CAC: 4 hours)',
    'security_officer',
    3,
  ),
  step(
    'notification-decision',
    '决定是否通知受影响客户并记录理由',
    'Decide whether to notify affected customers and record the reasons',
    'security_officer',
    24,
  ),
  step(
    'closing-review',
    '结案复盘：原因、有效做法、教训、后续行动',
    'Closing review: cause, what worked, lessons, follow-ups',
    'security_officer',
    24 * 30,
  ),
];

const SHIPPED: Record<IncidentKind, { labels: LocalizedLabel; steps: PlaybookStep[] }> = {
  'insider-misuse': {
    labels: { 'zh-CN': '内部人员滥用', 'en-US': 'Insider misuse' },
    steps: [
      step(
        'suspend-account',
        '停用涉事员工账号并撤销其会话和 API 令牌',
        "Suspend the insider's account and revoke their sessions and API tokens",
        'security_officer',
        1,
      ),
      step(
        'preserve-evidence',
        '固定证据：导出并核验审计日志检查点',
        'Preserve evidence: export and verify the audit log up to a checkpoint',
        'security_officer',
        2,
      ),
      step(
        'freeze-records',
        '冻结被访问的客户记录（禁止导出和明文查看）',
        'Freeze the records that were read (no export, no unmasking)',
        'security_officer',
        2,
      ),
      step(
        'hr-legal',
        '通知人事和法务部门，约谈涉事员工',
        'Inform HR and legal; interview the employee',
        'claims_supervisor',
        48,
      ),
      ...COMMON_TAIL,
    ],
  },
  'stolen-credentials': {
    labels: { 'zh-CN': '凭据被盗', 'en-US': 'Stolen credentials' },
    steps: [
      step(
        'revoke-sessions',
        '撤销被盗账号的全部会话和 API 令牌',
        'Revoke every session and API token of the account',
        'security_officer',
        1,
      ),
      step(
        'reset-factors',
        '重置密码和第二因素，核实本人',
        'Reset the password and second factor; verify the person',
        'admin',
        4,
      ),
      step(
        'hunt-network',
        '按会话和 IP 地址检索同一攻击者的其他活动',
        'Search the audit log by session and IP address for the same attacker elsewhere',
        'security_officer',
        4,
      ),
      step(
        'hold-changes',
        '冻结受影响客户的联系方式和收款账户变更直至重新核验',
        "Hold changes to affected customers' contact details and payee accounts until re-verified",
        'security_officer',
        4,
      ),
      ...COMMON_TAIL,
    ],
  },
  'external-intrusion': {
    labels: { 'zh-CN': '外部入侵', 'en-US': 'External intrusion' },
    steps: [
      step(
        'isolate',
        '隔离受影响系统，阻断攻击来源地址',
        'Isolate affected systems; block the attacking addresses',
        'security_officer',
        1,
      ),
      step('block-exports', '禁止一切批量导出', 'Block every bulk export', 'security_officer', 1),
      step(
        'rotate-keys',
        '轮换个人信息密钥（KEK）',
        'Rotate the personal-data key-encryption keys',
        'security_officer',
        4,
      ),
      step(
        'forensics',
        '保全日志和镜像，委托取证',
        'Preserve logs and images; commission forensics',
        'security_officer',
        24,
      ),
      ...COMMON_TAIL,
    ],
  },
  'misdirected-documents': {
    labels: { 'zh-CN': '材料误发', 'en-US': 'Documents sent to the wrong recipient' },
    steps: [
      step(
        'recall',
        '联系误收方，要求删除并书面确认',
        'Contact the wrong recipient; ask for deletion and written confirmation',
        'claims_supervisor',
        4,
      ),
      step(
        'revoke-shares',
        '撤销相关理赔分享链接',
        'Revoke the claim share links concerned',
        'claims_supervisor',
        1,
      ),
      step(
        'identify-subjects',
        '确定误发材料涉及的客户和字段',
        'Identify the customers and fields in the misdirected documents',
        'security_officer',
        4,
      ),
      ...COMMON_TAIL,
    ],
  },
  'processor-leak': {
    labels: { 'zh-CN': '第三方处理者泄露', 'en-US': "Third-party processor's leak" },
    steps: [
      step(
        'processor-report',
        '要求受托处理者提交事件报告和受影响数据清单',
        'Require the processor to report the incident and list the data concerned',
        'security_officer',
        24,
      ),
      step(
        'suspend-transfers',
        '暂停向该处理者传输个人信息',
        'Suspend transfers of personal data to the processor',
        'security_officer',
        4,
      ),
      step(
        'contract-review',
        '依据委托处理合同追究责任（《个人信息保护法》第二十一条）',
        'Enforce the processing contract (PIPL Art. 21)',
        'claims_supervisor',
        24 * 7,
      ),
      ...COMMON_TAIL,
    ],
  },
  'lost-device': {
    labels: { 'zh-CN': '设备丢失', 'en-US': 'Lost device' },
    steps: [
      step('remote-wipe', '远程锁定并擦除设备', 'Lock and wipe the device remotely', 'admin', 2),
      step(
        'revoke-sessions',
        '撤销设备上的会话和令牌',
        'Revoke the sessions and tokens used on the device',
        'security_officer',
        1,
      ),
      step(
        'estimate-subjects',
        '估计设备上可能存有的客户数量并记录',
        'Estimate how many customers the device may hold and record it',
        'security_officer',
        8,
      ),
      ...COMMON_TAIL,
    ],
  },
  ransomware: {
    labels: { 'zh-CN': '勒索软件', 'en-US': 'Ransomware' },
    steps: [
      step('isolate', '断开受感染主机网络', 'Disconnect infected hosts from the network', 'admin', 1),
      step('block-exports', '禁止一切批量导出', 'Block every bulk export', 'security_officer', 1),
      step(
        'restore-test',
        '从未受感染的备份恢复并验证审计日志',
        'Restore from clean backups and verify the audit log',
        'admin',
        24,
      ),
      step(
        'rotate-keys',
        '轮换个人信息密钥（KEK）',
        'Rotate the personal-data key-encryption keys',
        'security_officer',
        8,
      ),
      ...COMMON_TAIL,
    ],
  },
};

export function shippedPlaybook(kind: IncidentKind): Playbook {
  const shipped = SHIPPED[kind];
  return {
    kind,
    version: 0,
    labels: { ...shipped.labels },
    steps: shipped.steps.map((entry) => ({ ...entry, title: { ...entry.title } })),
    updatedBy: null,
    updatedAt: null,
  };
}

export const INCIDENT_KIND_LABELS: Record<IncidentKind, LocalizedLabel> = Object.fromEntries(
  INCIDENT_KINDS.map((kind) => [kind, SHIPPED[kind].labels]),
) as Record<IncidentKind, LocalizedLabel>;
