import { DATA_CATEGORIES } from '../vault/personal-data-catalogue.js';
import { type IncidentFacts, SEVERITY_GRADE_LABELS } from './incident-facts.js';
import type { ContentItem, FactKey, RegimeDefinition, ReportKind } from './regime-definition.js';

/**
 * How facts are written into a report (S4.4), in the report's language: counts, categories, grades,
 * times (Beijing time for Chinese reports, UTC for English ones, always labelled), measures and the
 * timeline. The export formats (PDF, DOCX, JSON) all render the {@link ReportDocument} built here, so
 * they say the same thing.
 */

export type ReportLanguage = 'zh-CN' | 'en-US';

const INCIDENT_KINDS: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  'insider-misuse': { 'zh-CN': '内部人员滥用', 'en-US': 'Insider misuse' },
  'stolen-credentials': { 'zh-CN': '账号凭据被盗', 'en-US': 'Stolen credentials' },
  'external-intrusion': { 'zh-CN': '外部入侵', 'en-US': 'External intrusion' },
  'misdirected-documents': { 'zh-CN': '材料误发', 'en-US': 'Documents sent to the wrong recipient' },
  'processor-leak': { 'zh-CN': '第三方处理者泄露', 'en-US': "A third-party processor's leak" },
  'lost-device': { 'zh-CN': '设备丢失', 'en-US': 'Lost device' },
  ransomware: { 'zh-CN': '勒索软件', 'en-US': 'Ransomware' },
};

const SENSITIVITY: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  sensitive: { 'zh-CN': '敏感', 'en-US': 'sensitive' },
  general: { 'zh-CN': '一般', 'en-US': 'general' },
  'non-sensitive': { 'zh-CN': '一般', 'en-US': 'general' },
};

function labelOf(
  map: Record<string, { 'zh-CN': string; 'en-US': string }>,
  key: string,
  language: ReportLanguage,
) {
  return Object.hasOwn(map, key) ? (map[key] as { 'zh-CN': string; 'en-US': string })[language] : key;
}

