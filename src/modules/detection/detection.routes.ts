import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  alertDetailSchema,
  alertListQuerySchema,
  alertSchema,
  assignSchema,
  dismissSchema,
  honeytokenSchema,
  lookupResultSchema,
  lookupSchema,
  plantedSchema,
  plantSchema,
  riskQuerySchema,
  riskSummarySchema,
  ruleChangeSchema,
  ruleSchema,
} from './detection.schema.js';
import type { DetectionService } from './detection.service.js';
import type { HoneytokenService } from './honeytokens.service.js';

/**
 * The detection API under /api/v1/detection (S2.3, S13.4, S13.5): the rules' settings, the alerts and what
 * security officers do with them, honeytokens, and the risk view. Security officers handle everything;
 * internal auditors read the rules and the alerts.
 */
const errors = problemResponses;
const tags = ['detection'];
const idParams = z.object({ id: z.uuid() });

export const detectionRoutes: FastifyPluginAsyncZod<{
  detection: DetectionService;
  honeytokens: HoneytokenService | null;
}> = async (app, { detection, honeytokens }) => {
  app.get(
    '/detection/rules',
    {
      config: { access: { can: ['read', 'DetectionRule'] } },
      schema: {
        tags,
        summary: 'The detection rules and their settings',
        response: { 200: z.object({ items: z.array(ruleSchema) }), ...errors },
      },
    },
    async () => ({ items: await detection.listRules() }),
  );

  app.patch(
    '/detection/rules/:id',
    {
      config: { access: { can: ['update', 'DetectionRule'], stepUp: true } },
      schema: {
        tags,
        summary: "Change a rule's settings: on/off, severity, window, roles watched, thresholds (audited)",
        params: z.object({ id: z.string().min(1).max(60) }),
        body: ruleChangeSchema,
        response: { 200: ruleSchema, ...errors },
      },
    },
    async (request) => detection.updateRule(contextOf(request), request.params.id, request.body),
  );

  app.get(
    '/detection/alerts',
    {
      config: { access: { can: ['read', 'DetectionAlert'] } },
      schema: {
        tags,
        summary: 'Alerts, newest first, filtered by status, severity, rule, actor, assignee and time',
        querystring: alertListQuerySchema,
        response: { 200: z.object({ items: z.array(alertSchema), total: z.number().int() }), ...errors },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      return detection.listAlerts(filter, { limit, offset });
    },
  );

  app.get(
    '/detection/alerts/:id',
    {
      config: { access: { can: ['read', 'DetectionAlert'] } },
      schema: {
        tags,
        summary: 'One alert with the audit events that make its case',
        params: idParams,
        response: { 200: alertDetailSchema, ...errors },
      },
    },
    async (request) => detection.getAlert(request.params.id),
  );

  app.post(
    '/detection/alerts/:id/acknowledge',
    {
      config: { access: { can: ['update', 'DetectionAlert'] } },
      schema: {
        tags,
        summary: 'Acknowledge an open alert',
        params: idParams,
        response: { 200: alertSchema, ...errors },
      },
    },
    async (request) => detection.acknowledge(contextOf(request), request.params.id),
  );

  app.post(
    '/detection/alerts/:id/dismiss',
    {
      config: { access: { can: ['update', 'DetectionAlert'] } },
      schema: {
        tags,
        summary: 'Dismiss an alert, with the reason',
        params: idParams,
        body: dismissSchema,
        response: { 200: alertSchema, ...errors },
      },
    },
    async (request) => detection.dismiss(contextOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/detection/alerts/:id/assign',
    {
      config: { access: { can: ['update', 'DetectionAlert'] } },
      schema: {
        tags,
        summary: 'Assign an alert to a security officer (null: to nobody)',
        params: idParams,
        body: assignSchema,
        response: { 200: alertSchema, ...errors },
      },
    },
    async (request) => detection.assign(contextOf(request), request.params.id, request.body.assigneeId),
  );

  app.get(
    '/detection/risk',
    {
      config: { access: { can: ['read', 'DetectionAlert'] } },
      schema: {
        tags,
        summary:
          'The risk view: access volume per hour, alerts by rule and severity, riskiest users, early warnings',
        querystring: riskQuerySchema,
        response: { 200: riskSummarySchema, ...errors },
      },
    },
    async (request) => detection.riskSummary({ hours: request.query.hours }),
  );

  app.get(
    '/detection/honeytokens',
    {
      config: { access: { can: ['read', 'Honeytoken'] } },
      schema: {
        tags,
        summary: 'Planted honeytokens, whom each was shown to, and how often they were touched',
        response: { 200: z.object({ items: z.array(honeytokenSchema) }), ...errors },
      },
    },
    async () => ({ items: honeytokens ? await honeytokens.list() : [] }),
  );

  app.post(
    '/detection/honeytokens',
    {
      config: { access: { can: ['create', 'Honeytoken'], stepUp: true } },
      schema: {
        tags,
        summary: 'Plant a decoy customer or claim (its fictitious values are in this answer only)',
        body: plantSchema,
        response: { 201: plantedSchema, ...errors },
      },
    },
    async (request, reply) => {
      if (!honeytokens) throw new Error('honeytokens need the vault keys');
      return reply.code(201).send(await honeytokens.plant(contextOf(request), request.body));
    },
  );

  app.post(
    '/detection/honeytokens/lookup',
    {
      config: { access: { can: ['read', 'Honeytoken'] } },
      schema: {
        tags,
        summary:
          'Which decoy a value found outside belongs to (claim number, phone, ID number, email), and whom it was shown to',
        body: lookupSchema,
        response: { 200: lookupResultSchema, ...errors },
      },
    },
    async (request) => ({
      items: honeytokens ? await honeytokens.lookup(contextOf(request), request.body.value) : [],
    }),
  );
};
