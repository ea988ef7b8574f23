/**
 * Applying a right-sizing recommendation: the real CostService (recommendations from stored usage),
 * the real DeployRequests + Deployer (prod gate, records, values in the secret store, one workflow
 * per deployment), over in-memory stores.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { RecommendationApplier, withResources } from '../../../functions/core/cost/apply-recommendation.ts';
import type { CostStore } from '../../../functions/core/cost/ports.ts';
import { shortfalls, usageDeltas, type RightsizingOptions, type UsageDay } from '../../../functions/core/cost/rightsizing.ts';
import { CostService } from '../../../functions/core/cost/service.ts';
import type { ContainerSample } from '../../../functions/core/cost/types.ts';
import type { ClusterRecord } from '../../../functions/core/clusters/cluster-record.ts';
import { Deployer, valuesSecretName } from '../../../functions/core/deploy/deployer.ts';
import { DeployRequests } from '../../../functions/core/deploy/requests.ts';
import { matchesSelector } from '../../../functions/core/deploy/selector.ts';
import type { DeploymentRecord, ReleaseHistoryEntry } from '../../../functions/core/deploy/types.ts';
import type { Identity, Role } from '../../../functions/core/identity/identity.ts';
import type { WorkflowStarter } from '../../../functions/core/platform/ports.ts';
import { InMemoryDeploymentStore } from '../../support/fakes/deployment-store.ts';
import { FixedClock, InMemorySecretStore, RecordingPublisher } from '../../support/fakes/platform.ts';

const MI = 1024 ** 2;
const NOW = '2026-12-06T10:00:00.000Z';
const person = (role: Role): Identity => ({ kind: 'oidc', subject: `https://issuer#${role}-1`, displayName: role, role });

function cluster(id: string, environment: string): ClusterRecord {
  return {
    id,
    name: id,
    environment,
    labels: {},
    server: 'https://127.0.0.1:6443',
    version: 'v1.31.0',
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    source: 'kubeconfig',
    credentialsVersion: 'v1',
  };
}

/** A day of one container's usage on a cluster: `n` samples at `cpu` cores and `memory` bytes. */
function usage(clusterId: string, workload: string, n: number, sample: Partial<ContainerSample> = {}, container = workload): UsageDay {
  const samples: ContainerSample[] = Array.from({ length: n }, (_, i) => ({
    namespace: 'shop',
    workload,
    container,
    pod: `${workload}-${i}`,
    measured: true,
    cpu: 0.05,
    memory: 100 * MI,
    requests: { cpu: 1, memory: 1024 * MI },
    limits: { cpu: 2, memory: 2048 * MI },
    oomKilled: false,
    throttled: false,
    ...sample,
  }));
  const [delta] = usageDeltas(samples);
  return { ...delta!, date: NOW.slice(0, 10), clusterId, cluster: clusterId, pulls: n, rates: { cpuCoreHour: 0.04, memoryGiBHour: 0.005 } };
}

class RecordingWorkflows implements WorkflowStarter {
  readonly started: { workflow: string; input: unknown; name?: string }[] = [];
  async start(workflow: string, input: unknown, name?: string) {
    this.started.push({ workflow, input, ...(name ? { name } : {}) });
    return { executionId: `arn:local:${name}` };
  }
  async describe() {
    return undefined;
  }
}

let days: UsageDay[];
let deployments: InMemoryDeploymentStore;
let secrets: InMemorySecretStore;
let workflows: RecordingWorkflows;
let clusters: ClusterRecord[];
let rightsizing: Partial<RightsizingOptions>;
let costs: CostService;
let applier: RecommendationApplier;

const baseValues = {
  image: { repository: 'registry.example.com/ledger', tag: '1.0.0' },
  resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
  token: 's3cret',
};

