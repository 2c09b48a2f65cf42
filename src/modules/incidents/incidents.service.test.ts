import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { AuditService } from '../audit/audit.service.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { NO_IMPACT } from './incident-severity.js';
import { IncidentsService } from './incidents.service.js';
import { staffCaller } from './incidents-test-kit.js';

/** The breach register, state machine, severity, playbooks, timeline and closing review (S2.5, S4.5). */
describeEachStore('incidents', (kind) => {
  let store: Store;
  let audit: AuditService;
  let incidents: IncidentsService;
  const officer = staffCaller('security_officer');

  beforeAll(async () => {
    store = await openTestStore(kind);
    audit = testAuditService(store).audit;
    incidents = new IncidentsService(store.db, audit, { auditLog: audit });
  });

  afterAll(async () => {
    await audit.stop();
    await store.close();
  });

  it('declares an incident with a reference, its playbook as tasks with owners and due times, and a timeline', async () => {
    const before = Date.now();
    const incident = await incidents.declare(officer, {
      title: 'Night-time bulk reads by an adjuster',
      kind: 'insider-misuse',
      impact: { ...NO_IMPACT, 'privacy-harm': 3 },
    });
    expect(incident.reference).toMatch(/^INC-\d{4}-\d{4}$/);
    expect(incident.state).toBe('declared');
    expect(incident.isDrill).toBe(false);
    expect(incident.playbookVersion).toBe(0);
    expect(incident.tasks.length).toBeGreaterThan(4);
    const suspend = incident.tasks.find((task) => task.stepKey === 'suspend-account');
    expect(suspend).toMatchObject({ source: 'playbook', ownerRole: 'security_officer', state: 'open' });
    expect(suspend?.dueAt?.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(suspend?.title['zh-CN']).toContain('停用');
    expect(incident.assessment.level).toBe('high');
    expect(incident.assessment.grade).toBe('general');

    const timeline = await incidents.timeline(incident.id);
    expect(timeline[0]).toMatchObject({
      entry: 'declared',
      actor: { type: 'staff', role: 'security_officer' },
      details: { kind: 'insider-misuse', drill: false, tasks: incident.tasks.length },
    });
    await audit.flush();
    const events = await audit.query({ resourceType: 'incident', resourceId: incident.id });
    expect(events.items.map((item) => item.event.action)).toContain('incident.declared');
  });

  it('marks a drill as a drill in its reference, its register entry and its facts', async () => {
    const drill = await incidents.declare(officer, {
      title: 'Exercise: lost laptop',
      kind: 'lost-device',
      isDrill: true,
    });
    expect(drill.reference).toMatch(/^DRILL-/);
    const register = await incidents.list({ isDrill: true }, { limit: 50, offset: 0 });
    expect(register.items.map((item) => item.id)).toContain(drill.id);
    expect(register.items.every((item) => item.isDrill)).toBe(true);
    expect((await incidents.incidentFacts(store.db, drill.id)).isDrill).toBe(true);
  });

  it('keeps the register entry with its notification decision and reasons (GDPR Art. 33(5))', async () => {
    const incident = await incidents.declare(officer, {
      title: 'Misdirected letter',
      kind: 'misdirected-documents',
    });
    const decided = await incidents.decideNotification(officer, incident.id, {
      decision: 'not-required',
      reasons: 'Recipient is a sister insurer bound by confidentiality; letter returned unopened.',
    });
    expect(decided.notification).toMatchObject({ decision: 'not-required', decidedBy: expect.any(String) });
    const register = await incidents.list({}, { limit: 200, offset: 0 });
    const entry = register.items.find((item) => item.id === incident.id);
    expect(entry?.notification.reasons).toContain('returned unopened');
  });

  it('walks the state machine, refusing skipped steps, stale versions and a close without the review', async () => {
    let incident = await incidents.declare(officer, { title: 'Stolen password', kind: 'stolen-credentials' });
    await expect(
      incidents.transition(officer, incident.id, { to: 'contained', version: incident.version }),
    ).rejects.toMatchObject({ code: 'incident-state' });
    incident = await incidents.transition(officer, incident.id, {
      to: 'investigating',
      version: incident.version,
    });
    await expect(
      incidents.transition(officer, incident.id, { to: 'contained', version: incident.version - 1 }),
    ).rejects.toMatchObject({ code: 'stale-version' });
    incident = await incidents.transition(officer, incident.id, {
      to: 'contained',
      version: incident.version,
    });
    expect(incident.containedAt).toBeInstanceOf(Date);
    // Notifying needs the decision to notify; remediating straight away needs "not required".
    expect(incident.allowedTransitions).toEqual([
      { to: 'notifying', blockers: ['notification-not-decided-notify'] },
      { to: 'remediating', blockers: ['notification-undecided'] },
    ]);
    await expect(
      incidents.transition(officer, incident.id, { to: 'notifying', version: incident.version }),
    ).rejects.toMatchObject({ code: 'incident-state' });
    incident = await incidents.decideNotification(officer, incident.id, {
      decision: 'notify',
      reasons: 'ID numbers of customers were read.',
    });
    incident = await incidents.transition(officer, incident.id, {
      to: 'notifying',
      version: incident.version,
    });
    incident = await incidents.transition(officer, incident.id, {
      to: 'remediating',
      version: incident.version,
    });
    const closing = incident.allowedTransitions.find((move) => move.to === 'closed');
    expect(closing?.blockers).toEqual(['review-missing', 'tasks-open']);
    await expect(
      incidents.transition(officer, incident.id, { to: 'closed', version: incident.version }),
    ).rejects.toMatchObject({
      code: 'incident-state',
      extensions: { blockers: ['review-missing', 'tasks-open'] },
    });

    // Remediation (S4.5): a regulator's requirement as a task; tasks done with evidence.
    const remedial = await incidents.addTask(officer, incident.id, {
      title: 'Enforce second factor on the intake desk',
      source: 'regulator',
      ownerRole: 'admin',
      dueAt: new Date(Date.now() + 7 * 86_400_000),
    });
    await expect(
      incidents.updateTask(officer, incident.id, remedial.id, { state: 'done' }),
    ).rejects.toMatchObject({ code: 'reason-required' });
    incident = await incidents.detail(incident.id);
    for (const task of incident.tasks)
      await incidents.updateTask(officer, incident.id, task.id, {
        state: 'done',
        evidence: `ticket SEC-${task.id.slice(0, 4)}`,
      });
    incident = await incidents.recordReview(officer, incident.id, {
      cause: 'Password reused from a breached forum.',
      whatWorked: 'Sessions revoked within minutes.',
      lessons: 'Passkeys for every adjuster.',
      followUps: [{ title: 'Roll out passkeys', ownerRole: 'admin', dueAt: null }],
    });
    expect(incident.review?.followUps).toHaveLength(1);
    // The follow-up task is open, and does not hold the close.
    expect(incident.tasks.filter((task) => task.state === 'open').map((task) => task.source)).toEqual([
      'follow-up',
    ]);
    incident = await incidents.transition(officer, incident.id, { to: 'closed', version: incident.version });
    expect(incident.state).toBe('closed');
    expect(incident.closedAt).toBeInstanceOf(Date);
    const entries = (await incidents.timeline(incident.id)).map((entry) => entry.entry);
    expect(entries).toEqual(
      expect.arrayContaining([
        'declared',
        'state-changed',
        'notification-decided',
        'task-added',
        'task-updated',
        'review-recorded',
      ]),
    );
  });

  it('closes a false alarm early only with a reason and a notification decision', async () => {
    const incident = await incidents.declare(officer, { title: 'Suspected ransomware', kind: 'ransomware' });
    await expect(
      incidents.transition(officer, incident.id, {
        to: 'closed',
        version: incident.version,
        reason: 'false alarm',
      }),
    ).rejects.toMatchObject({ code: 'incident-state' });
    const decided = await incidents.decideNotification(officer, incident.id, {
      decision: 'not-required',
      reasons: 'No personal data reached: false positive of the antivirus.',
    });
    await expect(
      incidents.transition(officer, incident.id, { to: 'closed', version: decided.version }),
    ).rejects.toMatchObject({ code: 'reason-required' });
    const closed = await incidents.transition(officer, incident.id, {
      to: 'closed',
      version: decided.version,
      reason: 'False positive',
    });
    expect(closed.state).toBe('closed');
  });

  it('reassesses severity when the S1 ratings or the estimate change, and records before and after', async () => {
    const incident = await incidents.declare(officer, { title: 'Processor leak', kind: 'processor-leak' });
    const updated = await incidents.update(officer, incident.id, {
      impact: { ...NO_IMPACT, 'loss-of-trust': 2 },
      estimatedSubjects: 1_500_000,
      version: incident.version,
    });
    expect(updated.assessment.grade).toBe('larger');
    expect(updated.assessment.level).toBe('critical');
    expect(updated.assessment.subjects.source).toBe('estimate');
    const last = (await incidents.timeline(incident.id)).at(-1);
    expect(last).toMatchObject({
      entry: 'severity-assessed',
      details: { gradeBefore: 'general', grade: 'larger', estimatedSubjects: 1_500_000 },
    });
  });

  it('edits playbooks as versioned data; a new incident takes the new version', async () => {
    const shipped = await incidents.playbook('lost-device');
    expect(shipped.version).toBe(0);
    const saved = await incidents.savePlaybook(officer, 'lost-device', {
      labels: { 'zh-CN': '设备丢失（修订）', 'en-US': 'Lost device (revised)' },
      steps: [
        {
          key: 'wipe',
          title: { 'zh-CN': '远程擦除', 'en-US': 'Wipe remotely' },
          ownerRole: 'admin',
          dueHours: 0.5,
        },
        ...shipped.steps.slice(1),
      ],
    });
    expect(saved.version).toBe(1);
    expect((await incidents.playbooks()).find((playbook) => playbook.kind === 'lost-device')?.version).toBe(
      1,
    );
    const incident = await incidents.declare(officer, {
      title: 'Laptop left on a train',
      kind: 'lost-device',
    });
    expect(incident.playbookVersion).toBe(1);
    expect(incident.tasks[0]).toMatchObject({ stepKey: 'wipe', ownerRole: 'admin' });
    expect((await incidents.playbook('lost-device', 0)).steps[0]?.key).toBe('remote-wipe');
    // The history the console shows (issue 5 §2): newest first, down to the shipped version.
    const history = await incidents.playbookHistory('lost-device');
    expect(history.map((playbook) => playbook.version)).toEqual([1, 0]);
    expect(history[0]).toMatchObject({ labels: { 'en-US': 'Lost device (revised)' } });
    expect(history[0]?.updatedBy).toBe(saved.updatedBy);
    expect(history[0]?.updatedBy).not.toBeNull();
  });

  it('every shipped playbook covers the kinds the issue names, each with owners and due times', async () => {
    const playbooks = await incidents.playbooks();
    expect(playbooks.map((playbook) => playbook.kind).sort()).toEqual(
      [
        'external-intrusion',
        'insider-misuse',
        'lost-device',
        'misdirected-documents',
        'processor-leak',
        'ransomware',
        'stolen-credentials',
      ].sort(),
    );
    for (const playbook of playbooks.filter((entry) => entry.version === 0)) {
      expect(playbook.steps.length).toBeGreaterThan(3);
      for (const step of playbook.steps) {
        expect(step.ownerRole).toBeTruthy();
        expect(step.dueHours).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
