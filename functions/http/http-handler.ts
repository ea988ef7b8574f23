import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import type { Identity } from '../core/identity/identity.ts';
import { authenticate, httpErrorMapper, slackAuth, resolveRoute, validateRequest, type HttpEvent, type ParsedRequest } from './middleware.ts';
import type { RouteDefinition } from './route-definition.ts';
import { toApiGatewayResult, type HttpResult } from './responses.ts';

/** The identity of a request no credential was checked for: allowed nothing. */
export const ANONYMOUS: Identity = Object.freeze({ kind: 'system', subject: 'anonymous', displayName: 'anonymous', role: null });

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface HttpRequest<R extends RouteDefinition> {
  body: Infer<R['body']>;
  query: Infer<R['query']>;
  params: Infer<R['params']>;
  rawBody: string;
  headers: Record<string, string | undefined>;
  /**
   * The verified caller on `auth: 'bearer'` routes (its role already checked against the route's).
   * Public and Slack routes get ANONYMOUS (role null); the Slack handler maps its user itself.
   */
  identity: Identity;
  event: APIGatewayProxyEventV2;
  context: Context;
}

export type RouteImpl<R extends RouteDefinition> = (request: HttpRequest<R>) => Promise<HttpResult>;

/**
 * Builds a Lambda handler serving the given routes (the handler's own file under functions/definitions/routes/), with
 * the shared middy stack: error mapping, logger context, route resolution, authentication and the route's role,
 * body/query/path validation. Every route of the table must be implemented.
 */
export function httpHandler<T extends Record<string, RouteDefinition>>(routes: T, implementations: { [P in keyof T]: RouteImpl<T[P]> }) {
  const served = Object.entries(routes).map(([id, route]) => ({ id, ...route }));
  const impls = implementations as unknown as Record<string, RouteImpl<RouteDefinition>>;
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpErrorMapper())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(resolveRoute(served))
    .use(authenticate(() => wiring().authenticator))
    .use(slackAuth(() => wiring().slackVerifier))
    .use(validateRequest())
    .handler(async (event, context) => {
      const parsed = event.parsed as ParsedRequest;
      const result = await impls[parsed.route.id]({
        body: parsed.body,
        query: parsed.query,
        params: parsed.params,
        rawBody: parsed.rawBody,
        headers: event.headers ?? {},
        identity: parsed.identity ?? ANONYMOUS,
        event,
        context,
      } as HttpRequest<RouteDefinition>);
      return toApiGatewayResult(result);
    });
}