/** A deployment fleetops made of release `ledger` (values stored as the deployer stores them), and its history on `clusterIds`. */
async function fleetopsDeploy(
  id: string,
  clusterIds: string[],
  outcome: ReleaseHistoryEntry['outcome'] = 'SUCCEEDED',
  at = '2026-12-05T10:00:00.000Z',
  revision = 1,
) {
  const record: DeploymentRecord = {
    id,
    status: outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    trigger: 'api',
    release: 'ledger',
    namespace: 'shop',
    chart: { path: '/charts/fleetops-microservice' },
    waves: [{ name: 'all', selector: {} }],
    strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 2, maxConcurrency: 5 },
    valuesHash: 'x',
    createdAt: at,
    updatedAt: at,
  };
  await deployments.create(record);
  await secrets.put(valuesSecretName(id), JSON.stringify(baseValues));
  for (const clusterId of clusterIds) await history(id, clusterId, outcome, at, revision);
}

async function history(deploymentId: string, clusterId: string, outcome: ReleaseHistoryEntry['outcome'], at: string, revision: number) {
  await deployments.appendHistory({
    clusterId,
    namespace: 'shop',
    release: 'ledger',
    deploymentId,
    revision,
    valuesHash: 'x',
    chart: 'c',
    trigger: 'api',
    outcome,
    at,
  });
}

async function recommendationFor(clusterId: string, workload = 'ledger') {
  const { items } = await costs.recommendations({ cluster: clusterId, service: workload });
  expect(items).toHaveLength(1);
  return items[0]!;
}

beforeEach(() => {
  days = [usage('dev', 'ledger', 20), usage('prod', 'ledger', 20), usage('dev', 'frontend', 20)];
  deployments = new InMemoryDeploymentStore();
  secrets = new InMemorySecretStore();
  workflows = new RecordingWorkflows();
  clusters = [cluster('dev', 'dev'), cluster('prod', 'prod')];
  rightsizing = {};
  const clock = new FixedClock(NOW);
  const store = { usage: async () => structuredClone(days) } as unknown as CostStore;
  costs = new CostService({ store, pricer: {} as never, catalog: {} as never, clock, events: new RecordingPublisher(), rightsizing });
  const deployer = new Deployer({
    store: deployments,
    secrets,
    workflows,
    events: new RecordingPublisher(),
    clock,
    chartPolicy: { allowLoopback: true, allowLocalCharts: true },
  });
  const deploys = new DeployRequests({ deployer, clusters: { list: async () => structuredClone(clusters) } });
  const registered = { get: async (id: string) => structuredClone(clusters.find((c) => c.id === id)) };
  applier = new RecommendationApplier({ recommendations: costs, deployments, secrets, deploys, clusters: registered });
});

