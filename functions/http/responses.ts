import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** `body` is base64 of binary content (API Gateway decodes it on the way out). */
  isBase64Encoded?: boolean;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(status: number, body: unknown): HttpResult {
  return { status, body };
}

/** A binary body (an archive): sent base64-encoded, as API Gateway expects. */
export function binary(status: number, data: Buffer, contentType: string, headers: Record<string, string> = {}): HttpResult {
  return { status, body: data.toString('base64'), isBase64Encoded: true, headers: { 'content-type': contentType, ...headers } };
}

export function noContent(): HttpResult {
  return { status: 204 };
}

export function toApiGatewayResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers };
  if (typeof result.body === 'string' && headers['content-type']) {
    return { statusCode: result.status, headers, body: result.body, ...(result.isBase64Encoded ? { isBase64Encoded: true } : {}) };
  }
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(result.body),
  };
}
