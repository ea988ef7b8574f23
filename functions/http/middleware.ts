import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '../core/errors.ts';
import type { Identity } from '../core/identity/identity.ts';
import { bearerToken } from './api-token.ts';
import { authorize, type Authenticator } from './authenticator.ts';
import { errorToResponse } from './errors-to-response.ts';
import { DEFAULT_MAX_BODY_BYTES, routeKey, type RouteDefinition } from './route-definition.ts';
import { toApiGatewayResult } from './responses.ts';

/** The API Gateway event, plus what the middlewares parsed from it (middy's usual pattern). */
export type HttpEvent = APIGatewayProxyEventV2 & { parsed?: Partial<ParsedRequest> };
type HttpMiddleware = MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>;

/** What the middlewares hand to the route implementation. */
export interface ParsedRequest {
  route: RouteDefinition & { id: string };
  body: unknown;
  query: unknown;
  params: unknown;
  rawBody: string;
  /** Set by `authenticate` on `auth: 'bearer'` routes: the verified caller. */
  identity?: Identity;
}

function state(request: Request<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>): Partial<ParsedRequest> {
  request.event.parsed ??= {};
  return request.event.parsed;
}

/** Finds the row of the route table this event was routed by (API Gateway's routeKey). */
export function resolveRoute(routes: readonly (RouteDefinition & { id: string })[]): HttpMiddleware {
  const byKey = new Map(routes.map((r) => [routeKey(r), r]));
  return {
    before: async (request) => {
      const route = byKey.get(request.event.routeKey);
      if (!route) throw new NotFoundError(`No route for ${request.event.routeKey}`);
      state(request).route = route;
    },
  };
}

/**
 * Authentication and the route's role, for routes marked `auth: 'bearer'`: the bearer credential
 * (OIDC JWT, ingest credential, API key or bootstrap token) becomes the request's Identity; missing
 * or invalid → 401, valid but not allowed here → 403.
 */
export function authenticate(authenticator: () => Pick<Authenticator, 'authenticate'>): HttpMiddleware {
  return {
    before: async (request) => {
      const route = state(request).route;
      if (route?.auth !== 'bearer') return;
      const headers = request.event.headers ?? {};
      const presented = bearerToken(headers.authorization ?? headers.Authorization);
      if (!presented) throw new UnauthorizedError();
      const identity = await authenticator().authenticate(presented);
      authorize(identity, route);
      state(request).identity = identity;
    },
  };
}

/** Slack's request signature for routes marked `auth: 'slack'`, checked on the raw body before any parsing. */
export function slackAuth(verifier: () => { verify(headers: Record<string, string | undefined>, rawBody: string): Promise<void> }): HttpMiddleware {
  return {
    before: async (request) => {
      if (state(request).route?.auth !== 'slack') return;
      const raw = decodeBody(request.event);
      const limit = state(request).route!.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      if (Buffer.byteLength(raw, 'utf8') > limit) throw new PayloadTooLargeError(limit);
      await verifier().verify(request.event.headers ?? {}, raw);
    },
  };
}

function decodeBody(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function readBody(route: RouteDefinition, raw: string): unknown {
  if (raw.trim() === '') return undefined;
  switch (route.bodyFormat ?? 'json') {
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new ValidationError('Request body is not valid JSON', undefined, 'INVALID_JSON');
      }
    case 'form':
      return Object.fromEntries(new URLSearchParams(raw));
    case 'text':
    case 'yaml':
      // YAML routes parse in their handler, so only they pay for a YAML parser.
      return raw;
  }
}

/** Size limit, body parsing and zod validation of body, query and path parameters. */
export function validateRequest(): HttpMiddleware {
  return {
    before: async (request) => {
      const current = state(request);
      const route = current.route!;
      const raw = decodeBody(request.event);
      const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      if (Buffer.byteLength(raw, 'utf8') > limit) throw new PayloadTooLargeError(limit);
      current.rawBody = raw;
      const body = route.body ? readBody(route, raw) : undefined;
      if (route.body && body === undefined && !route.body.safeParse(undefined).success) {
        throw new ValidationError('Request body is required', undefined, 'MISSING_BODY');
      }
      current.params = parse(route.params, request.event.pathParameters ?? {}, 'path');
      current.query = parse(route.query, request.event.queryStringParameters ?? {}, 'query');
      current.body = route.body ? parse(route.body, body, 'body') : undefined;
    },
  };
}

function parse(schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: unknown } } | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) {
    const response = errorToResponse(result.error, where);
    const message = (response.body as { error: { message: string } }).error.message;
    throw new ValidationError(message);
  }
  return result.data;
}

/** Turns every error into the contract's JSON error; must be the first middleware so its onError runs last. */
export function httpErrorMapper(): HttpMiddleware {
  return {
    onError: async (request) => {
      request.response = toApiGatewayResult(errorToResponse(request.error));
    },
  };
}