describe('applying a recommendation', () => {
  it("redeploys the workload's fleetops release to its cluster alone, with the recommended resources and the rest of its values", async () => {
    await fleetopsDeploy('d-base', ['dev', 'prod']);
    const rec = await recommendationFor('dev');
    expect(rec.id).toMatch(/^rs-7d-[0-9a-f]{12}-[0-9a-f]{10}$/);
    expect(parseInt(rec.recommended.requests.cpu)).toBeLessThan(1000);

    const applied = await applier.apply(person('operator'), rec.id, 'over-provisioned since launch');
    expect(applied).toMatchObject({ created: true, release: 'ledger', namespace: 'shop', cluster: 'dev', resources: rec.recommended });
    const view = (await deployments.get(applied.deploymentId))!;
    expect(view.record).toMatchObject({
      trigger: `rightsizing:${rec.id}`,
      requestedBy: 'https://issuer#operator-1',
      reason: 'over-provisioned since launch',
      release: 'ledger',
      namespace: 'shop',
      chart: { path: '/charts/fleetops-microservice' },
      strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 2 },
    });
    // One cluster: the recommendation's, whatever else the release runs on.
    const [wave] = view.record.waves;
    expect(clusters.filter((c) => matchesSelector(c, wave!.selector)).map((c) => c.id)).toEqual(['dev']);
    const values = JSON.parse((await secrets.get(valuesSecretName(applied.deploymentId)))!);
    expect(values).toEqual({
      ...baseValues,
      resources: { requests: rec.recommended.requests, limits: { ...baseValues.resources.limits, ...rec.recommended.limits } },
    });
    expect(workflows.started).toEqual([{ workflow: 'deploy', input: { deploymentId: applied.deploymentId }, name: applied.deploymentId }]);
  });

  it('applied twice is one deployment, also once that deploy has succeeded and new evidence changed the recommendation', async () => {
    await fleetopsDeploy('d-base', ['dev']);
    const rec = await recommendationFor('dev');
    const first = await applier.apply(person('operator'), rec.id);
    const second = await applier.apply(person('operator'), rec.id);
    expect(second).toMatchObject({ deploymentId: first.deploymentId, created: false });
    expect(deployments.views.size).toBe(2);
    // Its deploy succeeds; the next pulls see the new requests, so today's recommendation has another id.
    await history(first.deploymentId, 'dev', 'SUCCEEDED', '2026-12-06T09:00:00.000Z', 2);
    days.push(usage('dev', 'ledger', 20, { cpu: 0.2, requests: { cpu: 0.06, memory: 116 * MI } }));
    expect((await recommendationFor('dev')).id).not.toBe(rec.id);
    const third = await applier.apply(person('operator'), rec.id);
    expect(third).toMatchObject({ deploymentId: first.deploymentId, created: false, resources: { requests: rec.recommended.requests } });
    expect(deployments.views.size).toBe(2);
    expect(new Set(workflows.started.map((w) => w.name))).toEqual(new Set([first.deploymentId]));
  });

  it('needs an approver on a prod cluster, as POST /v1/deployments does, and stores nothing for an operator', async () => {
    await fleetopsDeploy('d-base', ['dev', 'prod']);
    const rec = await recommendationFor('prod');
    await expect(applier.apply(person('operator'), rec.id)).rejects.toMatchObject({ kind: 'forbidden', code: 'PROD_APPROVAL_REQUIRED' });
    expect(deployments.views.size).toBe(1);
    expect(workflows.started).toEqual([]);
    const applied = await applier.apply(person('approver'), rec.id);
    expect(applied).toMatchObject({ created: true, cluster: 'prod' });
    expect((await deployments.get(applied.deploymentId))!.record.requestedBy).toBe('https://issuer#approver-1');
    // The dev cluster's recommendation is not gated: its wave selects dev alone.
    await expect(applier.apply(person('operator'), (await recommendationFor('dev')).id)).resolves.toMatchObject({ cluster: 'dev' });
  });

  it('refuses a workload fleetops did not deploy there: change it where it is managed', async () => {
    await fleetopsDeploy('d-base', ['prod']);
    for (const rec of [await recommendationFor('dev', 'frontend'), await recommendationFor('dev')]) {
      const refused = applier.apply(person('admin'), rec.id);
      await expect(refused).rejects.toMatchObject({ kind: 'conflict', code: 'NOT_DEPLOYED_BY_FLEETOPS' });
      await expect(applier.apply(person('admin'), rec.id)).rejects.toThrow(/GitOps/);
    }
    expect(workflows.started).toEqual([]);
  });

  it('uses the deployment a failed deploy was rolled back to, and refuses while the last deploy stands failed or another runs', async () => {
    await fleetopsDeploy('d-base', ['dev']);
    await fleetopsDeploy('d-bad', [], 'FAILED', '2026-12-05T12:00:00.000Z');
    await history('d-bad', 'dev', 'FAILED', '2026-12-05T12:00:00.000Z', 2);
    const rec = await recommendationFor('dev');
    await expect(applier.apply(person('operator'), rec.id)).rejects.toMatchObject({ code: 'RELEASE_FAILED' });
    await history('d-bad', 'dev', 'ROLLED_BACK', '2026-12-05T12:01:00.000Z', 1);
    await secrets.put(valuesSecretName('d-bad'), JSON.stringify({ image: { tag: 'broken' } }));

    await deployments.create({ ...(await deployments.get('d-base'))!.record, id: 'd-running', status: 'RUNNING', createdAt: NOW });
    await expect(applier.apply(person('operator'), rec.id)).rejects.toMatchObject({ code: 'DEPLOY_IN_PROGRESS' });
    await deployments.setStatus('d-running', 'SUCCEEDED', NOW);

    const applied = await applier.apply(person('operator'), rec.id);
    const values = JSON.parse((await secrets.get(valuesSecretName(applied.deploymentId)))!);
    expect(values.image.tag).toBe('1.0.0');
  });

  it('answers unknown and stale ids apart', async () => {
    await fleetopsDeploy('d-base', ['dev']);
    const rec = await recommendationFor('dev');
    await expect(applier.apply(person('operator'), 'rs-7d-000000000000-0000000000')).rejects.toMatchObject({ kind: 'not-found' });
    await expect(applier.apply(person('operator'), 'does-not-exist')).rejects.toMatchObject({ kind: 'not-found' });
    // New evidence: the container now peaks at 900 Mi, so yesterday's values are no longer today's recommendation.
    days.push(usage('dev', 'ledger', 20, { memory: 900 * MI }));
    await expect(applier.apply(person('operator'), rec.id)).rejects.toMatchObject({ kind: 'conflict', code: 'RECOMMENDATION_STALE' });
    const fresh = await recommendationFor('dev');
    await expect(applier.apply(person('operator'), fresh.id)).resolves.toMatchObject({ created: true });
    expect(workflows.started).toHaveLength(1);
  });

  it('re-checks the values against the observed need, whatever the recommendation options', async () => {
    await fleetopsDeploy('d-base', ['dev']);
    days = [usage('dev', 'ledger', 20, { memory: 400 * MI })];
    // A misconfigured headroom would recommend less memory than the container has used.
    rightsizing.memoryHeadroom = -0.5;
    const rec = await recommendationFor('dev');
    expect(parseInt(rec.recommended.requests.memory)).toBeLessThan(400);
    await expect(applier.apply(person('admin'), rec.id)).rejects.toMatchObject({ kind: 'conflict', code: 'BELOW_OBSERVED_NEED' });
    await expect(applier.apply(person('admin'), rec.id)).rejects.toThrow(/memory request \d+Mi is below the observed 4\d\dMi/);
    expect(workflows.started).toEqual([]);
  });

  it('refuses a workload with several containers: the values path sets one', async () => {
    await fleetopsDeploy('d-base', ['dev']);
    days.push(usage('dev', 'ledger', 20, {}, 'istio-proxy'));
    const { items } = await costs.recommendations({ cluster: 'dev', service: 'ledger' });
    await expect(applier.apply(person('operator'), items[0]!.id)).rejects.toMatchObject({ code: 'MULTIPLE_CONTAINERS' });
  });
});

