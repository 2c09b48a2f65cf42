import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import type { DomainError } from '../../errors/domain-error.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { RequestContext } from '../access/principal.js';
import { NotificationService } from '../notifications/notifications.service.js';
import type { IncidentFacts } from './incident-facts.js';
import { RegulatoryReportsService, type ReportView } from './regulatory-reports.service.js';
import { FakeIncidentFacts, insiderLeakFacts } from './regulatory-reports-test-kit.js';
import { SHIPPED_REGIMES } from './shipped-regimes.js';

/** S4.4: opening reports from an incident's facts, completing and submitting them, and deadline alerts. */

function staff(userId = randomUUID()): RequestContext {
  return {
    principal: {
      kind: 'staff',
      userId,
      role: 'security_officer',
      branch: null,
      sessionId: randomUUID(),
      sessionState: 'active',
      mustChangePassword: false,
      secondFactorAt: new Date(),
      csrfToken: 'x',
    },
    requestId: randomUUID(),
    ip: '127.0.0.1',
    userAgent: 'test',
  };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a rejection');
}

describeEachStore('regulatory reports service', (kind) => {
  let store: Store;
  let source: FakeIncidentFacts;
  let audit: RecordingAudit;
  let service: RegulatoryReportsService;
  let now: Date;
  const officers = [randomUUID(), randomUUID()];
  const officer = staff(officers[0]);

  // A fresh incident id per test, so tests on one store do not see each other's reports.
  let facts: IncidentFacts;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store.close();
  });

  beforeEach(() => {
    const id = `inc-${randomUUID()}`;
    facts = insiderLeakFacts({ incidentId: id, reference: `INC-${id.slice(4, 12)}` });
    source = new FakeIncidentFacts(facts);
    audit = new RecordingAudit();
    now = new Date('2026-11-20T14:40:00Z');
    service = new RegulatoryReportsService(store.db, {
      facts: source,
      audit,
      notifications: new NotificationService({
        secretKey: randomBytes(32),
        publicUrl: 'https://claims.example.com',
      }),
      officers: { securityOfficerIds: async () => officers },
      now: () => now,
    });
  });

  const byRegime = (reports: ReportView[]) =>
    new Map(reports.map((report) => [`${report.regimeId}:${report.kind}`, report]));

  it('opens the first report of every applicable regime with its due time, once', async () => {
    const assessment = await service.assess(null, facts.incidentId);
    expect(
      assessment.regimes
        .filter((regime) => regime.applies)
        .map((regime) => regime.regimeId)
        .sort(),
    ).toEqual(['cac-incident-2025', 'nfra-data-security', 'pipl-57']);
    const gdpr = assessment.regimes.find((regime) => regime.regimeId === 'gdpr-33');
    expect(gdpr?.conditions).toEqual([
      { group: 'all', holds: false, text: expect.objectContaining({ 'en-US': 'at least 1 affected in EU' }) },
    ]);
    expect(assessment.opened).toHaveLength(3);

    const reports = byRegime(await service.reportsOfIncident(facts.incidentId));
    expect(reports.get('cac-incident-2025:initial')).toMatchObject({
      status: 'draft',
      language: 'zh-CN',
      parentId: null,
      isDrill: false,
      deadline: { dueAt: new Date('2026-11-20T18:05:00Z'), hours: 4, state: 'open', toBeConfirmed: false },
    });
    expect(reports.get('pipl-57:initial')?.deadline.dueAt).toEqual(new Date('2026-11-20T15:35:00Z'));
    expect(reports.get('nfra-data-security:initial')?.deadline.toBeConfirmed).toBe(true);
    // Pre-filled from the facts, in the report's language.
    const impact = reports.get('cac-incident-2025:initial')?.items.find((item) => item.id === 'impact');
    expect(impact?.facts).toContain('受影响个人数量：1,234,567 人');
    expect(impact?.facts).toContain('- 金融账户信息 (敏感): 87,654 人');

    // Idempotent: a second assessment opens nothing, and the audit log has one event per report.
    expect((await service.assess(null, facts.incidentId)).opened).toEqual([]);
    const opened = audit.events.filter((event) => event.action === 'regulatory-report.opened');
    expect(opened).toHaveLength(3);
    expect(opened.every((event) => event.inTransaction && event.actor.type === 'system')).toBe(true);
  });

  it("runs in the incidents module's transaction when handed one, and rolls back with it", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        const { opened } = await service.assess(null, facts.incidentId, { db: trx });
        expect(opened).toHaveLength(3);
        throw new Error('the declaration failed');
      }),
    ).rejects.toThrow('the declaration failed');
    expect(await service.reportsOfIncident(facts.incidentId)).toEqual([]);
    await store.db.transaction().execute((trx) => service.assess(null, facts.incidentId, { db: trx }));
    expect(await service.reportsOfIncident(facts.incidentId)).toHaveLength(3);
  });

  it('answers not-found for an unknown incident and refuses facts that do not fit', async () => {
    expect((await rejection(service.assess(officer, 'inc-nobody'))).code).toBe('not-found');
    source.set({ ...facts, customers: ['someone'] } as unknown as IncidentFacts);
    expect((await rejection(service.assess(officer, facts.incidentId))).code).toBe('internal');
    expect(await service.reportsOfIncident(facts.incidentId)).toEqual([]);
  });

  it('opens the summary reports when the incident closes, linked to the first report', async () => {
    await service.assess(officer, facts.incidentId);
    source.set({ ...facts, closedAt: new Date('2026-11-27T09:00:00Z') });
    const { opened } = await service.assess(officer, facts.incidentId);
    expect(opened).toHaveLength(2);
    const reports = byRegime(await service.reportsOfIncident(facts.incidentId));
    const summary = reports.get('cac-incident-2025:summary');
    expect(summary?.parentId).toBe(reports.get('cac-incident-2025:initial')?.id);
    expect(summary?.deadline.dueAt).toEqual(new Date('2026-12-27T09:00:00Z'));
    expect(summary?.items.map((item) => item.id)).toContain('summary-analysis');
    expect(summary?.items.map((item) => item.id)).not.toContain('trend');
    expect(reports.get('nfra-data-security:summary')?.deadline).toMatchObject({
      dueAt: null,
      toBeConfirmed: true,
    });
    expect(reports.has('pipl-57:summary')).toBe(false);
  });

  it('takes a person through draft → ready → submitted, requiring the required items first', async () => {
    await service.assess(officer, facts.incidentId);
    let report = byRegime(await service.reportsOfIncident(facts.incidentId)).get(
      'pipl-57:initial',
    ) as ReportView;
    expect(report.missing).toEqual(['cause', 'possible-harm', 'individual-measures', 'contact']);

    const early = await rejection(
      service.updateReport(officer, report.id, { expectedVersion: report.version, status: 'ready' }),
    );
    expect(early.code).toBe('validation-failed');
    expect(early.extensions).toEqual({
      missing: ['cause', 'possible-harm', 'individual-measures', 'contact'],
    });

    report = await service.updateReport(officer, report.id, {
      expectedVersion: report.version,
      fields: {
        cause: '理赔专员账号被滥用，超出职责批量查询。',
        'possible-harm': '可能被用于电信诈骗。',
        'individual-measures': '警惕冒充保险公司的来电，勿透露验证码。',
        contact: '个人信息保护负责人，电话 400-000-0000',
      },
      status: 'ready',
    });
    expect(report).toMatchObject({ status: 'ready', missing: [] });
    expect(report.items.find((item) => item.id === 'cause')?.text).toBe(
      '理赔专员账号被滥用，超出职责批量查询。',
    );

    const stale = await rejection(
      service.updateReport(officer, report.id, { expectedVersion: report.version - 1, fields: {} }),
    );
    expect(stale.code).toBe('stale-version');

    now = new Date('2026-11-20T15:25:00Z');
    report = await service.recordSubmission(officer, report.id, {
      expectedVersion: report.version,
      submittedAt: new Date('2026-11-20T15:20:00Z'),
      channel: '12387 网络安全事件报告平台',
      reference: 'CAC-BJ-2026-1120-0042',
    });
    expect(report).toMatchObject({
      status: 'submitted',
      submission: {
        channel: '12387 网络安全事件报告平台',
        reference: 'CAC-BJ-2026-1120-0042',
        by: officers[0],
      },
      deadline: { state: 'met' },
    });
    const final = await rejection(
      service.updateReport(officer, report.id, { expectedVersion: report.version, fields: { cause: 'x' } }),
    );
    expect(final.code).toBe('conflict');

    const updated = audit.events.find((event) => event.action === 'regulatory-report.updated');
    // The audit event names the items changed, never their text.
    expect(JSON.stringify(updated)).not.toContain('理赔专员');
    expect(updated?.details).toMatchObject({ itemsChanged: 4, status: 'ready' });
    expect(
      audit.events.find((event) => event.action === 'regulatory-report.submitted')?.details,
    ).toMatchObject({ onTime: true });
  });

  it('refuses to record the submission of a draft, and waives a report with a reason', async () => {
    await service.assess(officer, facts.incidentId);
    const report = byRegime(await service.reportsOfIncident(facts.incidentId)).get(
      'nfra-data-security:initial',
    ) as ReportView;
    const draft = await rejection(
      service.recordSubmission(officer, report.id, {
        expectedVersion: report.version,
        submittedAt: now,
        channel: 'email',
        reference: null,
      }),
    );
    expect(draft.code).toBe('conflict');
    const waived = await service.waive(officer, report.id, {
      expectedVersion: report.version,
      reason: '经合规部门确认，本次事件不属于需向金融监管总局报告的情形。',
    });
    expect(waived).toMatchObject({ status: 'waived', deadline: { state: 'none' } });
  });

  it('opens numbered updates linked to the first report, with the current facts', async () => {
    await service.assess(officer, facts.incidentId);
    const first = byRegime(await service.reportsOfIncident(facts.incidentId)).get(
      'cac-incident-2025:initial',
    ) as ReportView;
    source.set({ ...facts, affectedSubjects: 1_500_000 });
    const one = await service.openUpdate(officer, first.id);
    const two = await service.openUpdate(officer, first.id);
    expect([one.sequence, two.sequence]).toEqual([1, 2]);
    expect(first.updatesAllowed).toBe(true);
    expect(one).toMatchObject({
      kind: 'update',
      parentId: first.id,
      deadline: { dueAt: null },
      updatesAllowed: false,
    });
    expect(one.items.find((item) => item.id === 'impact')?.facts).toContain('受影响个人数量：1,500,000 人');
    expect((await rejection(service.openUpdate(officer, one.id))).code).toBe('conflict');
  });

  it('moves the due time when refreshed facts change it (critical infrastructure: 1 hour)', async () => {
    await service.assess(officer, facts.incidentId);
    const cac = byRegime(await service.reportsOfIncident(facts.incidentId)).get(
      'cac-incident-2025:initial',
    ) as ReportView;
    source.set({ ...facts, involvesCriticalInfrastructure: true });
    now = new Date('2026-11-20T14:55:00Z');
    const refreshed = await service.updateReport(officer, cac.id, {
      expectedVersion: cac.version,
      refreshFacts: true,
    });
    expect(refreshed.deadline).toMatchObject({
      dueAt: new Date('2026-11-20T15:05:00Z'),
      hours: 1,
      state: 'approaching',
    });
    expect(refreshed.recipients).toHaveLength(2);
  });

  it('marks drills on every report', async () => {
    source.set({ ...facts, isDrill: true });
    await service.assess(officer, facts.incidentId);
    const reports = await service.reportsOfIncident(facts.incidentId);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((report) => report.isDrill)).toBe(true);
    expect(reports[0]?.items.find((item) => item.facts.some((line) => line.includes('演练')))).toBeDefined();
  });

  it('uses regime edits for new reports, versioned, and skips disabled regimes', async () => {
    const cac = await service.getRegime('cac-incident-2025');
    const disabledNfra = await service.getRegime('nfra-data-security');
    const edited = await service.updateRegime(officer, 'cac-incident-2025', {
      definition: { ...cac.definition, initial: { ...cac.definition.initial, hours: 3 } },
      enabled: true,
      expectedVersion: cac.version,
    });
    expect(edited.version).toBe(cac.version + 1);
    await service.updateRegime(officer, 'nfra-data-security', {
      definition: disabledNfra.definition,
      enabled: false,
      expectedVersion: disabledNfra.version,
    });
    try {
      const { opened, regimes } = await service.assess(officer, facts.incidentId);
      expect(opened).toHaveLength(2);
      expect(regimes.find((regime) => regime.regimeId === 'nfra-data-security')).toMatchObject({
        enabled: false,
        applies: false,
      });
      const report = byRegime(await service.reportsOfIncident(facts.incidentId)).get(
        'cac-incident-2025:initial',
      );
      expect(report).toMatchObject({ regimeVersion: cac.version + 1, deadline: { hours: 3 } });
      const stale = await rejection(
        service.updateRegime(officer, 'cac-incident-2025', {
          definition: cac.definition,
          enabled: true,
          expectedVersion: cac.version,
        }),
      );
      expect(stale.code).toBe('stale-version');
      const invalid = await rejection(
        service.updateRegime(officer, 'cac-incident-2025', {
          definition: { ...cac.definition, contents: [] },
          enabled: true,
          expectedVersion: edited.version,
        }),
      );
      expect(invalid.code).toBe('validation-failed');
    } finally {
      // Put the shipped definitions back for the other tests on this store.
      const shipped = (id: string) => SHIPPED_REGIMES.find((regime) => regime.id === id)?.definition as never;
      await service.updateRegime(officer, 'cac-incident-2025', {
        definition: shipped('cac-incident-2025'),
        enabled: true,
        expectedVersion: edited.version,
      });
      await service.updateRegime(officer, 'nfra-data-security', {
        definition: shipped('nfra-data-security'),
        enabled: true,
        expectedVersion: disabledNfra.version + 1,
      });
    }
    expect(audit.events.filter((event) => event.action === 'regulatory-regime.updated')).toHaveLength(4);
  });

  describe('deadline alerts', () => {
    const alerts = async (reportIds: string[]) =>
      (
        await store.db
          .selectFrom('notifications')
          .select(['recipient_id', 'template_id', 'params', 'channel'])
          .orderBy('created_at')
          .execute()
      ).filter((row) => reportIds.some((id) => String(row.params.link).endsWith(id)));

    it('tells each security officer once when a deadline approaches and once when it is missed', async () => {
      await service.assess(null, facts.incidentId);
      const reports = byRegime(await service.reportsOfIncident(facts.incidentId));
      const cac = reports.get('cac-incident-2025:initial') as ReportView;
      const pipl = reports.get('pipl-57:initial') as ReportView;
      const nfra = reports.get('nfra-data-security:initial') as ReportView;
      const ids = [cac.id, pipl.id, nfra.id];
      // Other tests' reports share the store: look at this incident's only.
      const mine = (result: { approaching: string[]; missed: string[] }) => ({
        approaching: result.approaching.filter((id) => ids.includes(id)),
        missed: result.missed.filter((id) => ids.includes(id)),
      });

      // 15:00: PIPL (due 15:35, 1 h from 14:35) has 35 min of 60 left; NFRA (due 16:05) 65 of 120; CAC 3 h of 4.
      now = new Date('2026-11-20T15:00:00Z');
      expect(mine(await service.checkDeadlines())).toEqual({ approaching: [], missed: [] });
      // 15:25: PIPL has 10 minutes of 60 left (< 25 %).
      now = new Date('2026-11-20T15:25:00Z');
      expect(mine(await service.checkDeadlines())).toEqual({ approaching: [pipl.id], missed: [] });
      expect(mine(await service.checkDeadlines())).toEqual({ approaching: [], missed: [] });
      let sent = await alerts(ids);
      expect(sent).toHaveLength(2);
      expect(sent.map((row) => row.recipient_id).sort()).toEqual([...officers].sort());
      expect(sent[0]).toMatchObject({
        template_id: 'regulatory-report.deadline-approaching',
        channel: 'in-app',
        params: {
          regime: 'pipl-57',
          reportKind: 'initial',
          dueAt: '2026-11-20T15:35:00.000Z',
          link: `/regulatory-reports/reports/${pipl.id}`,
        },
      });

      // 16:10: PIPL and NFRA missed; CAC (due 18:05) still has 1 h 55 of 4 h.
      now = new Date('2026-11-20T16:10:00Z');
      const late = mine(await service.checkDeadlines());
      expect({ ...late, missed: late.missed.sort() }).toEqual({
        approaching: [],
        missed: [pipl.id, nfra.id].sort(),
      });
      // A submitted report is not chased: submit CAC, then pass its deadline.
      let current = await service.updateReport(officer, cac.id, {
        expectedVersion: cac.version,
        fields: Object.fromEntries(cac.missing.map((id) => [id, '已填写'])),
        status: 'ready',
      });
      current = await service.recordSubmission(officer, cac.id, {
        expectedVersion: current.version,
        submittedAt: now,
        channel: '12387',
        reference: null,
      });
      now = new Date('2026-11-20T19:00:00Z');
      expect(mine(await service.checkDeadlines())).toEqual({ approaching: [], missed: [] });

      sent = await alerts(ids);
      expect(sent.map((row) => `${row.template_id}:${row.params.regime}`).sort()).toEqual(
        [
          'regulatory-report.deadline-approaching:pipl-57',
          'regulatory-report.deadline-approaching:pipl-57',
          'regulatory-report.deadline-missed:nfra-data-security',
          'regulatory-report.deadline-missed:nfra-data-security',
          'regulatory-report.deadline-missed:pipl-57',
          'regulatory-report.deadline-missed:pipl-57',
        ].sort(),
      );
      // SECURITY: the notices carry codes, a time and a link; nothing of the incident's description.
      expect(JSON.stringify(sent)).not.toContain(facts.title);
      const audited = audit.events.filter(
        (event) =>
          event.action.startsWith('regulatory-report.deadline-') && ids.includes(event.resource.id ?? ''),
      );
      expect(audited.map((event) => event.action).sort()).toEqual([
        'regulatory-report.deadline-approaching',
        'regulatory-report.deadline-missed',
        'regulatory-report.deadline-missed',
      ]);
    });

    it('sends each alert once when two checkers race', async () => {
      await service.assess(null, facts.incidentId);
      const ids = (await service.reportsOfIncident(facts.incidentId)).map((report) => report.id);
      now = new Date('2026-11-21T00:00:00Z');
      const other = new RegulatoryReportsService(store.db, {
        facts: source,
        audit,
        notifications: new NotificationService({
          secretKey: randomBytes(32),
          publicUrl: 'https://claims.example.com',
        }),
        officers: { securityOfficerIds: async () => officers },
        now: () => now,
      });
      const [a, b] = await Promise.all([service.checkDeadlines(), other.checkDeadlines()]);
      const missed = [...a.missed, ...b.missed].filter((id) => ids.includes(id));
      expect(missed.sort()).toEqual([...ids].sort());
      expect(await alerts(ids)).toHaveLength(6);
    });
  });
});
