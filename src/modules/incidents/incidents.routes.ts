import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import type { ContainmentService } from './containment.service.js';
import { playbookInputSchema } from './incident-playbooks.js';
import {
  affectedSubjectSchema,
  containmentActionSchema,
  containmentSchema,
  declareSchema,
  exportRequestSchema,
  forensicEventSchema,
  incidentDetailSchema,
  incidentSummarySchema,
  newTaskSchema,
  notificationDecisionSchema,
  playbookSchema,
  reversalRequestSchema,
  reviewSchema,
  scopeCriteriaSchema,
  scopeSchema,
  taskChangeSchema,
  taskSchema,
  timelineEntrySchema,
  transitionSchema,
  updateSchema,
} from './incidents.schema.js';
import type { IncidentCaller, IncidentsService } from './incidents.service.js';
import { INCIDENT_KINDS, INCIDENT_STATES } from './incidents.tables.js';

/**
 * The incidents API (S2.5, S4.1, S4.3, S4.5) under /api/v1/incidents: the security officer declares,
 * investigates, contains (step-up) and closes; the internal auditor reads the register and every record.
 * Reversing a containment action is requested by one security officer and approved by another.
 */
const errors = problemResponses;
const params = z.object({ id: z.uuid() });
const versionParams = params.extend({ version: z.coerce.number().int().positive() });
const actionParams = params.extend({ actionId: z.uuid() });
const date = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value);

