import type {
  ContentItem,
  DeadlineRule,
  FactKey,
  Localized,
  PersonInput,
  RegimeDefinition,
  ReportKind,
} from './regime-definition.js';

/**
 * The regimes ClaimGuard ships (S4.4), inserted by migration 2026-11-25T0500-regulatory-reports and then
 * the security officer's to edit. Sources and the reasoning behind each figure are in
 * docs/regulatory-reports.md; where a figure is ClaimGuard's reading rather than the text's, the rule says
 * so in its note, and `toBeConfirmed` marks figures awaiting legal confirmation.
 */

const l = (zh: string, en: string): Localized => ({ 'zh-CN': zh, 'en-US': en });
const ALL: ReportKind[] = ['initial', 'update', 'summary'];

function item(
  id: string,
  label: Localized,
  citation: string,
  facts: FactKey[],
  person: PersonInput,
  kinds: ReportKind[] = ALL,
): ContentItem {
  return { id, label, citation, facts, person, kinds };
}

function rule(
  hours: number | null,
  from: DeadlineRule['from'],
  extra: Partial<Omit<DeadlineRule, 'hours' | 'from'>> = {},
): DeadlineRule {
  return { hours, from, overrides: [], toBeConfirmed: false, note: null, ...extra };
}

const OVERVIEW_FACTS: FactKey[] = ['reference', 'title', 'kind', 'drill', 'detectedAt', 'declaredAt'];

/** PIPL Art. 57: leak, tampering or loss of personal information → the authorities and the individuals. */
const PIPL_57: RegimeDefinition = {
  name: l(
    '《个人信息保护法》第五十七条 个人信息泄露通知',
    'PIPL Art. 57: notice of a personal-information leak',
  ),
  shortName: l('个保法第57条', 'PIPL 57'),
  jurisdiction: 'CN',
  language: 'zh-CN',
  recipients: [
    {
      kind: 'authority',
      name: l(
        '履行个人信息保护职责的部门',
        'The departments performing personal-information protection duties',
      ),
      when: null,
    },
    { kind: 'individuals', name: l('受影响的个人', 'The individuals affected'), when: null },
  ],
  trigger: { all: [{ kind: 'min-affected-subjects', min: 1 }], any: [] },
  initial: rule(1, 'aware', {
    note: l(
      '法律要求“立即”采取补救措施并通知，未规定小时数；此处设为 1 小时，由合规负责人按本机构制度调整。',
      'The law says "immediately" and sets no hours; ClaimGuard sets 1 hour, to be adjusted by the compliance officer to the insurer\'s own rules.',
    ),
  }),
  update: rule(null, 'requested'),
  summary: null,
  contents: [
    item('overview', l('事件概况', 'Incident overview'), '', OVERVIEW_FACTS, 'none'),
    item(
      'categories',
      l('泄露、篡改、丢失的个人信息种类', 'Kinds of personal information leaked, tampered with or lost'),
      '《个人信息保护法》第五十七条第一款第（一）项',
      ['affectedSubjects', 'byCategory', 'sensitiveCategories'],
      'optional',
    ),
    item('cause', l('原因', 'Cause'), '《个人信息保护法》第五十七条第一款第（一）项', [], 'required'),
    item(
      'possible-harm',
      l('可能造成的危害', 'Possible harm'),
      '《个人信息保护法》第五十七条第一款第（一）项',
      ['severity', 'severityReasons'],
      'required',
    ),
    item(
      'remedial-measures',
      l('个人信息处理者采取的补救措施', 'Remedial measures taken by the processor'),
      '《个人信息保护法》第五十七条第一款第（二）项',
      ['containedAt', 'measures'],
      'optional',
    ),
    item(
      'individual-measures',
      l('个人可以采取的减轻危害的措施', 'What individuals can do to reduce the harm'),
      '《个人信息保护法》第五十七条第一款第（二）项',
      [],
      'required',
    ),
    item(
      'contact',
      l('个人信息处理者的联系方式', "The processor's contact details"),
      '《个人信息保护法》第五十七条第一款第（三）项',
      [],
      'required',
    ),
    item('timeline', l('处置时间线', 'Response timeline'), '', ['timeline'], 'none'),
  ],
  sources: [
    {
      citation: '《中华人民共和国个人信息保护法》第五十七条（2021年11月1日起施行）',
      url: 'https://www.npc.gov.cn/npc/c2/c30834/202108/t20210820_313088.html',
    },
  ],
  notes: l(
    '采取措施能够有效避免信息泄露、篡改、丢失造成危害的，可以不通知个人；履行个人信息保护职责的部门认为可能造成危害的，有权要求通知个人（第五十七条第二款）。对个人的通知由客户通知功能（S4.2）发出。',
    'Individuals need not be notified where the measures taken effectively avoid harm, unless the authority, believing harm may result, requires it (Art. 57(2)). Notices to individuals are sent by the customer-notice feature (S4.2).',
  ),
};

