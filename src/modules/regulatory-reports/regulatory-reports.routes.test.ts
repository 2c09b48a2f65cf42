import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../../test-support/pdf-text.js';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { RegulatoryDeadlineMonitor } from './deadline-monitor.js';
import type { RegimeDefinition } from './regime-definition.js';
import type { ReportView } from './regulatory-reports.service.js';
import { FakeIncidentFacts, insiderLeakFacts } from './regulatory-reports-test-kit.js';

/**
 * Reports to regulators over HTTP (S4.4): the security officer assesses an incident, completes the CAC
 * report, marks it ready, records its submission and downloads it; the internal auditor reads; others
 * are refused; deadlines alert the security officers in-app.
 */

type Json = Record<string, unknown>;
const HOUR = 3_600_000;

describe('regulatory reports API', () => {
  let server: TestServer;
  let officer: StaffSession;
  let auditor: StaffSession;
  let adjuster: StaffSession;
  const started = Date.now();
  // Detected 3.5 hours ago: the CAC's 4 hours are nearly up, PIPL's hour after declaration has passed.
  const facts = insiderLeakFacts({
    incidentId: 'inc-routes-1',
    detectedAt: new Date(started - 3.5 * HOUR),
    declaredAt: new Date(started - 3.4 * HOUR),
    containedAt: null,
    measures: [],
    timeline: [{ at: new Date(started - 3.5 * HOUR), what: '蜜罐客户被读取', by: 'detection' }],
  });
  const source = new FakeIncidentFacts(facts);

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000, incidentFacts: source });
    officer = await signInAs(server, 'security_officer');
    auditor = await signInAs(server, 'internal_auditor');
    adjuster = await signInAs(server, 'adjuster');
  }, 120_000);

  afterAll(async () => {
    await server.close();
  });

  const reportsOf = async (session: StaffSession) => {
    const response = await session.request(
      'GET',
      `/api/v1/regulatory-reports/incidents/${facts.incidentId}/reports`,
    );
    expect(response.statusCode).toBe(200);
    return response.json() as { items: ReportView[]; serverTime: string; warnFraction: number };
  };

  it('lists the shipped regimes to the officer and the auditor, to nobody else', async () => {
    const listed = await officer.request('GET', '/api/v1/regulatory-reports/regimes');
    expect(listed.statusCode).toBe(200);
    const ids = (listed.json() as { items: { id: string }[] }).items.map((regime) => regime.id);
    expect(ids).toEqual([
      'cac-incident-2025',
      'gdpr-33',
      'gdpr-34',
      'naic-668',
      'nfra-data-security',
      'pipl-57',
    ]);
    expect((await auditor.request('GET', '/api/v1/regulatory-reports/regimes')).statusCode).toBe(200);
    expect((await adjuster.request('GET', '/api/v1/regulatory-reports/regimes')).statusCode).toBe(403);
  });

  it('assesses an incident and opens its reports; unknown incidents are not found', async () => {
    const assessed = await officer.request(
      'POST',
      `/api/v1/regulatory-reports/incidents/${facts.incidentId}/assessment`,
    );
    expect(assessed.statusCode).toBe(200);
    expect((assessed.json() as { opened: string[] }).opened).toHaveLength(3);
    const unknown = await officer.request(
      'POST',
      '/api/v1/regulatory-reports/incidents/inc-nobody/assessment',
    );
    expect(unknown.statusCode).toBe(404);
    expect(
      (await auditor.request('POST', `/api/v1/regulatory-reports/incidents/${facts.incidentId}/assessment`))
        .statusCode,
    ).toBe(403);

    const list = await reportsOf(auditor);
    expect(list.items.map((report) => report.regimeId).sort()).toEqual([
      'cac-incident-2025',
      'nfra-data-security',
      'pipl-57',
    ]);
    const byRegime = new Map(list.items.map((report) => [report.regimeId, report]));
    expect(byRegime.get('cac-incident-2025')?.deadline.state).toBe('approaching');
    expect(byRegime.get('pipl-57')?.deadline.state).toBe('missed');
    expect(list.warnFraction).toBe(0.25);
    expect(Math.abs(new Date(list.serverTime).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('takes the CAC report to submitted and exports it with the right counts', async () => {
    let report = (await reportsOf(officer)).items.find(
      (candidate) => candidate.regimeId === 'cac-incident-2025',
    ) as ReportView;
    const url = `/api/v1/regulatory-reports/reports/${report.id}`;

    const early = await officer.request('PATCH', url, { expectedVersion: report.version, status: 'ready' });
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ type: '/problems/validation-failed', missing: report.missing });

    const completed = await officer.request('PATCH', url, {
      expectedVersion: report.version,
      fields: {
        'organisation-and-system': 'ClaimGuard 理赔系统（北京分公司）',
        trend: '已控制，预计不再扩大。',
        cause: '理赔专员账号被滥用。',
      },
      status: 'ready',
    });
    expect(completed.statusCode, completed.body).toBe(200);
    report = completed.json() as ReportView;
    expect(report.status).toBe('ready');
    expect(
      (await auditor.request('PATCH', url, { expectedVersion: report.version, fields: {} })).statusCode,
    ).toBe(403);
    const stale = await officer.request('PATCH', url, { expectedVersion: report.version - 1, fields: {} });
    expect(stale.statusCode).toBe(409);

    const submitted = await officer.request('POST', `${url}/submission`, {
      expectedVersion: report.version,
      submittedAt: new Date().toISOString(),
      channel: '12387 网络安全事件报告平台',
      reference: 'BJ-2026-0042',
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({
      status: 'submitted',
      submission: { channel: '12387 网络安全事件报告平台', reference: 'BJ-2026-0042', by: officer.userId },
      deadline: { state: 'met' },
    });

    const pdf = await auditor.request('GET', `${url}/export?format=pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(
      'attachment; filename="INC-2026-0007-cac-incident-2025-initial.pdf"',
    );
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('受影响个人数量：1,234,567 人');
    expect(text).toContain('- 金融账户信息 (敏感): 87,654 人');
    expect(text).toContain('BJ-2026-0042');

    const docx = await officer.request('GET', `${url}/export?format=docx`);
    expect(docx.statusCode).toBe(200);
    expect(docx.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
    const json = await officer.request('GET', `${url}/export?format=json`);
    expect((json.json() as { facts: Json }).facts.affectedSubjects).toBe(1_234_567);
    expect((await officer.request('GET', `${url}/export?format=html`)).statusCode).toBe(400);
    expect((await adjuster.request('GET', `${url}/export?format=pdf`)).statusCode).toBe(403);

    const exported = await server.auditService.query({ action: 'regulatory-report.exported' });
    expect(exported.items.length).toBe(3);
  });

  it('opens an update linked to the first report, and waives a report with a reason', async () => {
    const items = (await reportsOf(officer)).items;
    const cac = items.find((report) => report.regimeId === 'cac-incident-2025') as ReportView;
    const update = await officer.request('POST', `/api/v1/regulatory-reports/reports/${cac.id}/updates`);
    expect(update.statusCode).toBe(201);
    expect(update.json()).toMatchObject({ kind: 'update', sequence: 1, parentId: cac.id });

    const nfra = items.find((report) => report.regimeId === 'nfra-data-security') as ReportView;
    const waived = await officer.request('POST', `/api/v1/regulatory-reports/reports/${nfra.id}/waiver`, {
      expectedVersion: nfra.version,
      reason: '合规部门确认：本事件不属于须向金融监管总局报告的情形。',
    });
    expect(waived.statusCode).toBe(200);
    expect(waived.json()).toMatchObject({ status: 'waived' });
  });

  it('lets the officer edit a regime (validated, versioned) and nobody else', async () => {
    const url = '/api/v1/regulatory-reports/regimes/nfra-data-security';
    const regime = (await officer.request('GET', url)).json() as {
      version: number;
      definition: RegimeDefinition;
    };
    const definition = {
      ...regime.definition,
      initial: { ...regime.definition.initial, hours: 24, toBeConfirmed: false },
    };
    expect(
      (await auditor.request('PUT', url, { definition, enabled: true, expectedVersion: regime.version }))
        .statusCode,
    ).toBe(403);
    const invalid = await officer.request('PUT', url, {
      definition: { ...definition, trigger: { all: [{ kind: 'moon-phase' }], any: [] } },
      enabled: true,
      expectedVersion: regime.version,
    });
    expect(invalid.statusCode).toBe(400);
    const edited = await officer.request('PUT', url, {
      definition,
      enabled: true,
      expectedVersion: regime.version,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      version: regime.version + 1,
      definition: { initial: { hours: 24, toBeConfirmed: false } },
    });
    const stale = await officer.request('PUT', url, {
      definition,
      enabled: true,
      expectedVersion: regime.version,
    });
    expect(stale.statusCode).toBe(409);
  });

  it('alerts the security officers in-app when a deadline is missed, once', async () => {
    const reports = server.app.regulatoryReports;
    if (!reports) throw new Error('regulatory reports not wired');
    const monitor = new RegulatoryDeadlineMonitor(reports);
    const rounds: { approaching: string[]; missed: string[] }[] = [];
    monitor.start({ intervalMs: 10, onAlerts: (alerts) => rounds.push(alerts) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await monitor.stop();
    // PIPL missed (its 1 hour after the declaration); CAC was submitted, NFRA waived: nothing else to chase.
    const pipl = (await reportsOf(officer)).items.find(
      (report) => report.regimeId === 'pipl-57',
    ) as ReportView;
    expect(rounds).toEqual([{ approaching: [], missed: [pipl.id] }]);
    const rows = await server.store.db
      .selectFrom('notifications')
      .select(['recipient_id', 'template_id', 'params'])
      .where('template_id', 'like', 'regulatory-report.%')
      .execute();
    expect(rows).toEqual([
      {
        recipient_id: officer.userId,
        template_id: 'regulatory-report.deadline-missed',
        params: expect.objectContaining({
          regime: 'pipl-57',
          link: `/regulatory-reports/reports/${pipl.id}`,
        }),
      },
    ]);
  });
});
