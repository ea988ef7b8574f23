/** The cost store against DynamoDB Local: daily aggregates add up, a retried pull adds nothing, usage histograms round-trip. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoCostStore } from '../../../functions/adapters/aws/dynamodb/cost-store.ts';
import { SnapshotPriceSource } from '../../../functions/adapters/aws/pricing/snapshot-prices.ts';
import { NodePricer } from '../../../functions/core/cost/prices.ts';
import { CostService } from '../../../functions/core/cost/service.ts';
import { CatalogIndex } from '../../../functions/core/catalog/graph.ts';
import type { ClusterResources } from '../../../functions/core/cost/ports.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoCostStore;
let service: CostService;
const now = new Date('2026-12-06T12:00:00Z');
const MI = 1024 ** 2;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoCostStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
  service = new CostService({
    store,
    pricer: new NodePricer(new SnapshotPriceSource()),
    catalog: { snapshot: async () => new CatalogIndex([]) },
    clock: { now: () => now },
    events: { publish: async () => {} },
  });
}, 60_000);
afterAll(() => db?.stop());

/** 60 web pods and 1 api pod on 2 nodes: more writes than one transaction holds. */
function resources(webReplicas: number): ClusterResources {
  const pods = [];
  const usage = [];
  for (let i = 0; i < webReplicas; i++) {
    const name = `web${i}-7d9f8c6b5d-bcdfg`;
    pods.push({
      metadata: { name, namespace: 'shop' },
      spec: {
        nodeName: `n${i % 2}`,
        containers: [{ name: 'app', resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '20m', memory: '64Mi' } } }],
      },
      status: { phase: 'Running' },
    });
    usage.push({ namespace: 'shop', name, containers: [{ name: 'app', cpu: 0.005, memory: 40 * MI }] });
  }
  const node = (name: string) => ({
    metadata: { name, labels: { 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/region': 'us-east-1' } },
    status: { capacity: { cpu: '4', memory: '16Gi' } },
  });
  return { nodes: [node('n0'), node('n1')], pods, usage };
}

describe('DynamoCostStore', () => {
  it('records a pull once (a retry adds nothing) and the report adds up', async () => {
    const input = { clusterId: 'c1', cluster: 'dev', pullId: 'p1', at: now, intervalSeconds: 3600, resources: resources(120) };
    const first = await service.pullCluster(input);
    expect(first.recorded).toBe(true);
    expect((await service.pullCluster(input)).recorded).toBe(false);
    const report = await service.costs({ groupBy: 'service', window: '1d' });
    expect(report.total).toBeCloseTo(2 * 0.192, 6);
    expect(report.items).toHaveLength(120);
    const sum = report.items.reduce((s, i) => s + i.cost, 0);
    expect(sum + report.idle).toBeCloseTo(report.total, 4);
    await service.pullCluster({ ...input, pullId: 'p2' });
    expect((await service.costs({ groupBy: 'cluster', window: '1d' })).items).toEqual([
      expect.objectContaining({ key: 'dev', cost: expect.closeTo(2 * sum, 4) }),
    ]);
  }, 60_000);

  it('keeps usage histograms: recommendations come back from what was stored', async () => {
    const r = await service.recommendations({ cluster: 'dev', service: 'web0' });
    expect(r.items).toHaveLength(0); // 2 samples: below the minimum
    await service.pullCluster({ clusterId: 'c1', cluster: 'dev', pullId: 'p3', at: now, intervalSeconds: 3600, resources: resources(120) });
    const items = (await service.recommendations({ cluster: 'dev', service: 'web0' })).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      workload: 'web0',
      container: 'app',
      current: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '20m', memory: '64Mi' } },
      evidence: { samples: 3, oomKills: 0, throttledPct: 0 },
    });
    // Memory: 40Mi max (one 5 % bucket up) + 15 %, at least 32Mi; CPU at the 10m floor.
    expect(parseInt(items[0]!.recommended.requests.memory)).toBeGreaterThanOrEqual(46);
    expect(parseInt(items[0]!.recommended.requests.memory)).toBeLessThanOrEqual(49);
    expect(items[0]!.recommended.requests.cpu).toBe('10m');
  }, 60_000);
});
