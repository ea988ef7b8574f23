// Parity: fleetops with exactly the RBAC it asks users to apply. The served manifest (GET /v1/rbac-manifest's body) goes
// onto a simulated cluster with the real kubectl, a token is minted for its ServiceAccount (TokenRequest and the
// legacy Secret), and every cluster call fleetops makes (registration, pulls, RCA evidence, healing, helm deploys)
// runs through the production adapters with that token. A call the manifest does not cover is a 403 here, as on EKS.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmCli } from '../../../functions/adapters/helm/helm-cli.ts';
import { goldenChartFiles } from '../../../functions/core/catalog/golden-path.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { parseAndValidateKubeconfig, type SafeKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { grantedFeatures } from '../../../functions/core/clusters/permissions.ts';
import {
  FLEETOPS_NAMESPACE,
  FLEETOPS_SERVICE_ACCOUNT,
  FLEETOPS_TOKEN_SECRET,
  rbacManifest,
  type AccessTier,
} from '../../../functions/core/clusters/rbac-manifest.ts';
import type { KubeClusterClient } from '../../../functions/ports.ts';
import { ensureHelmKubectl } from '../../../local/layers/helm-kubectl.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, waitFor } from '../sim/helpers.ts';
import { kubeconfigWithToken, run } from '../sim/layer.ts';
import type { LocalCloud } from '../../../local/cloud.ts';
import { leastPrivilegeKubeconfig } from '../../support/least-privilege.ts';
import { apiClient } from '../../support/local-stack.ts';

const CHART = resolve(import.meta.dirname, '../../fixtures/charts/hello');
const DEPLOY_NS = 'web';

let sim: RunningSimulator;
let info: SimulatedClusterInfo;
let tiers: SimulatedClusterInfo;
let dir: string;
let kubectl: string;
let helmBinary: string;
let creds: SafeKubeconfig;
let client: KubeClusterClient;
const gateway = new KubernetesGateway({ allowLoopback: true });

