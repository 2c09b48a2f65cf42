import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors/domain-error.js';
import { contextOf, SESSION_COOKIE } from '../access/route-access.js';
import type { ClaimCaller } from '../claims/claims.service.js';
import { problemResponses } from '../system/system.schema.js';
import { DOCUMENT_CATEGORIES, type DocumentFile, type DocumentsService } from './documents.service.js';

/**
 * The claim documents API (issue "Documents"): upload to a claim, list a claim's documents (metadata
 * only), and download a document or its thumbnail for a stated purpose.
 *
 * Uploads are the raw file as the body (`Content-Type: application/octet-stream`), with the category in
 * the query and, optionally, the client's file name (`X-Document-Name`, percent-encoded UTF-8) and type
 * (`X-Document-Type`): both are only compared with the content and never stored or echoed. The body limit
 * is raised for this route alone; everything else keeps the server's small default.
 */
const errors = problemResponses;
const params = z.object({ id: z.uuid() });
const UPLOAD_CONTENT_TYPE = 'application/octet-stream';
/** Room above the largest accepted file, so that too-large files get our own problem with its limit. */
const BODY_HEADROOM = 1024 * 1024;

const documentSchema = z
  .object({
    id: z.string(),
    claimId: z.string(),
    category: z.enum(DOCUMENT_CATEGORIES),
    contentType: z.string(),
    size: z.number().int(),
    createdAt: z.date(),
    uploader: z.object({ type: z.string(), role: z.string().nullable() }),
    hasThumbnail: z.boolean(),
  })
  .meta({ id: 'ClaimDocument' });

const uploadQuerySchema = z.object({ category: z.enum(DOCUMENT_CATEGORIES) });

const uploadHeadersSchema = z
  .object({
    'x-document-name': z
      .string()
      .max(1024)
      .optional()
      .describe(
        'The file name on the client, percent-encoded UTF-8; checked against the content, never stored',
      ),
    'x-document-type': z
      .string()
      .max(200)
      .optional()
      .describe('The content type the client believes the file has; checked against the content'),
  })
  .loose();

const purposeQuerySchema = z.object({
  purpose: z
    .string()
    .max(64)
    .optional()
    .describe('Why the document is read: a purpose of the personal-data catalogue, e.g. claim-handling'),
});

const fileResponse = z.any().describe('The file, as an attachment');

/** `%E5%BC%A0.jpg` → `张.jpg`; a name that is not valid percent-encoding is taken as sent. */
function decodedName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sendFile(reply: FastifyReply, file: DocumentFile): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(file.bytes);
}

export const documentsRoutes: FastifyPluginAsyncZod<{ documents: DocumentsService }> = async (
  app,
  { documents },
) => {
  const callerOf = (request: Parameters<typeof contextOf>[0]): ClaimCaller => ({
    context: contextOf(request),
    ability: request.ability,
  });
  const bodyLimit = documents.maxUploadBytes + BODY_HEADROOM;

  // Encapsulated in this plugin: no other route accepts a raw body.
  app.addContentTypeParser(UPLOAD_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/claims/:id/documents',
    {
      bodyLimit,
      // SECURITY: the body (up to ~26 MiB) is read before the access hook runs; a caller without any
      // credential is turned away before a byte of it is buffered. The full check follows as on every route.
      onRequest: async (request) => {
        const cookie = request.headers.cookie ?? '';
        if (!cookie.includes(SESSION_COOKIE) && !request.headers.authorization?.startsWith('Bearer '))
          throw new DomainError('unauthenticated');
      },
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'Upload a photo or medical document to a claim (raw body, application/octet-stream; stored encrypted)',
        params,
        querystring: uploadQuerySchema,
        headers: uploadHeadersSchema,
        response: { 201: documentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      const isRaw = Buffer.isBuffer(body);
      if (body !== undefined && !isRaw) {
        throw new DomainError('unsupported-media-type', `Send the file as ${UPLOAD_CONTENT_TYPE}.`);
      }
      const created = await documents.upload(callerOf(request), request.params.id, {
        category: request.query.category,
        content: isRaw ? body : new Uint8Array(0),
        declared: {
          fileName: decodedName(request.headers['x-document-name']),
          contentType: request.headers['x-document-type'],
        },
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/claims/:id/documents',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: "A claim's documents: metadata only, no content",
        params,
        response: { 200: z.object({ items: z.array(documentSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await documents.list(callerOf(request), request.params.id) }),
  );

  app.get(
    '/documents/:id/content',
    {
      config: { access: { can: ['unmask', 'PersonalData'], stepUp: true } },
      schema: {
        tags: ['claims'],
        summary: 'Download a document for a stated purpose (needs a fresh second factor; audited)',
        params,
        querystring: purposeQuerySchema,
        response: { 200: fileResponse, ...errors },
      },
    },
    async (request, reply) =>
      sendFile(reply, await documents.content(callerOf(request), request.params.id, request.query.purpose)),
  );

  app.get(
    '/documents/:id/thumbnail',
    {
      config: { access: { can: ['unmask', 'PersonalData'], stepUp: true } },
      schema: {
        tags: ['claims'],
        summary:
          "A document's thumbnail (WebP, no metadata) for a stated purpose (fresh second factor; audited)",
        params,
        querystring: purposeQuerySchema,
        response: { 200: fileResponse, ...errors },
      },
    },
    async (request, reply) =>
      sendFile(reply, await documents.thumbnail(callerOf(request), request.params.id, request.query.purpose)),
  );
};