export const incidentsRoutes: FastifyPluginAsyncZod<{
  incidents: IncidentsService;
  containment: ContainmentService;
}> = async (app, { incidents, containment }) => {
  const callerOf = (request: FastifyRequest): IncidentCaller => ({ context: contextOf(request) });
  const read = { access: { can: ['read', 'Incident'] as const } };
  const update = { access: { can: ['update', 'Incident'] as const } };
  const contain = { access: { can: ['contain', 'Incident'] as const, stepUp: true } };
  const approve = { access: { can: ['approve', 'Incident'] as const, stepUp: true } };

  app.get(
    '/incidents',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'The breach register: every incident, notified or not, with the reasons (GDPR Art. 33(5))',
        querystring: z.object({
          state: z.enum(INCIDENT_STATES).optional(),
          kind: z.enum(INCIDENT_KINDS).optional(),
          drill: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(incidentSummarySchema), total: z.number() }), ...errors },
      },
    },
    async (request) => {
      const { state, kind, drill, limit, offset } = request.query;
      return incidents.list(
        {
          ...(state ? { state } : {}),
          ...(kind ? { kind } : {}),
          ...(drill ? { isDrill: drill === 'true' } : {}),
        },
        { limit, offset },
      );
    },
  );

  app.post(
    '/incidents',
    {
      config: { access: { can: ['create', 'Incident'] } },
      schema: {
        tags: ['incidents'],
        summary: 'Declare an incident (by hand or from an alert); its playbook becomes tasks',
        body: declareSchema,
        response: { 201: incidentDetailSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const detail = await incidents.declare(callerOf(request), {
        title: body.title,
        kind: body.kind,
        isDrill: body.isDrill,
        ...(body.summary !== undefined ? { summary: body.summary } : {}),
        ...(body.detectedAt ? { detectedAt: new Date(body.detectedAt) } : {}),
        ...(body.startedAt ? { startedAt: new Date(body.startedAt) } : {}),
        ...(body.impact ? { impact: body.impact } : {}),
        ...(body.estimatedSubjects !== undefined ? { estimatedSubjects: body.estimatedSubjects } : {}),
        ...(body.sourceAlertId ? { sourceAlertId: body.sourceAlertId } : {}),
      });
      return reply.code(201).send(detail);
    },
  );

  app.get(
    '/incidents/playbooks/:kind/versions',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: "A playbook's versions, newest first, down to the shipped version 0",
        params: z.object({ kind: z.enum(INCIDENT_KINDS) }),
        response: { 200: z.object({ items: z.array(playbookSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await incidents.playbookHistory(request.params.kind) }),
  );

  app.get(
    '/incidents/playbooks',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'The current playbook of every incident kind',
        response: { 200: z.object({ items: z.array(playbookSchema) }), ...errors },
      },
    },
    async () => ({ items: await incidents.playbooks() }),
  );

  app.put(
    '/incidents/playbooks/:kind',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Save a new version of a playbook (incidents already declared keep theirs)',
        params: z.object({ kind: z.enum(INCIDENT_KINDS) }),
        body: playbookInputSchema,
        response: { 200: playbookSchema, ...errors },
      },
    },
    async (request) => incidents.savePlaybook(callerOf(request), request.params.kind, request.body),
  );

  app.get(
    '/incidents/:id',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'An incident: severity with reasons, tasks, containment, scopes, review, allowed moves',
        params,
        response: { 200: incidentDetailSchema, ...errors },
      },
    },
    async (request) => incidents.detail(request.params.id),
  );

  app.patch(
    '/incidents/:id',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Edit the description, the S1 impact ratings, the estimate of people affected',
        params,
        body: updateSchema,
        response: { 200: incidentDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { startedAt, ...rest } = request.body;
      return incidents.update(callerOf(request), request.params.id, {
        ...rest,
        ...(startedAt !== undefined ? { startedAt: date(startedAt) ?? null } : {}),
      });
    },
  );

  app.post(
    '/incidents/:id/transitions',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Move the incident: declared, investigating, contained, notifying, remediating, closed',
        params,
        body: transitionSchema,
        response: { 200: incidentDetailSchema, ...errors },
      },
    },
    async (request) => incidents.transition(callerOf(request), request.params.id, request.body),
  );

  app.put(
    '/incidents/:id/notification-decision',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Record whether people and authorities are notified, and why',
        params,
        body: notificationDecisionSchema,
        response: { 200: incidentDetailSchema, ...errors },
      },
    },
    async (request) => incidents.decideNotification(callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/incidents/:id/timeline',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'Everything done on the incident, by whom and when',
        params,
        response: { 200: z.object({ items: z.array(timelineEntrySchema) }), ...errors },
      },
    },
    async (request) => ({ items: await incidents.timeline(request.params.id) }),
  );

  app.post(
    '/incidents/:id/tasks',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Add a remedial task (or one a regulator requires), with owner and due date',
        params,
        body: newTaskSchema,
        response: { 201: taskSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { dueAt, ...rest } = request.body;
      const task = await incidents.addTask(callerOf(request), request.params.id, {
        ...rest,
        dueAt: date(dueAt) ?? null,
      });
      return reply.code(201).send(task);
    },
  );

  app.patch(
    '/incidents/:id/tasks/:taskId',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Complete (with evidence), cancel, reopen or reassign a task',
        params: params.extend({ taskId: z.uuid() }),
        body: taskChangeSchema,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request) => {
      const { dueAt, ...rest } = request.body;
      return incidents.updateTask(callerOf(request), request.params.id, request.params.taskId, {
        ...rest,
        ...(dueAt !== undefined ? { dueAt: date(dueAt) ?? null } : {}),
      });
    },
  );

  app.put(
    '/incidents/:id/review',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'The closing review: cause, what worked, lessons, follow-up actions',
        params,
        body: reviewSchema,
        response: { 200: incidentDetailSchema, ...errors },
      },
    },
    async (request) =>
      incidents.recordReview(callerOf(request), request.params.id, {
        ...request.body,
        followUps: request.body.followUps.map((entry) => ({ ...entry, dueAt: date(entry.dueAt) ?? null })),
      }),
  );

  app.post(
    '/incidents/:id/scopes',
    {
      config: update,
      schema: {
        tags: ['incidents'],
        summary: 'Compute the blast radius from the audit log and save it as the next scope version',
        params,
        body: scopeCriteriaSchema,
        response: { 201: scopeSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const scope = await incidents.computeScope(callerOf(request), request.params.id, {
        ...body,
        from: new Date(body.from),
        to: new Date(body.to),
      });
      return reply.code(201).send(scope);
    },
  );

  app.get(
    '/incidents/:id/scopes',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'Every saved version of the scope',
        params,
        response: { 200: z.object({ items: z.array(scopeSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await incidents.scopes(request.params.id) }),
  );

  app.get(
    '/incidents/:id/scopes/:version',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'One scope version: counts by field, catalogue category and sensitivity',
        params: versionParams,
        response: { 200: scopeSchema, ...errors },
      },
    },
    async (request) => incidents.scope(request.params.id, request.params.version),
  );

  app.get(
    '/incidents/:id/scopes/:version/subjects',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'The affected people of a scope version, a page at a time (names masked)',
        params: versionParams,
        querystring: z.object({
          after: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(affectedSubjectSchema), nextCursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) =>
      incidents.scopeSubjects(
        callerOf(request),
        request.params.id,
        request.params.version,
        { after: request.query.after ?? null, limit: request.query.limit },
        // Masked names only for roles that may read customers; the auditor sees ids and fields.
        { withNames: request.ability.can('read', 'Customer') },
      ),
  );

  app.get(
    '/incidents/:id/scopes/:version/events',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'The forensic timeline: every audit event of the suspects in the window',
        params: versionParams,
        querystring: z.object({
          after: z.coerce.number().int().min(-1).optional(),
          limit: z.coerce.number().int().min(1).max(1_000).default(200),
        }),
        response: {
          200: z.object({ items: z.array(forensicEventSchema), nextCursor: z.number().nullable() }),
          ...errors,
        },
      },
    },
    async (request) =>
      incidents.forensicTimeline(request.params.id, request.params.version, {
        afterSeq: request.query.after ?? null,
        limit: request.query.limit,
      }),
  );

  app.post(
    '/incidents/:id/scopes/:version/export',
    {
      config: { access: { can: ['export', 'Incident'], stepUp: true } },
      schema: {
        tags: ['incidents'],
        summary:
          'The affected list as an encrypted file (JSON Lines in AES-256-GCM under the given password)',
        params: versionParams,
        body: exportRequestSchema,
        response: { 200: z.any().describe('claimguard-export-v1 file'), ...errors },
      },
    },
    async (request, reply) => {
      const file = await incidents.exportScope(
        callerOf(request),
        request.params.id,
        request.params.version,
        request.body.password,
      );
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .header('x-export-subjects', String(file.subjects))
        .send(Readable.from(file.chunks));
    },
  );

  app.get(
    '/incidents/:id/containment',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        summary: 'Containment actions taken on the incident',
        params,
        response: { 200: z.object({ items: z.array(containmentActionSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await containment.list(request.params.id) }),
  );

  app.post(
    '/incidents/:id/containment',
    {
      config: contain,
      schema: {
        tags: ['incidents'],
        summary:
          'Contain: suspend a user, revoke sessions or API tokens, freeze records, block exports, rotate keys, hold changes',
        params,
        body: containmentSchema,
        response: { 201: containmentActionSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await containment.take(callerOf(request), request.params.id, request.body)),
  );

  app.post(
    '/incidents/:id/containment/:actionId/reversal',
    {
      config: contain,
      schema: {
        tags: ['incidents'],
        summary: 'Ask to undo a containment action; another security officer approves',
        params: actionParams,
        body: reversalRequestSchema,
        response: { 200: containmentActionSchema, ...errors },
      },
    },
    async (request) =>
      containment.requestReversal(
        callerOf(request),
        request.params.id,
        request.params.actionId,
        request.body.reason,
      ),
  );

  app.post(
    '/incidents/:id/containment/:actionId/reversal/approval',
    {
      config: approve,
      schema: {
        tags: ['incidents'],
        summary: "Approve another security officer's request and undo the action (maker-checker)",
        params: actionParams,
        response: { 200: containmentActionSchema, ...errors },
      },
    },
    async (request) =>
      containment.approveReversal(callerOf(request), request.params.id, request.params.actionId),
  );

  app.post(
    '/incidents/:id/containment/:actionId/reversal/rejection',
    {
      config: approve,
      schema: {
        tags: ['incidents'],
        summary: 'Reject a request to undo a containment action; the action stays',
        params: actionParams,
        response: { 200: containmentActionSchema, ...errors },
      },
    },
    async (request) =>
      containment.rejectReversal(callerOf(request), request.params.id, request.params.actionId),
  );

  app.post(
    '/incidents/:id/containment/:actionId/subjects/:subjectId/reverification',
    {
      config: contain,
      schema: {
        tags: ['incidents'],
        summary: 'Lift the change hold on one customer once re-verified',
        params: actionParams.extend({ subjectId: z.uuid() }),
        response: { 200: z.object({ lifted: z.boolean() }), ...errors },
      },
    },
    async (request) =>
      containment.reverifySubject(
        callerOf(request),
        request.params.id,
        request.params.actionId,
        request.params.subjectId,
      ),
  );
};