const admin = async (...args: string[]): Promise<string> => {
  const r = await run(kubectl, ['--kubeconfig', info.kubeconfigPath!, ...args]);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetops-rbac-parity-'));
  ({ kubectl, helm: helmBinary } = ensureHelmKubectl(join(dir, 'layer')));
  sim = await startSimulator({ clusters: ['parity', 'tiers'], outDir: join(dir, 'out'), tickMs: 300 });
  [info, tiers] = sim.clusters;
  // What a user does: create the deploy target namespace, apply the manifest fleetops serves, mint a token.
  await admin('create', 'namespace', DEPLOY_NS);
  const manifest = join(dir, 'fleetops-rbac.yaml');
  writeFileSync(manifest, rbacManifest({ deployNamespaces: [DEPLOY_NS] }));
  await admin('apply', '-f', manifest);
  const token = (await admin('create', 'token', FLEETOPS_SERVICE_ACCOUNT, '-n', FLEETOPS_NAMESPACE, '--duration=2h')).trim();
  creds = parseAndValidateKubeconfig(kubeconfigWithToken(info.server, info.caData, token, 'fleetops'), { allowLoopback: true });
  client = await gateway.client({ clusterId: 'parity', credentialsVersion: '1', creds });
}, 180_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fleetops with the RBAC manifest it serves', () => {
  it('registration: the token reaches /version and is the manifest ServiceAccount, not an admin', async () => {
    expect((await gateway.version(creds)).gitVersion).toMatch(/^v1\.\d+/);
    const who = await kreq(
      info,
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' },
      { token: tokenOf(creds) },
    );
    expect(who.body.status.userInfo.username).toBe(`system:serviceaccount:${FLEETOPS_NAMESPACE}:${FLEETOPS_SERVICE_ACCOUNT}`);
  });

  it('the legacy token Secret in the manifest gets a token that works too', async () => {
    const b64 = await waitFor(
      async () => (await admin('get', 'secret', FLEETOPS_TOKEN_SECRET, '-n', FLEETOPS_NAMESPACE, '-o', 'jsonpath={.data.token}')).trim(),
      'token controller',
    );
    const legacy = parseAndValidateKubeconfig(kubeconfigWithToken(info.server, info.caData, Buffer.from(b64, 'base64').toString(), 'fleetops'), {
      allowLoopback: true,
    });
    expect((await gateway.version(legacy)).gitVersion).toMatch(/^v1\./);
    const c = await gateway.client({ clusterId: 'legacy', credentialsVersion: '1', creds: legacy });
    expect((await c.listNodes()).length).toBe(3);
  });

  it('metric pulls, kube-state and cost reads: pods, deployments, nodes, events, metrics.k8s.io', async () => {
    const [pods, deployments, nodes] = await Promise.all([client.listAllPods(), client.listAllDeployments(), client.listNodes()]);
    expect(pods.filter((p) => p.metadata?.namespace === 'shop').length).toBe(8);
    expect(deployments.map((d) => d.metadata?.name)).toEqual(expect.arrayContaining(['frontend', 'order-service']));
    expect(nodes).toHaveLength(3);
    expect((await client.listPods('shop', 'app=frontend')).length).toBe(2);
    expect(Array.isArray(await client.listEvents('shop'))).toBe(true);
    const metrics = await client.podMetrics('shop');
    expect(metrics.length).toBe(8);
  });

  it('RCA evidence: deployments, replicasets, services, endpoints, pod logs; catalog: service monitors', async () => {
    expect((await client.listDeployments('shop', 500)).length).toBe(4);
    expect((await client.listReplicaSets('shop', 'app=frontend', 500)).length).toBeGreaterThan(0);
    expect((await client.listServices('shop', 500)).length).toBe(4);
    expect((await client.listEndpoints('shop', 500)).length).toBe(4);
    const pod = (await client.listPods('shop', 'app=payment-service'))[0];
    const log = await client.readPodLog('shop', pod.metadata!.name!, { container: 'payment-service', tailLines: 20, limitBytes: 16384 });
    expect(log.length).toBeGreaterThan(0);
    // The CRD is not installed on this cluster: with the list permission the answer is 404, read as "absent".
    expect(await client.listServiceMonitors('shop')).toBeUndefined();
  });

  it('healing: scale, restart (pod delete), HPA bounds, rollout undo and template restore', async () => {
    await client.scaleDeployment('shop', 'frontend', 3);
    await waitFor(async () => (await client.listPods('shop', 'app=frontend')).length === 3, 'scaled to 3');
    const pod = (await client.listPods('shop', 'app=user-service'))[0].metadata!.name!;
    await client.deletePod('shop', pod);
    const hpa = await kreq(info, 'POST', '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'order-service' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-service' }, minReplicas: 2, maxReplicas: 4 },
    });
    expect(hpa.status).toBe(201);
    const hpas = await client.listHorizontalPodAutoscalers('shop');
    expect(hpas.map((h) => h.metadata?.name)).toEqual(['order-service']);
    await client.patchHorizontalPodAutoscaler('shop', 'order-service', { minReplicas: 3, maxReplicas: 6 });
    // A bad rollout (the user's), then fleetops undoes it.
    await admin('set', 'image', 'deployment/payment-service', 'payment-service=ghcr.io/fleetops-sim/payment-service:1.5.0', '-n', 'shop');
    await waitFor(async () => (await client.listReplicaSets('shop', 'app=payment-service')).length === 2, 'second replicaset');
    expect(await client.rolloutUndo('shop', 'payment-service')).toEqual({ revision: '1' });
    const dep = await client.getDeployment('shop', 'payment-service');
    expect(dep.spec?.template.spec?.containers[0].image).toBe('ghcr.io/fleetops-sim/payment-service:1.4.2');
    await client.replaceDeploymentTemplate('shop', 'payment-service', dep.spec!.template);
  });

  it('helm deploys into a deploy namespace: install, upgrade, rollback, uninstall', async () => {
    const helm = new HelmCli({ binary: helmBinary, policy: { allowLoopback: true } });
    const base = { creds, release: 'hello', namespace: DEPLOY_NS, chart: { path: CHART }, timeoutSeconds: 60 };
    expect(await helm.upgrade({ ...base, values: { image: { tag: '1.0.0' } } })).toEqual({ revision: 1, previousRevision: 0 });
    expect(await helm.upgrade({ ...base, values: { image: { tag: '2.0.0' } } })).toEqual({ revision: 2, previousRevision: 1 });
    await helm.rollback({ creds, release: 'hello', namespace: DEPLOY_NS, revision: 1, timeoutSeconds: 60 });
    expect((await kreq(info, 'GET', `/apis/apps/v1/namespaces/${DEPLOY_NS}/deployments/hello`)).body.spec.template.spec.containers[0].image).toBe(
      'registry.example.com/hello:1.0.0',
    );
    await helm.rollback({ creds, release: 'hello', namespace: DEPLOY_NS, revision: 0, timeoutSeconds: 60 });
    expect((await kreq(info, 'GET', `/apis/apps/v1/namespaces/${DEPLOY_NS}/deployments/hello`)).status).toBe(404);
  }, 180_000);

  it('the golden chart (Deployment, Service, ServiceAccount, HPA) deploys with the deploy Role', async () => {
    const chart = join(dir, 'golden');
    for (const [path, content] of Object.entries(goldenChartFiles())) {
      mkdirSync(join(chart, path, '..'), { recursive: true });
      writeFileSync(join(chart, path), content);
    }
    const helm = new HelmCli({ binary: helmBinary, policy: { allowLoopback: true } });
    const values = { nameOverride: 'checkout', fullnameOverride: 'checkout', image: { repository: 'registry.example.com/checkout', tag: '0.1.0' } };
    expect(await helm.upgrade({ creds, release: 'checkout', namespace: DEPLOY_NS, chart: { path: chart }, values, timeoutSeconds: 60 })).toEqual({
      revision: 1,
      previousRevision: 0,
    });
    for (const path of [
      `/apis/apps/v1/namespaces/${DEPLOY_NS}/deployments/checkout`,
      `/api/v1/namespaces/${DEPLOY_NS}/serviceaccounts/checkout`,
      `/apis/autoscaling/v2/namespaces/${DEPLOY_NS}/horizontalpodautoscalers/checkout`,
    ]) {
      expect((await kreq(info, 'GET', path)).status).toBe(200);
    }
  }, 120_000);

  // (A 403 on one evidence source does not fail an RCA; the adapter-level tests above are what pin each permission.)
  it('registered over HTTP with the manifest token, a crash-looping service gets a successful RCA', async () => {
    const { startLocalCloud } = await import('../../../local/cloud.ts');
    const cloud: LocalCloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: join(dir, 'cloud') });
    try {
      const api = apiClient(cloud);
      const kubeconfig = kubeconfigWithToken(info.server, info.caData, tokenOf(creds), 'fleetops');
      const registered = await api('POST', '/v1/clusters', { name: 'parity', environment: 'dev', kubeconfig });
      expect(registered.status).toBe(201);
      expect(registered.body.version).toMatch(/^v1\./);
      const fault = await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'payment-service' });
      expect(fault.status).toBe(201);
      await waitFor(async () => (await client.listEvents('shop')).some((e) => e.reason === 'BackOff'), 'crash loop back-off', 30_000);
      const started = await api('POST', '/v1/rca', { clusterId: registered.body.id, namespace: 'shop', service: 'payment-service' });
      expect(started.status).toBe(202);
      const rca = await waitFor(
        async () => {
          const r = await api('GET', `/v1/rca/${started.body.id}`);
          return r.body.status !== 'RUNNING' ? r.body : undefined;
        },
        'the RCA',
        90_000,
        500,
      );
      expect(rca.status).toBe('SUCCEEDED');
      expect(JSON.stringify(rca.report)).toMatch(/CrashLoop|BackOff|crash/i);
      // Word boundaries: a timestamp's milliseconds (".403Z") are no HTTP status.
      expect(JSON.stringify(rca.report)).not.toMatch(/forbidden|\b403\b/i);
      await kreq(info, 'DELETE', `/sim/v1/faults/${fault.body.id}`);
    } finally {
      await cloud.stop();
    }
  }, 180_000);

  it('least privilege holds: no secrets outside deploy namespaces, no deploys elsewhere, no RBAC writes, no exec', async () => {
    const can = async (...args: string[]) => (await run(kubectl, ['--kubeconfig', join(dir, 'fleetops.kubeconfig'), 'auth', 'can-i', ...args])).stdout.trim();
    writeFileSync(join(dir, 'fleetops.kubeconfig'), kubeconfigWithToken(info.server, info.caData, tokenOf(creds), 'fleetops'), { mode: 0o600 });
    expect(await can('get', 'pods', '--subresource=log', '-n', 'shop')).toBe('yes');
    expect(await can('list', 'secrets', '-n', DEPLOY_NS)).toBe('yes');
    expect(await can('list', 'secrets', '-n', 'shop')).toBe('no');
    expect(await can('get', 'secrets', '-A')).toBe('no');
    expect(await can('create', 'deployments.apps', '-n', 'shop')).toBe('no');
    expect(await can('create', 'pods', '--subresource=exec', '-n', 'shop')).toBe('no');
    expect(await can('create', 'clusterrolebindings.rbac.authorization.k8s.io')).toBe('no');
    expect(await can('create', 'rolebindings.rbac.authorization.k8s.io', '-n', DEPLOY_NS)).toBe('no');
    const forbidden = await client.listPods('kube-system').then(
      () => 'allowed',
      (e: Error) => e.message,
    );
    expect(forbidden).toBe('allowed'); // cluster-wide reads are part of the manifest
    const secret = await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets', undefined, { token: tokenOf(creds) });
    expect(secret.status).toBe(403);
    expect(secret.body.reason).toBe('Forbidden');
  });
});

