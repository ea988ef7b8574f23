import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bearerToken } from '../http/api-token.ts';
import { toApiGatewayResult } from '../http/responses.ts';
import { wiring } from '../wiring.ts';

/**
 * API Gateway's `$default` route: unknown paths get the contract's JSON error, not the gateway's
 * own body. Under /v1 the credential is checked first, so unauthenticated callers cannot map the API.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '/';
  if (path.startsWith('/v1/') || path === '/v1') {
    const presented = bearerToken(event.headers?.authorization);
    const authorized =
      presented !== undefined &&
      (await wiring()
        .authenticator.authenticate(presented)
        .then(
          () => true,
          () => false,
        ));
    if (!authorized) return toApiGatewayResult({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' } } });
  }
  return toApiGatewayResult({ status: 404, body: { error: { code: 'NOT_FOUND', message: `No route for ${method} ${path}` } } });
}
