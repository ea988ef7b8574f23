import * as z from 'zod';
import { AppError, type ErrorKind } from '../core/errors.ts';
import { logger } from '../observability.ts';
import type { HttpResult } from './responses.ts';

function describeZodIssues(error: z.ZodError, where: string): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return parts.join('; ') + more;
}

/** The one place a domain error becomes an HTTP status. */
export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'rate-limited': 429,
  upstream: 502,
  'retry-later': 503,
};

/** Maps any thrown value to the contract's error body. Only AppErrors reveal their message. */
export function errorToResponse(error: unknown, where = ''): HttpResult {
  if (error instanceof AppError) {
    return { status: STATUS_OF[error.kind], body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof z.ZodError) {
    return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: describeZodIssues(error, where) } } };
  }
  logger.error('Unhandled error', { error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Internal error; the request id is in the logs' } } };
}