describe('access tiers, applied with kubectl one after the other, and the features a rules review reads from them', () => {
  let tierKubeconfig: string;
  const onTiers = async (...args: string[]) => {
    const r = await run(kubectl, ['--kubeconfig', tiers.kubeconfigPath!, ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const apply = async (access: AccessTier, deployNamespaces?: string[]) => {
    const file = join(dir, `tiers-${access}.yaml`);
    writeFileSync(file, rbacManifest({ access, deployNamespaces }));
    await onTiers('apply', '-f', file);
  };
  const can = async (...args: string[]) => (await run(kubectl, ['--kubeconfig', tierKubeconfig, 'auth', 'can-i', ...args])).stdout.trim();
  const features = async () => {
    const reviewer = await gateway.accessReviewer(parseAndValidateKubeconfig(readKubeconfig(tierKubeconfig), { allowLoopback: true }));
    const namespaces = await reviewer.namespaceNames();
    return grantedFeatures(await Promise.all(namespaces.map((ns) => reviewer.rulesIn(ns))), ['shop'], new Date().toISOString()).features;
  };

  beforeAll(async () => {
    await onTiers('create', 'namespace', DEPLOY_NS);
    await apply('read');
    const token = (await onTiers('create', 'token', FLEETOPS_SERVICE_ACCOUNT, '-n', FLEETOPS_NAMESPACE)).trim();
    tierKubeconfig = join(dir, 'tiers.kubeconfig');
    writeFileSync(tierKubeconfig, kubeconfigWithToken(tiers.server, tiers.caData, token, 'fleetops'), { mode: 0o600 });
  }, 60_000);

  it('read: reads and pod logs (ServiceMonitors: in the features), not one write', async () => {
    expect(await can('get', 'pods', '--subresource=log', '-n', 'shop')).toBe('yes');
    expect(await can('list', 'horizontalpodautoscalers.autoscaling', '-n', 'shop')).toBe('yes');
    expect(await can('update', 'deployments.apps', '--subresource=scale', '-n', 'shop')).toBe('no');
    expect(await can('delete', 'pods', '-n', 'shop')).toBe('no');
    expect(await can('patch', 'horizontalpodautoscalers.autoscaling', '-n', 'shop')).toBe('no');
    expect(await features()).toEqual({ detection: true, rca: true, scorecards: true, healing: false, deploy: false });
  });

  it('heal on top: healing writes, still no deploys', async () => {
    await apply('heal');
    expect(await can('update', 'deployments.apps', '--subresource=scale', '-n', 'shop')).toBe('yes');
    expect(await can('delete', 'pods', '-n', 'shop')).toBe('yes');
    expect(await can('create', 'secrets', '-n', DEPLOY_NS)).toBe('no');
    expect(await features()).toEqual({ detection: true, rca: true, scorecards: true, healing: true, deploy: false });
  });

  it('deploy on top: deploys in the named namespace only; the same as what the test-support helper applies', async () => {
    await apply('deploy', [DEPLOY_NS]);
    expect(await can('create', 'secrets', '-n', DEPLOY_NS)).toBe('yes');
    expect(await can('create', 'deployments.apps', '-n', 'shop')).toBe('no');
    expect(await features()).toEqual({ detection: true, rca: true, scorecards: true, healing: true, deploy: [DEPLOY_NS] });
    // The e2e helper (KubernetesObjectApi + TokenRequest) over a cluster that already has the manifest: it re-applies, mints a token.
    const helper = parseAndValidateKubeconfig(await leastPrivilegeKubeconfig(tiers, { deployNamespaces: [DEPLOY_NS] }), { allowLoopback: true });
    const c = await gateway.client({ clusterId: 'helper', credentialsVersion: '1', creds: helper });
    expect((await c.listNodes()).length).toBe(3);
    await expect(c.listSecretMetadata('shop')).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN' });
  }, 60_000);
});

function readKubeconfig(path: string): string {
  return readFileSync(path, 'utf8');
}

function tokenOf(c: SafeKubeconfig): string {
  if (!('token' in c.user)) throw new Error('token credentials expected');
  return c.user.token;
}
