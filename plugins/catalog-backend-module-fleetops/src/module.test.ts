/**
 * The catalog module in a Backstage test backend (startTestBackend, mock scheduler and config), against
 * a real local stack with two simulated clusters: clusters appear as Resources, a cluster deleted in
 * fleetops leaves the catalog on the next refresh (full mutation), and Components get live status.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { SchedulerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint, type CatalogProcessor, type EntityProvider, type EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { apiClient, type Api } from '../../../test/support/local-stack.ts';
import { catalogModuleFleetops } from './module.ts';
import { STATUS_ANNOTATIONS } from './FleetopsStatusProcessor.ts';

let sim: RunningSimulator;
let cloud: LocalCloud;
let api: Api;
let backend: Awaited<ReturnType<typeof startTestBackend>>;
// mockServices.scheduler() is the functional mock scheduler: a service factory for the backend, and triggerTask for the test.
const scheduler = mockServices.scheduler() as SchedulerService & { factory(options?: { skipTaskRunOnStartup?: boolean }): ServiceFactory };
const providers: EntityProvider[] = [];
const processors: CatalogProcessor[] = [];
const mutations: EntityProviderMutation[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['east', 'west'], tickMs: 1000 });
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-catalog-module-')) });
  api = apiClient(cloud);
  for (const info of sim.clusters) {
    const r = await api('POST', '/v1/clusters', {
      name: info.name,
      environment: info.name === 'east' ? 'prod' : 'staging',
      labels: { team: 'platform', region: `eu-${info.name}-1` },
      kubeconfig: info.kubeconfigYaml,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids[info.name] = r.body.id;
  }
  backend = await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addEntityProvider: (...p: Array<EntityProvider | EntityProvider[]>) => void providers.push(...p.flat()),
          addProcessor: (...p: Array<CatalogProcessor | CatalogProcessor[]>) => void processors.push(...p.flat()),
        },
      ],
    ],
    features: [
      catalogModuleFleetops,
      scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({
        data: { fleetops: { baseUrl: cloud.url, token: cloud.apiToken, schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } } } },
      }),
    ],
  });
  // What the catalog does with a provider: connect it (the module schedules its refresh there).
  await providers[0]!.connect({ applyMutation: async (m) => void mutations.push(m), refresh: async () => undefined });
}, 180_000);

afterAll(async () => {
  await backend?.stop();
  await cloud?.stop();
  await sim?.stop();
});

const lastEntities = () => {
  const m = mutations.at(-1)!;
  expect(m.type).toBe('full');
  return (m.type === 'full' ? m.entities : []).map((e) => e.entity);
};

describe('catalog module fleetops', () => {
  it('registers one provider and one processor with the catalog', () => {
    expect(providers.map((p) => p.getProviderName())).toEqual(['fleetops-clusters']);
    expect(processors.map((p) => p.getProcessorName())).toEqual(['FleetopsStatusProcessor']);
  });

  it('imports fleetops clusters as kubernetes-cluster Resources on its schedule', async () => {
    expect((await scheduler.getScheduledTasks()).map((t) => t.id)).toContain('fleetops-clusters:refresh');
    await scheduler.triggerTask('fleetops-clusters:refresh');
    const entities = lastEntities();
    expect(entities.map((e) => e.metadata.name).sort()).toEqual(['east', 'west']);
    const east = entities.find((e) => e.metadata.name === 'east')!;
    expect(east.kind).toBe('Resource');
    expect(east.spec).toMatchObject({
      type: 'kubernetes-cluster',
      owner: 'group:default/platform',
      lifecycle: 'production',
      environment: 'prod',
      region: 'eu-east-1',
    });
    expect(east.metadata.annotations).toMatchObject({
      'fleetops.io/cluster-id': ids.east,
      'fleetops.io/region': 'eu-east-1',
      'backstage.io/managed-by-location': 'url:fleetops-provider:fleetops-clusters',
    });
    expect(entities.find((e) => e.metadata.name === 'west')!.spec).toMatchObject({ lifecycle: 'experimental', environment: 'staging' });
    // No credential leaks into the catalog.
    expect(JSON.stringify(entities)).not.toContain(cloud.apiToken);
  });

  it('removes a cluster deleted in fleetops on the next refresh', async () => {
    expect((await api('DELETE', `/v1/clusters/${ids.west}`)).status).toBe(204);
    await scheduler.triggerTask('fleetops-clusters:refresh');
    expect(lastEntities().map((e) => e.metadata.name)).toEqual(['east']);
  });

  it('annotates Components with live fleetops status', async () => {
    const alert = await api('POST', '/v1/alerts', {
      source: 'test',
      cluster: ids.east,
      namespace: 'shop',
      service: 'payment-service',
      type: 'HighErrorRate',
      severity: 'high',
      message: 'payment-service 5xx above 5 %',
    });
    expect(alert.status, JSON.stringify(alert.body)).toBe(202);
    const processor = processors[0]!;
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments', annotations: { 'fleetops.io/service': 'payment-service' } },
      spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
    };
    const location = { type: 'url', target: 'https://example.com/catalog-info.yaml' };
    const out = await processor.preProcessEntity!(component, location, () => undefined, location, { get: async () => undefined, set: async () => undefined });
    expect(out.metadata.annotations).toMatchObject({
      [STATUS_ANNOTATIONS.openIncidents]: '1',
      [STATUS_ANNOTATIONS.health]: 'unknown',
      'fleetops.io/service': 'payment-service',
    });
    expect(Date.parse(out.metadata.annotations![STATUS_ANNOTATIONS.statusAt]!)).not.toBeNaN();
    const quiet = await processor.preProcessEntity!({ ...component, metadata: { name: 'user-service' } }, location, () => undefined, location, {
      get: async () => undefined,
      set: async () => undefined,
    });
    expect(quiet.metadata.annotations?.[STATUS_ANNOTATIONS.openIncidents]).toBe('0');
    const resource = await processor.preProcessEntity!({ ...component, kind: 'Resource' }, location, () => undefined, location, {
      get: async () => undefined,
      set: async () => undefined,
    });
    expect(resource).toEqual({ ...component, kind: 'Resource' });
  });
});
