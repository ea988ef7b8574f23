import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROUTE_LIST } from '../../../functions/definitions/routes.ts';
import { buildOpenApiDocument } from '../../../functions/http/openapi.ts';
import { routeKey } from '../../../functions/http/route-definition.ts';
import { ROLES } from '../../../functions/core/identity/identity.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('route table', () => {
  it('has unique route keys and operation ids', () => {
    const keys = ROUTE_LIST.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ROUTE_LIST.map((r) => r.id)).size).toBe(ROUTE_LIST.length);
  });

  it('points every route at a handler module that exports a handler', async () => {
    for (const route of ROUTE_LIST) {
      const file = join(root, 'functions', 'handlers', `${route.handler}.ts`);
      expect(existsSync(file), file).toBe(true);
      const module = (await import(file)) as { handler?: unknown };
      expect(typeof module.handler, route.handler).toBe('function');
    }
  });

  it('declares a params schema for exactly the path template’s parameters', () => {
    for (const route of ROUTE_LIST) {
      const templateParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const schemaParams = Object.keys(route.params?.shape ?? {}).sort();
      expect(schemaParams, route.id).toEqual(templateParams);
    }
  });

  it('protects every /v1 route with the bearer token or Slack signature, and nothing else', () => {
    for (const route of ROUTE_LIST) {
      if (route.path.startsWith('/v1/slack/')) expect(route.auth, route.id).toBe('slack');
      else if (route.path.startsWith('/v1/')) expect(route.auth, route.id).toBe('bearer');
      else expect(route.auth, route.id).toBe('none');
    }
  });

  it('names the least role of every authenticated route, and accepts ingest credentials only for posting alerts', () => {
    for (const route of ROUTE_LIST) {
      if (route.auth !== 'bearer') {
        expect(route.role, route.id).toBeUndefined();
        continue;
      }
      expect(ROLES, route.id).toContain(route.role);
      expect(Boolean(route.ingest), route.id).toBe(route.method === 'POST' && /^\/v1\/alerts(\/|$)/.test(route.path));
      // Reads are for viewers; nothing that changes state is.
      if (route.role === 'viewer') expect(route.method, route.id).toBe('GET');
    }
    const role = (id: string) => ROUTE_LIST.find((r) => r.id === id)?.role;
    // The contract's examples: operator = ack, silence, diagnose; approver = approve/reject healing; admin = kill switch, clusters.
    expect(['acknowledgeIncident', 'createSilence', 'startRca'].map(role)).toEqual(['operator', 'operator', 'operator']);
    expect(['approveHealing', 'rejectHealing'].map(role)).toEqual(['approver', 'approver']);
    expect(['setHealingKillSwitch', 'registerCluster', 'deleteCluster', 'rotateKubeconfig', 'createIngestCredential', 'revokeCredential'].map(role)).toEqual(
      Array(6).fill('admin'),
    );
  });
});

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(ROUTE_LIST, { title: 'fleetops', version: '1' }) as any;

  it('is OpenAPI 3.1 with every route, its operation id and security', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTE_LIST) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId, route.id).toBe(route.id);
      expect(operation.security).toEqual(route.auth === 'bearer' ? [{ bearerAuth: [] }] : route.auth === 'slack' ? [{ slackSignature: [] }] : []);
      expect(operation['x-fleetops-role'], route.id).toBe(route.role);
      if (route.auth === 'bearer') expect(Object.keys(operation.responses), route.id).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('is generated from the validation schemas, with resolvable references', () => {
    const body = doc.paths['/v1/events'].post.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    expect(resolved.required).toEqual(expect.arrayContaining(['source', 'detail-type', 'detail']));
    for (const ref of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components.schemas[ref[1]], ref[1]).toBeDefined();
    }
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
  });

  it('validates as OpenAPI 3.1 with a real validator', async () => {
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });
});