/** The CAC's national network-security incident reporting measures, in force since 2025-11-01. */
const CAC_2025: RegimeDefinition = {
  name: l(
    '《国家网络安全事件报告管理办法》（2025年11月1日起施行）',
    'CAC Measures for the Administration of National Network Security Incident Reporting (in force 2025-11-01)',
  ),
  shortName: l('网信办事件报告', 'CAC incident report'),
  jurisdiction: 'CN',
  language: 'zh-CN',
  recipients: [
    {
      kind: 'authority',
      name: l('属地省级网信部门', 'The provincial Cyberspace Administration where the operator is'),
      when: null,
    },
    {
      kind: 'authority',
      name: l(
        '关键信息基础设施保护工作部门、公安机关',
        'The critical-information-infrastructure protection department and the public security organs',
      ),
      when: { kind: 'critical-infrastructure' },
    },
  ],
  // Art. 4: events graded 较大 (relatively major) or above under the annexed grading guide.
  trigger: { all: [{ kind: 'min-severity', grade: 'major' }], any: [] },
  initial: rule(4, 'detected', {
    overrides: [{ when: { kind: 'critical-infrastructure' }, hours: 1 }],
    note: l(
      '第四条：其他网络运营者最迟不得超过 4 小时向属地省级网信部门报告；涉及关键信息基础设施的，最迟不得超过 1 小时向保护工作部门、公安机关报告。自发现或获知时起算。',
      'Art. 4: other operators report to the provincial CAC within 4 hours at the latest; where critical information infrastructure is involved, to the protection department and the police within 1 hour. Counted from discovery.',
    ),
  }),
  update: rule(null, 'requested', {
    note: l(
      '情况紧急或暂时无法全部掌握的，可先报告主要情况，其他情况及时补报（续报）。',
      'Where not everything is known yet, the main facts are reported first and the rest followed up promptly.',
    ),
  }),
  summary: rule(720, 'closed', {
    note: l(
      '事件处置结束后 30 日内报送总结报告。',
      'A summary report within 30 days of the end of the response.',
    ),
  }),
  contents: [
    item(
      'organisation-and-system',
      l(
        '事件发生单位名称及发生事件的设施、系统、平台的基本情况',
        'The operator and the facility, system or platform where the event occurred',
      ),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'required',
    ),
    item(
      'occurrence',
      l('事件发现或发生时间、地点、事件类型', 'When and where the event was discovered, and its type'),
      '《国家网络安全事件报告管理办法》（报告内容）',
      OVERVIEW_FACTS,
      'optional',
    ),
    item(
      'impact',
      l('已造成的影响和危害', 'Impact and harm caused so far'),
      '《国家网络安全事件报告管理办法》（报告内容）；附件《网络安全事件分级指南》',
      [
        'severity',
        'severityReasons',
        'affectedSubjects',
        'byCategory',
        'sensitiveCategories',
        'criticalInfrastructure',
      ],
      'optional',
    ),
    item(
      'measures',
      l('已采取的措施及效果', 'Measures taken and their effect'),
      '《国家网络安全事件报告管理办法》（报告内容）',
      ['containedAt', 'measures'],
      'optional',
    ),
    item(
      'trend',
      l(
        '事态发展趋势及可能进一步造成的影响和危害',
        'How the event may develop and what further harm it may cause',
      ),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'required',
      ['initial', 'update'],
    ),
    item(
      'cause',
      l('初步分析的事件原因', 'Cause, as first analysed'),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'required',
      ['initial', 'update'],
    ),
    item(
      'support-needed',
      l('进一步调查分析和处置所需的支持', 'Support needed for further investigation and response'),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'optional',
      ['initial', 'update'],
    ),
    item(
      'attack-leads',
      l(
        '可能的攻击者信息、攻击路径、存在的漏洞等线索',
        'Leads: possible attacker, attack path, vulnerabilities',
      ),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'optional',
    ),
    item(
      'police-and-others',
      l('向公安机关报案、向其他有关部门报告的情况', 'Reports to the police and to other authorities'),
      '《国家网络安全事件报告管理办法》（报告内容）',
      [],
      'optional',
    ),
    item(
      'summary-analysis',
      l(
        '总结：事件原因、应急处置措施、危害、责任处理、整改情况和教训',
        'Summary: cause, response measures, harm, accountability, remediation and lessons',
      ),
      '《国家网络安全事件报告管理办法》（总结报告）',
      ['closedAt'],
      'required',
      ['summary'],
    ),
    item('timeline', l('处置时间线', 'Response timeline'), '', ['timeline'], 'none'),
  ],
  sources: [
    {
      citation:
        '《国家网络安全事件报告管理办法》（国家互联网信息办公室，2025年9月11日公布，2025年11月1日起施行）第四条',
      url: 'https://www.cac.gov.cn/',
    },
    { citation: '《中华人民共和国网络安全法》第二十五条', url: null },
  ],
  notes: l(
    '报告渠道：12387 网络安全事件报告热线、网信部门网站、微信公众号、小程序、邮件、传真。',
    'Channels: the 12387 incident hotline, the CAC website, WeChat account and mini-programme, email and fax.',
  ),
};

