/**
 * Typed domain errors. Core and adapters throw these with a kind (what went wrong, in domain
 * terms) and an UPPER_SNAKE code; the HTTP layer (functions/http/errors-to-response.ts) decides the
 * status. Anything else becomes a 500 without internals.
 */
export type ErrorKind =
  | 'invalid' // the caller's input is wrong
  | 'unauthorized' // no credential, or one that is not valid (401)
  | 'forbidden' // a valid credential whose role or kind does not allow this (403)
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unprocessable' // well-formed, but in conflict with what the same key did before (422)
  | 'rate-limited' // too many of these from this caller or for this target (429)
  | 'upstream' // a cluster, Prometheus or another dependency failed; the caller was fine
  | 'retry-later'; // the work is stored but not finished; the sender should retry

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details?: unknown;

  constructor(kind: ErrorKind, code: string, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_ERROR') {
    super('invalid', code, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid bearer token') {
    super('unauthorized', 'UNAUTHORIZED', message);
  }
}

/** A verified caller without the role (or credential kind) an action needs. */
export class ForbiddenError extends AppError {
  constructor(message = 'This credential is not allowed to do this', code = 'FORBIDDEN') {
    super('forbidden', code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not-found', 'NOT_FOUND', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super('conflict', code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('too-large', 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super('unsupported-media-type', 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${expected}`);
  }
}

/** A well-formed request that cannot be processed as sent (a reused Idempotency-Key with another body). */
export class UnprocessableError extends AppError {
  constructor(message: string, code = 'UNPROCESSABLE') {
    super('unprocessable', code, message);
  }
}

/** A limit on how often something may be asked for was reached; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, code = 'RATE_LIMITED') {
    super('rate-limited', code, message, { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The caller was fine, something we depend on (a cluster, Prometheus) was not. */
export class UpstreamError extends AppError {
  constructor(message: string, code = 'UPSTREAM_UNREACHABLE') {
    super('upstream', code, message);
  }
}
