import type { FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import pino from 'pino';

/**
 * Application logs: JSON lines with the request id on every line of a request. SECURITY: personal data
 * never reaches a log: credentials and cookies are redacted, URLs are logged without their query string,
 * and database errors are logged by SQLSTATE and constraint only, because PostgreSQL's messages and
 * details quote the values that caused them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
];

type SerializedError = {
  type: string;
  message?: string;
  code?: string;
  stack?: string;
  [key: string]: unknown;
};

/** Is this an error reported by PostgreSQL (node-postgres or PGlite), whose text may quote data? */
function isDatabaseError(error: Record<string, unknown>): boolean {
  return (
    typeof error.severity === 'string' && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code)
  );
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error };
  const record = error as unknown as Record<string, unknown>;
  if (isDatabaseError(record)) {
    return {
      type: 'DatabaseError',
      code: record.code as string,
      ...(typeof record.constraint === 'string' ? { constraint: record.constraint } : {}),
      ...(typeof record.table === 'string' ? { table: record.table } : {}),
      ...(typeof record.routine === 'string' ? { routine: record.routine } : {}),
    };
  }
  return {
    type: error.name,
    message: error.message,
    ...(typeof record.code === 'string' ? { code: record.code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'claimguard' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      err: serializeError,
      error: serializeError,
      req: (request: { id: string; method: string; url: string; routeOptions?: { url?: string } }) => ({
        id: request.id,
        method: request.method,
        // The route pattern, never the concrete URL: a path or query could carry an identifier.
        route: request.routeOptions?.url ?? request.url.split('?')[0],
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/**
 * One log line per request instead of Fastify's two: "request completed" (or "request errored") carries the
 * method and route as well, and the "incoming request" line is written only at debug level. Logging was a
 * measurable share of each request's CPU (issue 4 §11); what an operator reads is unchanged.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    // pino makes a disabled level's method a no-op, so this costs nothing at the default level.
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
