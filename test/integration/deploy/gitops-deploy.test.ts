/**
 * Deploys respect GitOps (issue 24): a release whose workloads Argo CD or Flux manages is refused before helm runs,
 * with the reason on the cluster's step; an unmanaged one deploys as before. The real parts: the simulator, the
 * layer's helm through HelmCli, the Kubernetes client, DynamoDB Local, and Argo CD's REST API over HTTPS (the fake
 * speaks its wire format) through ArgoCdClient.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCdClient } from '../../../functions/adapters/argocd/argocd-client.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoDeploymentStore } from '../../../functions/adapters/aws/dynamodb/deployment-store.ts';
import { HelmCli } from '../../../functions/adapters/helm/helm-cli.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { EncryptedFileSecretStore } from '../../../functions/adapters/local/encrypted-file-secret-store.ts';
import type { ClusterRecord } from '../../../functions/core/clusters/cluster-record.ts';
import { parseAndValidateKubeconfig, type SafeKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { Deployer, type DeployerDeps } from '../../../functions/core/deploy/deployer.ts';
import { ensureHelmKubectl } from '../../../local/layers/helm-kubectl.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { startFakeArgoCd, type FakeArgoCd } from '../../support/fake-argocd.ts';
import { startTestTable } from '../../support/dynamodb.ts';
import { kreq } from '../sim/helpers.ts';

const CHART = resolve(import.meta.dirname, '../../fixtures/charts/hello');
const NS = 'web';

let db: Awaited<ReturnType<typeof startTestTable>>;
let sim: RunningSimulator;
let argo: FakeArgoCd;
let dataDir: string;
let creds: SafeKubeconfig;
let cluster: ClusterRecord;
let base: Omit<DeployerDeps, 'argocd'>;
let argocd: ArgoCdClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetops-gitops-deploy-'));
  [db, sim] = await Promise.all([startTestTable(), startSimulator({ clusters: ['gitops'], tickMs: 300 })]);
  const info = sim.clusters[0];
  argo = await startFakeArgoCd({
    apps: [
      {
        key: 'shop-web',
        history: [{ id: 1, revision: 'a1b2c3', deployedAt: '2026-12-01T00:00:00Z' }],
        resources: [{ group: 'apps', kind: 'Deployment', namespace: NS, name: 'argo-web' }],
        destination: { server: info.server, namespace: NS },
      },
      // Argo CD's default label tracking: `app.kubernetes.io/instance` is the Application's name.
      {
        key: 'tracked',
        history: [{ id: 1, revision: 'd4e5f6', deployedAt: '2026-12-01T00:00:00Z' }],
        resources: [{ group: 'apps', kind: 'Deployment', namespace: NS, name: 'tracked' }],
        destination: { server: info.server, namespace: NS },
      },
    ],
  });
  creds = parseAndValidateKubeconfig(info.kubeconfigYaml, { allowLoopback: true });
  cluster = { id: 'c-gitops', name: 'gitops', environment: 'staging', labels: {}, status: 'active', server: info.server } as ClusterRecord;
  const kube = new KubernetesGateway({ allowLoopback: true });
  const helmBinary = ensureHelmKubectl(join(dataDir, 'layer')).helm;
  argocd = new ArgoCdClient({
    baseUrl: argo.url,
    token: () => argo.token,
    caPem: argo.caPem,
    policy: { allowLoopback: true, timeoutMs: 5000 },
    clusters: ['gitops'],
  });
  base = {
    store: new DynamoDeploymentStore(createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), db.tableName),
    clusters: {
      list: async () => [cluster],
      get: async () => cluster,
      credentials: async () => creds,
      client: async () => kube.client({ clusterId: cluster.id, credentialsVersion: '1', creds }),
    },
    secrets: new EncryptedFileSecretStore(join(dataDir, 'secrets')),
    workflows: { start: async (_w: string, _i: unknown, name?: string) => ({ executionId: name ?? 'x' }), describe: async () => undefined } as never,
    events: { publish: async () => undefined },
    clock: { now: () => new Date() },
    chartPolicy: { allowLocalCharts: true, allowLoopback: true },
    helm: new HelmCli({ binary: helmBinary, policy: { allowLoopback: true } }),
  };
  await kreq(info, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([sim?.stop(), db?.stop(), argo?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A Deployment already in the namespace, put there by someone else (Argo CD, Flux, or an earlier helm). */
async function existing(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
  const match = { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/instance': name };
  const created = await kreq(sim.clusters[0], 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { ...match, ...labels }, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: match },
      template: {
        metadata: { labels: match },
        spec: { containers: [{ name: 'hello', image: 'registry.example.com/hello:0.9.0' }] },
      },
    },
  });
  expect(created.status, created.text).toBe(201);
}

const image = async (name: string) =>
  (await kreq(sim.clusters[0], 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/${name}`)).body?.spec?.template?.spec?.containers?.[0]?.image;

/** helm keeps each revision of a release in a Secret labelled owner=helm,name=<release>. */
const helmReleaseSecrets = async (release: string) =>
  (await kreq(sim.clusters[0], 'GET', `/api/v1/namespaces/${NS}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${release}`)}`)).body?.items ?? [];

