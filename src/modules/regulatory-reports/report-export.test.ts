import { randomBytes, randomUUID } from 'node:crypto';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { pdfText } from '../../test-support/pdf-text.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { openTestStore } from '../../test-support/test-stores.js';
import type { RequestContext } from '../access/principal.js';
import { NotificationService } from '../notifications/notifications.service.js';
import { RegulatoryReportsService, type ReportView } from './regulatory-reports.service.js';
import { FakeIncidentFacts, insiderLeakFacts } from './regulatory-reports-test-kit.js';

/**
 * S4.4: reports exported as PDF (Chinese rendered through the embedded Noto Sans SC), DOCX and JSON carry
 * the incident's counts, categories and the person's text. The PDF's text is read back through its fonts'
 * ToUnicode maps (src/test-support/pdf-text.ts), so a count only passes if it is really drawn.
 */

async function docxText(bytes: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')?.async('string');
  if (!xml) throw new Error('no word/document.xml');
  // One paragraph per line; runs of a paragraph joined.
  return xml
    .split('</w:p>')
    .map((paragraph) =>
      [...paragraph.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((match) => match[1]).join(''),
    )
    .filter(Boolean)
    .join('\n')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

const context: RequestContext = {
  principal: {
    kind: 'staff',
    userId: randomUUID(),
    role: 'security_officer',
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: 'x',
  },
  requestId: randomUUID(),
  ip: null,
  userAgent: null,
};

describe('regulatory report exports', () => {
  let store: Store;
  let service: RegulatoryReportsService;
  let audit: RecordingAudit;
  let cac: ReportView;
  let gdpr: ReportView;
  const facts = insiderLeakFacts({
    incidentId: `inc-${randomUUID()}`,
    subjectsByJurisdiction: [
      { jurisdiction: 'CN', subjects: 1_234_000 },
      { jurisdiction: 'DE', subjects: 567 },
    ],
  });

  beforeAll(async () => {
    store = await openTestStore();
    audit = new RecordingAudit();
    service = new RegulatoryReportsService(store.db, {
      facts: new FakeIncidentFacts(facts),
      audit,
      notifications: new NotificationService({
        secretKey: randomBytes(32),
        publicUrl: 'https://claims.example.com',
      }),
      officers: { securityOfficerIds: async () => [] },
      now: () => new Date('2026-11-20T15:00:00Z'),
    });
    await service.assess(null, facts.incidentId);
    const reports = await service.reportsOfIncident(facts.incidentId);
    cac = reports.find((report) => report.regimeId === 'cac-incident-2025') as ReportView;
    gdpr = reports.find((report) => report.regimeId === 'gdpr-33') as ReportView;
    cac = await service.updateReport(context, cac.id, {
      expectedVersion: cac.version,
      fields: { cause: '理赔专员账号被滥用，超出职责范围批量查询客户信息。' },
    });
    gdpr = await service.updateReport(context, gdpr.id, {
      expectedVersion: gdpr.version,
      fields: { 'contact-point': 'Data Protection Officer, dpo@insurer.example' },
    });
  });

  afterAll(async () => {
    await store.close();
  });

  it('writes the CAC report as a PDF in Chinese, with the counts and the person’s text', async () => {
    const exported = await service.export(context, cac.id, 'pdf');
    expect(exported.contentType).toBe('application/pdf');
    expect(exported.fileName).toBe('INC-2026-0007-cac-incident-2025-initial.pdf');
    expect(exported.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(exported.bytes);
    expect(text).toContain('网信办事件报告 — 初次报告');
    expect(text).toContain('受影响个人数量：1,234,567 人');
    expect(text).toContain('- 身份信息 (敏感): 1,234,567 人');
    expect(text).toContain('- 金融账户信息 (敏感): 87,654 人');
    expect(text).toContain('事件级别：较大');
    expect(text).toContain('理赔专员账号被滥用，超出职责范围批量查询客户信息。');
    expect(text).toContain('属地省级网信部门');
    // Required items nobody has written yet are flagged, not silently left out.
    expect(text).toContain('（待填写）');
    // Every glyph drawn maps back to a character: nothing fell outside the embedded font.
    expect(text).not.toContain('\uFFFD');
    expect(exported.bytes.length).toBeLessThan(400_000);
    expect(audit.events.find((event) => event.action === 'regulatory-report.exported')).toMatchObject({
      resource: { type: 'regulatory-report', id: cac.id },
      details: { format: 'pdf' },
    });
  });

  it('writes the GDPR report in English, as PDF and DOCX alike', async () => {
    const pdf = pdfText((await service.export(context, gdpr.id, 'pdf')).bytes);
    const docx = await docxText((await service.export(context, gdpr.id, 'docx')).bytes);
    for (const text of [pdf, docx]) {
      expect(text).toContain('GDPR 33 — Initial report');
      expect(text).toContain('Data subjects affected: 1,234,567');
      expect(text).toContain('- DE: 567');
      expect(text).toContain('Data Protection Officer, dpo@insurer.example');
      expect(text).toContain('GDPR Art. 33(3)(a)');
      expect(text).toContain('2026-11-23 14:35 UTC (72 h)');
    }
  });

  it('writes the CAC report as DOCX with the same contents', async () => {
    const exported = await service.export(context, cac.id, 'docx');
    expect(exported.contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    const text = await docxText(exported.bytes);
    expect(text).toContain('受影响个人数量：1,234,567 人');
    expect(text).toContain('- 金融账户信息 (敏感): 87,654 人');
    expect(text).toContain('理赔专员账号被滥用，超出职责范围批量查询客户信息。');
    expect(text).toContain('报送截止: 2026-11-21 02:05（北京时间）（4 小时）');
  });

  it('writes JSON with the facts, the fields and the rendered document', async () => {
    const exported = await service.export(context, cac.id, 'json');
    const body = JSON.parse(exported.bytes.toString('utf8')) as {
      format: string;
      report: { regimeId: string; dueAt: string; kind: string };
      facts: { affectedSubjects: number; byCategory: { category: string; subjects: number }[] };
      fields: Record<string, string>;
      document: { items: { id: string; facts: string[] }[] };
    };
    expect(body.format).toBe('claimguard.regulatory-report/v1');
    expect(body.report).toMatchObject({
      regimeId: 'cac-incident-2025',
      kind: 'initial',
      dueAt: '2026-11-20T18:05:00.000Z',
    });
    expect(body.facts.affectedSubjects).toBe(1_234_567);
    expect(body.facts.byCategory).toContainEqual({
      category: 'financial',
      sensitivity: 'sensitive',
      subjects: 87_654,
    });
    expect(body.fields.cause).toContain('理赔专员');
    expect(body.document.items.find((item) => item.id === 'impact')?.facts).toContain(
      '受影响个人数量：1,234,567 人',
    );
  });

  it('marks a drill in the exported report', async () => {
    const drill = insiderLeakFacts({ incidentId: `inc-${randomUUID()}`, isDrill: true });
    const drillService = new RegulatoryReportsService(store.db, {
      facts: new FakeIncidentFacts(drill),
      audit,
      notifications: null,
      officers: { securityOfficerIds: async () => [] },
    });
    await drillService.assess(null, drill.incidentId);
    const [report] = await drillService.reportsOfIncident(drill.incidentId);
    const text = pdfText((await drillService.export(context, (report as ReportView).id, 'pdf')).bytes);
    expect(text).toContain('演练 · 非真实事件');
    expect(text).toContain('（演练）');
  });
});
