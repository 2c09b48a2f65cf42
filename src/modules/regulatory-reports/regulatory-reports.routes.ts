import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  assessmentSchema,
  exportQuerySchema,
  incidentIdParams,
  regimeIdParams,
  regimeSchema,
  regimeUpdateSchema,
  reportIdParams,
  reportListSchema,
  reportSchema,
  reportUpdateSchema,
  submissionSchema,
  waiverSchema,
} from './regulatory-reports.schema.js';
import type { RegulatoryReportsService } from './regulatory-reports.service.js';

/**
 * Reports to regulators (S4.4) under /api/v1/regulatory-reports: the regimes (read by the security officer
 * and the internal auditor, edited by the security officer), an incident's reports and their assessment,
 * one report (get, complete, waive, follow up, record its submission) and its export as PDF, DOCX or JSON.
 */
const errors = problemResponses;
const TAG = 'regulatory-reports';

export const regulatoryReportsRoutes: FastifyPluginAsyncZod<{ reports: RegulatoryReportsService }> = async (
  app,
  { reports },
) => {
  app.get(
    '/regulatory-reports/regimes',
    {
      config: { access: { can: ['read', 'RegulatoryRegime'] } },
      schema: {
        tags: [TAG],
        summary: 'The reporting regimes: triggers, recipients, deadlines, required contents and sources',
        response: { 200: z.object({ items: z.array(regimeSchema) }), ...errors },
      },
    },
    async () => ({ items: await reports.listRegimes() }),
  );

  app.get(
    '/regulatory-reports/regimes/:regimeId',
    {
      config: { access: { can: ['read', 'RegulatoryRegime'] } },
      schema: {
        tags: [TAG],
        summary: 'One reporting regime',
        params: regimeIdParams,
        response: { 200: regimeSchema, ...errors },
      },
    },
    async (request) => reports.getRegime(request.params.regimeId),
  );

  app.put(
    '/regulatory-reports/regimes/:regimeId',
    {
      config: { access: { can: ['update', 'RegulatoryRegime'] } },
      schema: {
        tags: [TAG],
        summary:
          "Replace a regime's definition and whether it is used (versioned, audited; open reports keep theirs)",
        params: regimeIdParams,
        body: regimeUpdateSchema,
        response: { 200: regimeSchema, ...errors },
      },
    },
    async (request) => reports.updateRegime(contextOf(request), request.params.regimeId, request.body),
  );

  app.get(
    '/regulatory-reports/incidents/:incidentId/reports',
    {
      config: { access: { can: ['read', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary:
          "An incident's reports to regulators with their deadlines, with the server's time for countdowns",
        params: incidentIdParams,
        response: { 200: reportListSchema, ...errors },
      },
    },
    async (request) => ({
      items: await reports.reportsOfIncident(request.params.incidentId),
      serverTime: new Date(),
      warnFraction: reports.warnFraction,
    }),
  );

  app.post(
    '/regulatory-reports/incidents/:incidentId/assessment',
    {
      config: { access: { can: ['create', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary:
          "Decide from the incident's facts which regimes apply and open the reports not yet open (idempotent)",
        params: incidentIdParams,
        response: { 200: assessmentSchema, ...errors },
      },
    },
    async (request) => reports.assess(contextOf(request), request.params.incidentId),
  );

  app.get(
    '/regulatory-reports/reports/:id',
    {
      config: { access: { can: ['read', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: 'One report',
        params: reportIdParams,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => reports.getReport(request.params.id),
  );

  app.patch(
    '/regulatory-reports/reports/:id',
    {
      config: { access: { can: ['update', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: "Complete a report: a person's text per item, draft ⇄ ready, fresh facts (audited)",
        params: reportIdParams,
        body: reportUpdateSchema,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => {
      const { expectedVersion, fields, status, refreshFacts } = request.body;
      return reports.updateReport(contextOf(request), request.params.id, {
        expectedVersion,
        ...(fields ? { fields } : {}),
        ...(status ? { status } : {}),
        ...(refreshFacts !== undefined ? { refreshFacts } : {}),
      });
    },
  );

  app.post(
    '/regulatory-reports/reports/:id/waiver',
    {
      config: { access: { can: ['update', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: 'Record that a report is not required, and why (e.g. GDPR Art. 33(1), 34(3))',
        params: reportIdParams,
        body: waiverSchema,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => reports.waive(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/regulatory-reports/reports/:id/updates',
    {
      config: { access: { can: ['create', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: 'Open the next numbered update of a first report, with the current facts',
        params: reportIdParams,
        response: { 201: reportSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await reports.openUpdate(contextOf(request), request.params.id)),
  );

  app.post(
    '/regulatory-reports/reports/:id/submission',
    {
      config: { access: { can: ['update', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: 'Record that a ready report was submitted: when, through which channel, with what reference',
        params: reportIdParams,
        body: submissionSchema,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) =>
      reports.recordSubmission(contextOf(request), request.params.id, {
        ...request.body,
        submittedAt: new Date(request.body.submittedAt),
      }),
  );

  app.get(
    '/regulatory-reports/reports/:id/export',
    {
      config: { access: { can: ['read', 'RegulatoryReport'] } },
      schema: {
        tags: [TAG],
        summary: "The report as PDF, DOCX or JSON, in its regime's language (audited)",
        params: reportIdParams,
        querystring: exportQuerySchema,
        response: { 200: z.any().describe('The file, as an attachment'), ...errors },
      },
    },
    async (request, reply) => {
      const file = await reports.export(contextOf(request), request.params.id, request.query.format);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(file.bytes);
    },
  );
};