describe('observed need', () => {
  const need = { cpu: 0.3, memory: 300 * MI };
  it('accepts resources at or above it and names each shortfall', () => {
    expect(shortfalls({ requests: { cpu: '300m', memory: '300Mi' }, limits: { memory: '300Mi' } }, need)).toEqual([]);
    expect(shortfalls({ requests: { cpu: '299m', memory: '300Mi' }, limits: { cpu: '250m', memory: '200Mi' } }, need)).toEqual([
      'CPU request 299m is below the observed 300m',
      'CPU limit 250m is below the observed 300m',
      'memory limit 200Mi is below the observed 300Mi',
    ]);
  });
  it('wants more than the limit a container was OOM-killed or throttled at', () => {
    const killed = { cpu: 0.5, memory: 512 * MI, oomKilledAtMemory: 512 * MI, throttledAtCpu: 0.5 };
    expect(shortfalls({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } }, killed)).toEqual([
      'memory 512Mi is not above the 512Mi it was OOM-killed at',
      'CPU limit 500m is not above the 500m it was throttled at',
    ]);
    expect(shortfalls({ requests: { cpu: '625m', memory: '640Mi' }, limits: { cpu: '1', memory: '640Mi' } }, killed)).toEqual([]);
  });
  it('keeps the limits a recommendation does not set', () => {
    expect(
      withResources(
        { resources: { limits: { cpu: '2', 'nvidia.com/gpu': 1 } }, a: 1 },
        { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
      ),
    ).toEqual({
      a: 1,
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '2', 'nvidia.com/gpu': 1, memory: '64Mi' } },
    });
  });
});
