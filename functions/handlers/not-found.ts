import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toApiGatewayResult } from '../http/responses.ts';

/** API Gateway's `$default` route: unknown paths get the contract's JSON error, not the gateway's own body. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '/';
  return toApiGatewayResult({ status: 404, body: { error: { code: 'NOT_FOUND', message: `No route for ${method} ${path}` } } });
}