function categoryLabel(category: string, language: ReportLanguage): string {
  return labelOf(DATA_CATEGORIES, category, language);
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A time as regulators read it: Beijing time (UTC+8) in Chinese, UTC in English, to the minute. */
export function formatTime(time: Date, language: ReportLanguage): string {
  const shifted = new Date(time.getTime() + (language === 'zh-CN' ? 8 * 3_600_000 : 0));
  const text = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ${pad(
    shifted.getUTCHours(),
  )}:${pad(shifted.getUTCMinutes())}`;
  return language === 'zh-CN' ? `${text}（北京时间）` : `${text} UTC`;
}

/** Counts with thousands separators, the same in both languages. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

const yesNo = (value: boolean, language: ReportLanguage) =>
  language === 'zh-CN' ? (value ? '是' : '否') : value ? 'yes' : 'no';

/** The lines a fact contributes to a content item. */
export function factLines(key: FactKey, facts: IncidentFacts, language: ReportLanguage): string[] {
  const zh = language === 'zh-CN';
  const time = (value: Date) => formatTime(value, language);
  switch (key) {
    case 'reference':
      return [`${zh ? '事件编号：' : 'Incident reference: '}${facts.reference}`];
    case 'title':
      return [`${zh ? '事件名称：' : 'Title: '}${facts.title}`];
    case 'kind':
      return [`${zh ? '事件类型：' : 'Kind: '}${labelOf(INCIDENT_KINDS, facts.kind, language)}`];
    case 'drill':
      return facts.isDrill
        ? [
            zh
              ? '【演练】本事件为应急演练，并非真实事件。'
              : '[DRILL] This incident is an exercise, not a real event.',
          ]
        : [];
    case 'detectedAt':
      return [`${zh ? '发现时间：' : 'Detected: '}${time(facts.detectedAt)}`];
    case 'declaredAt':
      return [`${zh ? '确认时间：' : 'Declared (became aware): '}${time(facts.declaredAt)}`];
    case 'containedAt':
      return [
        `${zh ? '控制时间：' : 'Contained: '}${
          facts.containedAt ? time(facts.containedAt) : zh ? '尚未控制' : 'not yet contained'
        }`,
      ];
    case 'closedAt':
      return [
        `${zh ? '处置结束时间：' : 'Response closed: '}${
          facts.closedAt ? time(facts.closedAt) : zh ? '尚未结束' : 'not yet closed'
        }`,
      ];
    case 'compromisedPeriod': {
      const end = facts.containedAt ? time(facts.containedAt) : zh ? '至今' : 'ongoing';
      return [
        zh
          ? `受影响期间：自 ${time(facts.detectedAt)}（发现）至 ${end}（控制）`
          : `Period: from ${time(facts.detectedAt)} (detected) to ${end} (contained)`,
      ];
    }
    case 'severity':
      return [
        `${zh ? '事件级别：' : 'Severity grade: '}${SEVERITY_GRADE_LABELS[facts.severity.grade][language]}`,
      ];
    case 'severityReasons':
      return facts.severity.reasons.map((reason) => `- ${reason}`);
    case 'affectedSubjects':
      return [
        zh
          ? `受影响个人数量：${formatCount(facts.affectedSubjects)} 人`
          : `Data subjects affected: ${formatCount(facts.affectedSubjects)}`,
      ];
    case 'byCategory':
      return facts.byCategory.map(
        (entry) =>
          `- ${categoryLabel(entry.category, language)} (${labelOf(SENSITIVITY, entry.sensitivity, language)}): ${formatCount(
            entry.subjects,
          )}${zh ? ' 人' : ''}`,
      );
    case 'sensitiveCategories':
      return [
        facts.sensitiveCategories.length > 0
          ? `${zh ? '涉及敏感个人信息：' : 'Sensitive personal information: '}${facts.sensitiveCategories
              .map((category) => categoryLabel(category, language))
              .join(zh ? '、' : ', ')}`
          : zh
            ? '未涉及敏感个人信息'
            : 'No sensitive personal information involved',
      ];
    case 'criticalInfrastructure':
      return [
        `${zh ? '涉及关键信息基础设施：' : 'Critical information infrastructure involved: '}${yesNo(
          facts.involvesCriticalInfrastructure,
          language,
        )}`,
      ];
    case 'crossBorder':
      return [`${zh ? '涉及跨境：' : 'Cross-border: '}${yesNo(facts.crossBorder, language)}`];
    case 'subjectsByJurisdiction':
      return facts.subjectsByJurisdiction && facts.subjectsByJurisdiction.length > 0
        ? facts.subjectsByJurisdiction.map(
            (entry) => `- ${entry.jurisdiction}: ${formatCount(entry.subjects)}${zh ? ' 人' : ''}`,
          )
        : [
            zh
              ? '受影响者所在地：均在中国境内（未记录其他司法辖区）'
              : 'Jurisdictions: none recorded outside China',
          ];
    case 'measures':
      return facts.measures.length > 0
        ? facts.measures.map((measure) => `- ${time(measure.at)} ${measure.action} (${measure.by})`)
        : [zh ? '（尚无记录的措施）' : '(no measures recorded yet)'];
    case 'timeline':
      return facts.timeline.map((entry) => `- ${time(entry.at)} ${entry.what} (${entry.by})`);
  }
}

/** The content items a kind of report carries. */
export function itemsFor(definition: RegimeDefinition, kind: ReportKind): ContentItem[] {
  return definition.contents.filter((item) => item.kinds.includes(kind));
}

/** Items that need a person's text before the report can be marked ready, and do not have it. */
export function missingRequired(
  definition: RegimeDefinition,
  kind: ReportKind,
  fields: Readonly<Record<string, string>>,
): string[] {
  return itemsFor(definition, kind)
    .filter((item) => item.person === 'required' && !(fields[item.id] ?? '').trim())
    .map((item) => item.id);
}

export type ReportDocument = {
  language: ReportLanguage;
  title: string;
  regimeName: string;
  drill: boolean;
  meta: { label: string; value: string }[];
  items: {
    id: string;
    label: string;
    citation: string;
    facts: string[];
    text: string | null;
    person: ContentItem['person'];
  }[];
  notes: string | null;
  sources: string[];
  generatedAt: string;
};

export type DocumentInput = {
  id: string;
  kind: ReportKind;
  sequence: number;
  status: string;
  definition: RegimeDefinition;
  facts: IncidentFacts;
  fields: Readonly<Record<string, string>>;
  recipients: string[];
  dueAt: Date | null;
  deadlineHours: number | null;
  deadlineToBeConfirmed: boolean;
  waivedReason: string | null;
  submission: { at: Date; channel: string; reference: string | null } | null;
};

const KIND_LABELS: Record<ReportKind, { 'zh-CN': string; 'en-US': string }> = {
  initial: { 'zh-CN': '初次报告', 'en-US': 'Initial report' },
  update: { 'zh-CN': '续报', 'en-US': 'Update' },
  summary: { 'zh-CN': '总结报告', 'en-US': 'Summary report' },
};

const STATUS_LABELS: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  draft: { 'zh-CN': '草稿', 'en-US': 'Draft' },
  ready: { 'zh-CN': '待报送', 'en-US': 'Ready to submit' },
  submitted: { 'zh-CN': '已报送', 'en-US': 'Submitted' },
  waived: { 'zh-CN': '无需报送', 'en-US': 'Not required' },
};

/** The report as a document in its regime's language, ready for any export format. */
export function buildDocument(input: DocumentInput, generatedAt: Date): ReportDocument {
  const language = input.definition.language;
  const zh = language === 'zh-CN';
  const kindLabel =
    KIND_LABELS[input.kind][language] + (input.kind === 'update' ? ` #${input.sequence}` : '');
  const meta: ReportDocument['meta'] = [
    { label: zh ? '事件编号' : 'Incident reference', value: input.facts.reference },
    { label: zh ? '报告类型' : 'Report', value: kindLabel },
    { label: zh ? '状态' : 'Status', value: labelOf(STATUS_LABELS, input.status, language) },
    { label: zh ? '报送对象' : 'To', value: input.recipients.join(zh ? '；' : '; ') },
  ];
  if (input.dueAt) {
    const hours =
      input.deadlineHours !== null
        ? zh
          ? `（${input.deadlineHours} 小时）`
          : ` (${input.deadlineHours} h)`
        : '';
    const tbc = input.deadlineToBeConfirmed ? (zh ? '，时限待确认' : ', deadline to be confirmed') : '';
    meta.push({
      label: zh ? '报送截止' : 'Due',
      value: `${formatTime(input.dueAt, language)}${hours}${tbc}`,
    });
  }
  if (input.submission)
    meta.push({
      label: zh ? '报送记录' : 'Submitted',
      value: `${formatTime(input.submission.at, language)}, ${input.submission.channel}${
        input.submission.reference ? `, ${input.submission.reference}` : ''
      }`,
    });
  if (input.waivedReason)
    meta.push({ label: zh ? '无需报送的理由' : 'Why not required', value: input.waivedReason });
  return {
    language,
    title: `${input.definition.shortName[language]} — ${kindLabel}${input.facts.isDrill ? (zh ? '（演练）' : ' (DRILL)') : ''}`,
    regimeName: input.definition.name[language],
    drill: input.facts.isDrill,
    meta,
    items: itemsFor(input.definition, input.kind).map((item) => ({
      id: item.id,
      label: item.label[language],
      citation: item.citation,
      facts: item.facts.flatMap((key) => factLines(key, input.facts, language)),
      text: (input.fields[item.id] ?? '').trim() || null,
      person: item.person,
    })),
    notes: input.definition.notes?.[language] ?? null,
    sources: input.definition.sources.map((source) => source.citation),
    generatedAt: formatTime(generatedAt, language),
  };
}