/** The NFRA's data-security measures for banking and insurance institutions (金规〔2024〕24号). */
const NFRA_2024: RegimeDefinition = {
  name: l(
    '《银行保险机构数据安全管理办法》数据安全事件报告',
    'NFRA Data Security Measures for Banking and Insurance Institutions: incident report',
  ),
  shortName: l('金融监管总局', 'NFRA'),
  jurisdiction: 'CN',
  language: 'zh-CN',
  recipients: [
    {
      kind: 'authority',
      name: l('国家金融监督管理总局或其派出机构', 'The NFRA or its local office'),
      when: null,
    },
  ],
  trigger: { all: [{ kind: 'min-affected-subjects', min: 1 }], any: [] },
  initial: rule(2, 'detected', {
    toBeConfirmed: true,
    note: l(
      '时限待合规部门确认：办法第七章（数据安全风险监测与处置）规定数据安全事件报告，此处暂设 2 小时（从严），确认后请修改。',
      'To be confirmed by compliance: Chapter 7 of the Measures (risk monitoring and response) requires incidents to be reported; ClaimGuard sets 2 hours (the strict side) until the figure is confirmed.',
    ),
  }),
  update: rule(null, 'requested'),
  summary: rule(null, 'closed', {
    toBeConfirmed: true,
    note: l('处置结束后的报告时限待确认。', 'The deadline of the closing report is to be confirmed.'),
  }),
  contents: [
    item('overview', l('事件概况', 'Incident overview'), '', OVERVIEW_FACTS, 'none'),
    item(
      'data-affected',
      l('涉及数据的类别、级别和数量', 'Categories, levels and amount of the data involved'),
      '《银行保险机构数据安全管理办法》第三章（数据分类分级）、第七章',
      ['affectedSubjects', 'byCategory', 'sensitiveCategories', 'severity'],
      'optional',
    ),
    item('cause', l('事件原因', 'Cause'), '《银行保险机构数据安全管理办法》第七章', [], 'required'),
    item(
      'measures',
      l('已采取的处置措施', 'Measures taken'),
      '《银行保险机构数据安全管理办法》第七章',
      ['containedAt', 'measures'],
      'optional',
    ),
    item(
      'customer-notice',
      l('告知受影响客户的情况', 'How affected customers are being told'),
      '《银行保险机构数据安全管理办法》第六章（个人信息保护）',
      [],
      'required',
    ),
    item('contact', l('联系人及联系方式', 'Contact person and details'), '', [], 'required'),
    item('timeline', l('处置时间线', 'Response timeline'), '', ['timeline'], 'none'),
  ],
  sources: [
    {
      citation:
        '《银行保险机构数据安全管理办法》（国家金融监督管理总局，金规〔2024〕24号，2024年12月27日）第七章',
      url: 'https://www.nfra.gov.cn/',
    },
  ],
  notes: l(
    '时限和适用条件待合规部门对照原文确认（见 docs/regulatory-reports.md）。',
    'The deadline and trigger await confirmation against the text by compliance (see docs/regulatory-reports.md).',
  ),
};

