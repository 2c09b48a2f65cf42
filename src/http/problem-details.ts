import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, ERROR_CODES, type ErrorCode } from '../errors/domain-error.js';

/**
 * RFC 9457 problem details. Every error the API returns goes through {@link sendProblem}: a stable
 * `type` per error code (`/problems/<code>`, documented at that address), no stack traces, and nothing
 * from the request echoed back.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  requestId: string;
  [extension: string]: unknown;
};

export function problemTypeUri(code: ErrorCode): string {
  return `/problems/${code}`;
}

export function problemBody(error: DomainError, requestId: string): ProblemBody {
  const { status, title } = ERROR_CODES[error.code];
  return {
    ...error.extensions,
    type: problemTypeUri(error.code),
    title,
    status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: `urn:uuid:${requestId}`,
    requestId,
  };
}

export function sendProblem(reply: FastifyReply, error: DomainError): FastifyReply {
  const body = problemBody(error, reply.request.id);
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * Translates whatever was thrown into a {@link DomainError}. Framework errors keep their meaning; their
 * own messages are dropped because some of them quote the request (a content type, a JSON fragment).
 */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({
      in: error.validationContext ?? 'request',
      pointer: issue.instancePath || '/',
      // Zod's messages describe the expectation ("expected string"), not the value received.
      message: issue.message ?? 'invalid',
    }));
    return new DomainError('validation-failed', `${errors.length} part(s) of the request are invalid`, {
      errors,
    });
  }
  if (isResponseSerializationError(error)) {
    return new DomainError('internal');
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('malformed-body', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload-too-large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new DomainError('unsupported-media-type', 'Send application/json.');
    default:
      break;
  }
  if (fastifyError.statusCode === 429) return new DomainError('rate-limited');
  if (fastifyError.statusCode === 404) return new DomainError('not-found');
  if (fastifyError.statusCode === 413) return new DomainError('payload-too-large');
  if (fastifyError.statusCode === 415) return new DomainError('unsupported-media-type');
  if (
    fastifyError.statusCode !== undefined &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new DomainError('bad-request');
  }
  return new DomainError('internal');
}

export function problemErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const domainError = toDomainError(error);
  const { status } = ERROR_CODES[domainError.code];
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.info({ problem: domainError.code, status }, 'request refused');
  }
  if (domainError.code === 'rate-limited') {
    const retryAfter = reply.getHeader('retry-after');
    if (retryAfter === undefined) reply.header('retry-after', '60');
  }
  return sendProblem(reply, domainError);
}
