import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-e2e-')),
    rules: [
      {
        id: 'to-health',
        description: 'test rule',
        bus: 'default',
        pattern: { source: [{ prefix: 'test.' }] },
        target: { kind: 'function', handler: 'health' },
      },
      {
        id: 'to-missing',
        description: 'test rule',
        bus: 'default',
        pattern: { source: ['test.broken'] },
        target: { kind: 'function', handler: 'does-not-exist' },
      },
    ],
  });
});
afterAll(async () => cloud?.stop());

const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? cloud.apiToken}`);
  return fetch(cloud.url + path, { ...init, headers });
};

describe('local stack over HTTP', () => {
  it('answers /health without auth', async () => {
    const response = await api('/health', { token: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document', async () => {
    const response = await api('/openapi.json', { token: null });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/events'].post.operationId).toBe('putEvent');
  });

  it('returns 401 on /v1/* without the token', async () => {
    const response = await api('/v1/events', { method: 'POST', token: null, body: '{}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('returns contract errors for unknown routes and bad bodies', async () => {
    const unknown = await api('/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const bad = await api('/v1/events', { method: 'POST', body: '[1,2', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
  });

  it('puts events on the local bus and delivers them by the rule patterns', async () => {
    const response = await api('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'test.ok', 'detail-type': 'Thing', detail: { n: 1 } }),
    });
    expect(response.status).toBe(202);
    const broken = await api('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'test.broken', 'detail-type': 'Thing', detail: {} }),
    });
    expect(broken.status).toBe(202);
    await cloud.bus.drain();
    expect(cloud.bus.deadLetters.map((d) => d.ruleId)).toEqual(['to-missing']);
  });
});