const GDPR_URL = 'https://eur-lex.europa.eu/eli/reg/2016/679/oj';

/** GDPR Art. 33: notification of a personal data breach to the supervisory authority. */
const GDPR_33: RegimeDefinition = {
  name: l(
    'GDPR 第33条 向监管机构通知个人数据泄露',
    'GDPR Art. 33: notification of a personal data breach to the supervisory authority',
  ),
  shortName: l('GDPR 第33条', 'GDPR 33'),
  jurisdiction: 'EU',
  language: 'en-US',
  recipients: [
    {
      kind: 'authority',
      name: l('主管监管机构（第55、56条）', 'The competent supervisory authority (Art. 55, 56)'),
      when: null,
    },
  ],
  trigger: { all: [{ kind: 'subjects-in-jurisdiction', jurisdiction: 'EU', min: 1 }], any: [] },
  initial: rule(72, 'aware', {
    note: l(
      '不得无故拖延，在知悉后 72 小时内；迟于 72 小时的须说明理由。不太可能对自然人权利和自由造成风险的可不通知（须记录理由，第33条第5款）。',
      'Without undue delay and, where feasible, not later than 72 hours after becoming aware; a later notification states the reasons for the delay. Not needed where the breach is unlikely to result in a risk (record why: Art. 33(5)).',
    ),
  }),
  update: rule(null, 'requested', {
    note: l('信息可分阶段提供（第33条第4款）。', 'Information may be provided in phases (Art. 33(4)).'),
  }),
  summary: null,
  contents: [
    item('overview', l('事件概况', 'Breach overview'), 'GDPR Art. 33(5)', OVERVIEW_FACTS, 'none'),
    item(
      'nature',
      l(
        '泄露的性质，包括涉及的数据主体和记录的类别及大致数量',
        'The nature of the breach, including the categories and approximate number of data subjects and of records concerned',
      ),
      'GDPR Art. 33(3)(a)',
      ['affectedSubjects', 'subjectsByJurisdiction', 'byCategory', 'sensitiveCategories', 'crossBorder'],
      'required',
    ),
    item(
      'contact-point',
      l(
        '数据保护官或其他联系人的姓名和联系方式',
        'Name and contact details of the data protection officer or other contact point',
      ),
      'GDPR Art. 33(3)(b)',
      [],
      'required',
    ),
    item(
      'consequences',
      l('泄露可能造成的后果', 'The likely consequences of the breach'),
      'GDPR Art. 33(3)(c)',
      ['severity', 'severityReasons'],
      'required',
    ),
    item(
      'measures',
      l(
        '已采取或拟采取的处理措施，包括减轻不利影响的措施',
        'Measures taken or proposed to address the breach, including measures to mitigate its possible adverse effects',
      ),
      'GDPR Art. 33(3)(d)',
      ['containedAt', 'measures'],
      'optional',
    ),
    item('delay-reasons', l('迟延理由', 'Reasons for any delay'), 'GDPR Art. 33(1)', [], 'optional', [
      'initial',
    ]),
    item('timeline', l('处置时间线', 'Timeline'), 'GDPR Art. 33(5)', ['timeline'], 'none'),
  ],
  sources: [{ citation: 'Regulation (EU) 2016/679 (GDPR), Art. 33(1), (3), (4), (5)', url: GDPR_URL }],
  notes: l(
    '仅在受影响的数据主体位于欧盟/欧洲经济区时适用（依据事件事实中的司法辖区）。',
    'Applies only where affected data subjects are in the EU/EEA (from the jurisdictions in the incident facts).',
  ),
};