/** One wave on the cluster, through the deployer's workflow steps, up to the wave's gate. */
async function deploy(deployer: Deployer, release: string) {
  const { id } = await deployer.create({
    id: `dep-${release}-${Date.now()}`,
    trigger: 'api',
    release,
    namespace: NS,
    chart: { path: CHART },
    values: { image: { tag: '2.0.0' } },
    waves: [{ name: 'staging', selector: { environment: 'staging' } }],
    strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 0, maxConcurrency: 1 },
  });
  await deployer.plan(id);
  const [step] = (await deployer.startWave(id, 0)).clusters;
  const applied = await deployer.apply(step);
  return { id, applied };
}

describe('deploys and GitOps', () => {
  it('refuses a release an Argo CD Application verifiably manages: no helm, the reason on the step and the deployment', async () => {
    await existing('argo-web', { 'argocd.argoproj.io/instance': 'shop-web' });
    const deployer = new Deployer({ ...base, argocd });
    const { id, applied } = await deploy(deployer, 'argo-web');
    const reason =
      'GITOPS_MANAGED: argo-web on gitops is managed by Argo CD application shop-web (deployment web/argo-web); change it in Git (or sync it through Argo CD), not with a fleetops deploy';
    expect(applied).toMatchObject({ outcome: 'failed', reason });
    expect(await helmReleaseSecrets('argo-web')).toEqual([]);
    expect(await image('argo-web')).toBe('registry.example.com/hello:0.9.0');
    expect(argo.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await deployer.finishWave(id, 0)).toEqual({ next: 'rollback', waveIndex: 0, rollback: [] });
    const failed = await deployer.failDeployment(id, 0);
    expect(failed.message).toContain(reason);
    expect((await deployer.view(id)).clusters[0]).toMatchObject({ status: 'FAILED', message: reason });
  }, 120_000);

  it("refuses one Argo CD tracks by its default label (app.kubernetes.io/instance = the Application's name)", async () => {
    await existing('tracked', {});
    const { applied } = await deploy(new Deployer({ ...base, argocd }), 'tracked');
    expect(applied.reason).toMatch(/^GITOPS_MANAGED: tracked on gitops is managed by Argo CD application tracked \(deployment web\/tracked\)/);
    expect(await helmReleaseSecrets('tracked')).toEqual([]);
  }, 120_000);

  it('refuses a release Flux manages, with or without Argo CD configured', async () => {
    await existing(
      'flux-web',
      { 'helm.toolkit.fluxcd.io/name': 'flux-web', 'helm.toolkit.fluxcd.io/namespace': 'flux-system', 'app.kubernetes.io/managed-by': 'Helm' },
      { 'meta.helm.sh/release-name': 'flux-web', 'meta.helm.sh/release-namespace': NS },
    );
    for (const deployer of [new Deployer(base), new Deployer({ ...base, argocd })]) {
      const { applied } = await deploy(deployer, 'flux-web');
      expect(applied).toMatchObject({
        outcome: 'failed',
        reason:
          'GITOPS_MANAGED: flux-web on gitops is managed by Flux HelmRelease flux-system/flux-web (deployment web/flux-web); change it in Git (or reconcile it through Flux), not with a fleetops deploy',
      });
    }
    expect(await helmReleaseSecrets('flux-web')).toEqual([]);
    expect(await image('flux-web')).toBe('registry.example.com/hello:0.9.0');
  }, 120_000);

  it('refuses an Argo CD label it cannot check (no Argo CD configured for the cluster)', async () => {
    await existing('unchecked', { 'argocd.argoproj.io/instance': 'shop-unchecked' });
    const { applied } = await deploy(new Deployer(base), 'unchecked');
    expect(applied.reason).toMatch(
      /^GITOPS_MANAGED: unchecked on gitops is labelled as managed by Argo CD application shop-unchecked \(deployment web\/unchecked\), and no Argo CD instance configured for gitops can confirm it/,
    );
    expect(await helmReleaseSecrets('unchecked')).toEqual([]);
  }, 120_000);

  it('deploys an unmanaged release as before, and one whose Argo CD label names an Application that does not manage it', async () => {
    const deployer = new Deployer({ ...base, argocd });
    const plain = await deploy(deployer, 'plain-web');
    expect(plain.applied).toMatchObject({ outcome: 'applied', revision: 1 });
    expect(await image('plain-web')).toBe('registry.example.com/hello:2.0.0');
    expect(await helmReleaseSecrets('plain-web')).toHaveLength(1);

    // Installed by helm once, then left with the label of an Application that no longer exists: a stale claim.
    await existing(
      'stale-web',
      { 'argocd.argoproj.io/instance': 'gone-app', 'app.kubernetes.io/managed-by': 'Helm' },
      { 'meta.helm.sh/release-name': 'stale-web', 'meta.helm.sh/release-namespace': NS },
    );
    const stale = await deploy(deployer, 'stale-web');
    expect(stale.applied).toMatchObject({ outcome: 'applied', revision: 1 });
    expect(await image('stale-web')).toBe('registry.example.com/hello:2.0.0');
    expect(argo.requests.some((r) => r.path.startsWith('/api/v1/applications/gone-app'))).toBe(true);
  }, 120_000);
});
