import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/config.ts';
import { AppError, ConflictError, type ErrorKind } from '../../../functions/core/errors.ts';
import { errorToResponse, STATUS_OF } from '../../../functions/http/errors-to-response.ts';
import { bearerToken, tokensMatch } from '../../../functions/http/api-token.ts';
import { Authenticator } from '../../../functions/http/authenticator.ts';
import { handler as healthHandler } from '../../../functions/handlers/health.ts';
import { handler as putEventHandler } from '../../../functions/handlers/put-event.ts';
import { handler as notFoundHandler } from '../../../functions/handlers/not-found.ts';
import { setWiring, wiring, type Wiring } from '../../../functions/wiring.ts';
import type { BusEvent } from '../../../functions/ports.ts';
import { apiEvent, testContext } from '../../support/api-events.ts';

const TOKEN = 'test-token-0123456789abcdef';
let published: BusEvent[];

beforeEach(() => {
  published = [];
  const config = loadConfig({ FLEETOPS_RUNTIME: 'local', FLEETOPS_API_TOKEN: TOKEN } as NodeJS.ProcessEnv);
  setWiring({
    config,
    clock: { now: () => new Date() },
    apiTokens: { getTokens: async () => [TOKEN] },
    authenticator: new Authenticator({ bootstrapTokens: { getTokens: async () => [TOKEN] } }),
    events: { publish: async (events: BusEvent[]) => void published.push(...events) },
  } as unknown as Wiring);
});
afterEach(() => setWiring(undefined));

const auth = { authorization: `Bearer ${TOKEN}` };
const call = async (h: typeof putEventHandler, event: ReturnType<typeof apiEvent>) => {
  const result = (await h(event, testContext)) as { statusCode: number; body?: string; headers?: Record<string, string> };
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined, headers: result.headers };
};

describe('shared HTTP middleware', () => {
  it('serves /health without a token', async () => {
    const response = await call(healthHandler, apiEvent({ routeKey: 'GET /health', headers: {} }));
    expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(response.headers?.['content-type']).toBe('application/json');
  });

  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer wrong-token-wrong-token' }],
    ['wrong scheme', { authorization: `Basic ${TOKEN}` }],
    ['empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 on /v1/* with %s', async (_name, headers) => {
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers, body: '{}' }));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(published).toHaveLength(0);
  });

  it('rejects malformed JSON with 400 INVALID_JSON', async () => {
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth, body: '{"source":' }));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
  });

  it('names the offending fields of a wrongly typed body', async () => {
    const body = JSON.stringify({ source: 42, 'detail-type': 'x', detail: [] });
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth, body }));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.message).toContain('body.source');
    expect(response.body.error.message).toContain('body.detail');
  });

  it('requires a body where the schema does', async () => {
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth }));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'MISSING_BODY' } } });
  });

  it('refuses oversized bodies with 413 before parsing them', async () => {
    const body = JSON.stringify({ source: 'x', 'detail-type': 'y', detail: { pad: 'a'.repeat(300 * 1024) } });
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth, body }));
    expect(response).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('passes a valid request to the route and publishes the event', async () => {
    const body = JSON.stringify({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { state: { value: 'ALARM' } } });
    const response = await call(putEventHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth, body }));
    expect(response.status).toBe(202);
    expect(published).toEqual([expect.objectContaining({ source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', id: response.body.id })]);
  });

  it('maps routes it does not serve to 404, and the $default handler answers in the contract format', async () => {
    const wrongRoute = await call(healthHandler, apiEvent({ routeKey: 'POST /v1/events', headers: auth, body: '{}' }));
    expect(wrongRoute).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const fallback = await call(notFoundHandler as never, apiEvent({ routeKey: '$default', headers: {} }));
    expect(fallback).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('keeps the wiring lazy: reading the config builds no AWS client', () => {
    expect(wiring().config.FLEETOPS_RUNTIME).toBe('local');
  });
});

describe('error mapping', () => {
  it('keeps typed errors and hides unexpected ones', () => {
    expect(errorToResponse(new ConflictError('Cluster dev exists'))).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'Cluster dev exists' } },
    });
    expect(errorToResponse(new AppError('retry-later', 'NOTIFICATION_PENDING', 'x')).status).toBe(503);
    // Every domain error kind has its status here and only here.
    expect(Object.entries(STATUS_OF).map(([kind]) => [kind, errorToResponse(new AppError(kind as ErrorKind, 'X', 'x')).status])).toEqual(
      Object.entries({
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
      }),
    );
    const internal = errorToResponse(new Error('secret token abc123 at /etc/passwd'));
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('abc123');
    expect(internal.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: expect.any(String) } });
  });
});

describe('bearer token parsing', () => {
  it('extracts tokens and compares in constant time', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(tokensMatch('abc', ['abc'])).toBe(true);
    expect(tokensMatch('abc', ['abcd'])).toBe(false);
    expect(tokensMatch('abc', ['new-token', 'abc'])).toBe(true);
  });
});