/** GDPR Art. 34: communication of a high-risk breach to the data subjects. */
const GDPR_34: RegimeDefinition = {
  name: l(
    'GDPR 第34条 向数据主体告知个人数据泄露',
    'GDPR Art. 34: communication of a personal data breach to the data subject',
  ),
  shortName: l('GDPR 第34条', 'GDPR 34'),
  jurisdiction: 'EU',
  language: 'en-US',
  recipients: [
    { kind: 'individuals', name: l('受影响的数据主体', 'The data subjects affected'), when: null },
  ],
  // "Likely to result in a high risk": sensitive data, or an incident graded relatively major or above.
  trigger: {
    all: [{ kind: 'subjects-in-jurisdiction', jurisdiction: 'EU', min: 1 }],
    any: [{ kind: 'sensitive-categories' }, { kind: 'min-severity', grade: 'major' }],
  },
  initial: rule(72, 'aware', {
    note: l(
      '法律要求“不得无故拖延”，未规定小时数；此处与第33条一致设为 72 小时。',
      'The law says "without undue delay" and sets no hours; ClaimGuard aligns it with Art. 33 at 72 hours.',
    ),
  }),
  update: null,
  summary: null,
  contents: [
    item(
      'nature-plain',
      l('以清晰易懂的语言描述泄露的性质', 'The nature of the breach, in clear and plain language'),
      'GDPR Art. 34(2)',
      ['byCategory', 'sensitiveCategories'],
      'required',
    ),
    item(
      'contact-point',
      l(
        '数据保护官或其他联系人的姓名和联系方式',
        'Name and contact details of the data protection officer or other contact point',
      ),
      'GDPR Art. 34(2), 33(3)(b)',
      [],
      'required',
    ),
    item(
      'consequences',
      l('泄露可能造成的后果', 'The likely consequences of the breach'),
      'GDPR Art. 34(2), 33(3)(c)',
      ['severity'],
      'required',
    ),
    item(
      'measures',
      l('已采取或拟采取的措施', 'Measures taken or proposed, including mitigation'),
      'GDPR Art. 34(2), 33(3)(d)',
      ['measures'],
      'optional',
    ),
  ],
  sources: [{ citation: 'Regulation (EU) 2016/679 (GDPR), Art. 34(1)-(3)', url: GDPR_URL }],
  notes: l(
    '第34条第3款的例外（数据已加密等、已采取措施使高风险不再可能发生、需付出不成比例的努力时改为公开通告）须记录理由后豁免。',
    'Art. 34(3) exceptions (data unintelligible, e.g. encrypted; subsequent measures make the high risk no longer likely; disproportionate effort, then a public communication) are recorded as a waiver with the reason.',
  ),
};

