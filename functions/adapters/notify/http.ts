/**
 * HTTP plumbing shared by the notifiers: a bounded timeout per attempt and up to `attempts` tries
 * with exponential backoff (and jitter) on 429, 5xx and network errors. Other 4xx are the request's
 * fault and are not retried. Errors carry the status but never the URL, headers or body: webhook
 * URLs, tokens and routing keys are secrets.
 */
export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
}

export interface HttpOptions extends RetryOptions {
  fetch?: typeof fetch;
}

export class NotifyError extends Error {
  readonly notifier: string;
  readonly status?: number;
  readonly retryable: boolean;

  constructor(notifier: string, message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super(`${notifier}: ${message}`, options.cause ? { cause: options.cause } : undefined);
    this.name = 'NotifyError';
    this.notifier = notifier;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(notifier: string, options: RetryOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 4000;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await attempt(AbortSignal.timeout(options.timeoutMs ?? 5000));
    } catch (error) {
      last = error;
      const retryable = error instanceof NotifyError ? error.retryable : true;
      if (!retryable || i === attempts - 1) break;
      const retryAfter = error instanceof NotifyError ? (error as NotifyError & { retryAfterMs?: number }).retryAfterMs : undefined;
      const backoff = Math.min(max, base * 2 ** i) * (0.5 + Math.random() / 2);
      await sleep(Math.min(max, retryAfter ?? backoff));
    }
  }
  if (last instanceof NotifyError) throw last;
  const reason = (last as Error)?.name === 'TimeoutError' ? 'timed out' : 'request failed';
  throw new NotifyError(notifier, reason, { retryable: true, cause: sanitize(last) });
}

/** Keeps the error class and a short message; drops anything that could echo a URL with a secret in it. */
function sanitize(error: unknown): Error {
  const e = error as Error & { cause?: { code?: string } };
  return new Error(`${e?.name ?? 'Error'}${e?.cause?.code ? ` (${e.cause.code})` : ''}`);
}

export interface JsonResponse {
  status: number;
  text: string;
}

/** POSTs JSON once; throws NotifyError on a non-2xx answer (retryable per status). */
export async function postJsonOnce(
  notifier: string,
  url: string,
  body: unknown,
  signal: AbortSignal,
  options: { headers?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<JsonResponse> {
  const response = await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  if (response.status < 200 || response.status >= 300) {
    const error = new NotifyError(notifier, `responded ${response.status}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter > 0) Object.assign(error, { retryAfterMs: retryAfter * 1000 });
    throw error;
  }
  return { status: response.status, text };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