/** NAIC Insurance Data Security Model Law (#668), Section 6: notification to the commissioner. */
const NAIC_668: RegimeDefinition = {
  name: l(
    'NAIC 保险数据安全示范法（第668号）第6节 向保险监督官通知',
    'NAIC Insurance Data Security Model Law (#668), Section 6: notification to the Commissioner',
  ),
  shortName: l('NAIC 668', 'NAIC 668'),
  jurisdiction: 'US',
  language: 'en-US',
  recipients: [
    {
      kind: 'authority',
      name: l('受影响消费者所在州的保险监督官', 'The Insurance Commissioner of each state concerned'),
      when: null,
    },
  ],
  // Section 6(A)(2): 250 or more consumers residing in the state (domicile states: edit the trigger).
  trigger: { all: [{ kind: 'subjects-in-jurisdiction', jurisdiction: 'US', min: 250 }], any: [] },
  initial: rule(72, 'aware', {
    note: l(
      '尽快，最迟不晚于确定发生网络安全事件后 72 小时（第6节A款）。',
      'As promptly as possible but in no event later than 72 hours from a determination that a Cybersecurity Event has occurred (Section 6(A)).',
    ),
  }),
  update: rule(null, 'requested', {
    note: l(
      '持续更新和补充初次及后续通知的义务（第6节B款）。',
      'A continuing obligation to update and supplement initial and subsequent notifications (Section 6(B)).',
    ),
  }),
  summary: null,
  contents: [
    item(
      'date',
      l('网络安全事件发生日期', 'Date of the Cybersecurity Event'),
      'NAIC #668 §6(B)(1)',
      ['detectedAt', 'declaredAt'],
      'optional',
    ),
    item(
      'how-exposed',
      l(
        '信息如何被暴露、丢失、窃取或泄露，包括第三方服务商的角色和责任',
        'How the information was exposed, lost, stolen or breached, including the roles of third-party service providers',
      ),
      'NAIC #668 §6(B)(2)',
      ['kind'],
      'required',
    ),
    item(
      'how-discovered',
      l('如何发现该事件', 'How the Cybersecurity Event was discovered'),
      'NAIC #668 §6(B)(3)',
      ['detectedAt'],
      'required',
    ),
    item(
      'recovered',
      l(
        '被泄露的信息是否已追回及如何追回',
        'Whether any lost, stolen or breached information has been recovered, and how',
      ),
      'NAIC #668 §6(B)(4)',
      [],
      'required',
    ),
    item(
      'source',
      l('事件来源的身份', 'The identity of the source of the Cybersecurity Event'),
      'NAIC #668 §6(B)(5)',
      [],
      'required',
    ),
    item(
      'police-and-agencies',
      l(
        '是否已报警或通知监管、政府或执法机构及时间',
        'Whether a police report was filed or regulatory, government or law-enforcement agencies notified, and when',
      ),
      'NAIC #668 §6(B)(6)',
      [],
      'required',
    ),
    item(
      'information-types',
      l('未经授权获取的具体信息类型', 'The specific types of information acquired without authorization'),
      'NAIC #668 §6(B)(7)',
      ['byCategory', 'sensitiveCategories'],
      'optional',
    ),
    item(
      'period',
      l('信息系统被入侵的期间', 'The period during which the Information System was compromised'),
      'NAIC #668 §6(B)(8)',
      ['compromisedPeriod'],
      'optional',
    ),
    item(
      'consumers-affected',
      l(
        '本州受影响消费者总数（最佳估计，随后续报告更新）',
        'The number of total Consumers in this State affected (best estimate, updated with each report)',
      ),
      'NAIC #668 §6(B)(9)',
      ['subjectsByJurisdiction', 'affectedSubjects'],
      'optional',
    ),
    item(
      'internal-review',
      l(
        '内部审查结果：自动控制或内部程序是否存在疏漏',
        'Results of any internal review identifying a lapse in automated controls or internal procedures, or confirming they were followed',
      ),
      'NAIC #668 §6(B)(10)',
      [],
      'required',
    ),
    item(
      'remediation',
      l(
        '为纠正导致事件的情形所作的努力',
        'Efforts being undertaken to remediate the situation which permitted the event',
      ),
      'NAIC #668 §6(B)(11)',
      ['measures'],
      'optional',
    ),
    item(
      'privacy-policy-and-steps',
      l(
        '隐私政策副本，以及调查和通知受影响消费者的步骤说明',
        "A copy of the Licensee's privacy policy and the steps it will take to investigate and notify affected Consumers",
      ),
      'NAIC #668 §6(B)(12)',
      [],
      'required',
    ),
    item(
      'contact-person',
      l(
        '熟悉事件并获授权代表被许可人的联系人姓名',
        'Name of a contact person familiar with the event and authorized to act for the Licensee',
      ),
      'NAIC #668 §6(B)(13)',
      [],
      'required',
    ),
  ],
  sources: [
    {
      citation: 'NAIC Insurance Data Security Model Law (MDL-668), Section 6(A), 6(B)(1)-(13)',
      url: 'https://content.naic.org/sites/default/files/model-law-668.pdf',
    },
  ],
  notes: l(
    '适用于在美国某州持牌且该州有 250 名以上居民受影响的情形，或该州为本机构注册地（请相应修改触发条件）。',
    'Applies where the insurer is licensed in a state and 250 or more of its residents are affected, or the state is its domicile (edit the trigger accordingly).',
  ),
};

/** The shipped regimes by id, in the order they are listed. */
export const SHIPPED_REGIMES: readonly { id: string; definition: RegimeDefinition }[] = [
  { id: 'pipl-57', definition: PIPL_57 },
  { id: 'cac-incident-2025', definition: CAC_2025 },
  { id: 'nfra-data-security', definition: NFRA_2024 },
  { id: 'gdpr-33', definition: GDPR_33 },
  { id: 'gdpr-34', definition: GDPR_34 },
  { id: 'naic-668', definition: NAIC_668 },
];
