// The simulator through the real @kubernetes/client-node over HTTPS with the generated CA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, parseCpu, waitFor } from './helpers.ts';

let sim: RunningSimulator;
let info: SimulatedClusterInfo;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['cn'], seed: 7, tickMs: 300 });
  info = sim.clusters[0];
  kc = new k8s.KubeConfig();
  kc.loadFromString(info.kubeconfigYaml);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});

afterAll(async () => {
  await sim?.stop();
});

const shopPods = async (app: string) =>
  (await core.listNamespacedPod({ namespace: 'shop', labelSelector: `app=${app}` })).items.filter((p) => p.status?.phase === 'Running');

describe('simulator via @kubernetes/client-node', () => {
  it('kubeconfig is self-contained (inline CA, token, no paths or exec)', () => {
    expect(info.kubeconfigYaml).toContain('certificate-authority-data');
    expect(info.kubeconfigYaml).toContain(`token: ${info.token}`);
    expect(info.kubeconfigYaml).not.toMatch(/exec:|certificate-authority:|tokenFile|client-key:/);
    expect(info.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.getCurrentCluster()?.server).toBe(info.server);
  });

  it('serves /version', async () => {
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.gitVersion).toMatch(/^v1\.\d+\.\d+-sim$/);
    expect(v.major).toBe('1');
    expect(v.platform).toBe('linux/amd64');
  });

  it('starts with the shop workloads, services, endpoints and 3 ready nodes', async () => {
    const deps = await apps.listNamespacedDeployment({ namespace: 'shop' });
    expect(deps.kind).toBe('DeploymentList');
    expect(deps.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(deps.items.map((d) => d.metadata?.name).sort()).toEqual(['frontend', 'order-service', 'payment-service', 'user-service']);
    for (const d of deps.items) {
      expect(d.status?.readyReplicas).toBe(2);
      expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    }
    const svcs = await core.listNamespacedService({ namespace: 'shop' });
    expect(svcs.items.map((s) => s.metadata?.name).sort()).toEqual(['frontend', 'order-service', 'payment-service', 'user-service']);
    const ep = await core.readNamespacedEndpoints({ name: 'frontend', namespace: 'shop' });
    expect(ep.subsets?.[0]?.addresses?.length).toBe(2);
    const nodes = await core.listNode();
    expect(nodes.items).toHaveLength(3);
    for (const n of nodes.items) {
      expect(n.status?.capacity?.cpu).toBe('4');
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    const nss = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(nss).toEqual(expect.arrayContaining(['default', 'kube-system', 'shop']));
  });

  it('lists pods with label selectors (equality, !=, in, notin, exists) and field selectors', async () => {
    const all = await core.listNamespacedPod({ namespace: 'shop' });
    expect(all.kind).toBe('PodList');
    expect(all.items).toHaveLength(8);
    const fe = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=frontend' });
    expect(fe.items).toHaveLength(2);
    for (const p of fe.items) {
      expect(p.metadata?.labels?.['pod-template-hash']).toBeTruthy();
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
      expect(p.spec?.nodeName).toBeTruthy();
      expect(p.status?.containerStatuses?.[0]?.ready).toBe(true);
    }
    expect((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app!=frontend' })).items).toHaveLength(6);
    expect((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in (frontend,user-service)' })).items).toHaveLength(4);
    expect((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app notin (frontend)' })).items).toHaveLength(6);
    expect((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'pod-template-hash' })).items).toHaveLength(8);
    expect((await core.listNamespacedPod({ namespace: 'shop', labelSelector: '!pod-template-hash' })).items).toHaveLength(0);
    const one = fe.items[0].metadata!.name!;
    expect((await core.listNamespacedPod({ namespace: 'shop', fieldSelector: `metadata.name=${one}` })).items.map((p) => p.metadata?.name)).toEqual([one]);
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=shop' })).items).toHaveLength(8);
  });

  it('scaling through the scale subresource changes pods and lowers per-pod cpu', async () => {
    const cpuPerPod = async () => {
      const r = await kreq(info, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dfrontend');
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('PodMetricsList');
      const vals = r.body.items.map((m: any) => parseCpu(m.containers[0].usage.cpu));
      return { n: vals.length, avg: vals.reduce((a: number, b: number) => a + b, 0) / vals.length };
    };
    const before = await cpuPerPod();
    expect(before.n).toBe(2);
    const scale = await apps.patchNamespacedDeploymentScale({
      name: 'frontend',
      namespace: 'shop',
      body: [{ op: 'replace', path: '/spec/replicas', value: 6 }],
    });
    expect(scale.spec?.replicas).toBe(6);
    expect(scale.status?.selector).toBe('app=frontend');
    await waitFor(async () => (await shopPods('frontend')).length === 6, '6 frontend pods');
    const d = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'frontend', namespace: 'shop' });
      return d.status?.availableReplicas === 6 && d;
    }, 'deployment status 6 available');
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    const after = await cpuPerPod();
    expect(after.n).toBe(6);
    expect(after.avg).toBeLessThan(before.avg * 0.75);
    // back to 2 through a plain deployment merge patch
    await apps.patchNamespacedDeployment(
      { name: 'frontend', namespace: 'shop', body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=frontend' })).items.length === 2, 'scale down to 2');
  });

  it('replaces a deleted pod', async () => {
    const pods = await shopPods('user-service');
    const victim = pods[0].metadata!.name!;
    await core.deleteNamespacedPod({ name: victim, namespace: 'shop' });
    const after = await waitFor(async () => {
      const ps = await shopPods('user-service');
      return ps.length === 2 && !ps.some((p) => p.metadata?.name === victim) && ps;
    }, 'replacement pod');
    expect(after.every((p) => p.status?.containerStatuses?.[0]?.ready)).toBe(true);
    const evs = await core.listNamespacedEvent({ namespace: 'shop', fieldSelector: 'involvedObject.kind=ReplicaSet,reason=SuccessfulCreate' });
    expect(evs.items.length).toBeGreaterThan(0);
  });

  it('returns Status errors: 404 NotFound, 409 AlreadyExists and resourceVersion Conflict, 422 Invalid', async () => {
    const nf = await kreq(info, 'GET', '/api/v1/namespaces/shop/pods/nope');
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    await expect(apps.readNamespacedDeployment({ name: 'nope', namespace: 'shop' })).rejects.toMatchObject({ code: 404 });

    const cm = { metadata: { name: 'app-cfg' }, data: { a: '1' } };
    const created = await core.createNamespacedConfigMap({ namespace: 'shop', body: cm });
    expect(created.metadata?.uid).toBeTruthy();
    const dup = await kreq(info, 'POST', '/api/v1/namespaces/shop/configmaps', cm);
    expect(dup.status).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');

    const stale = { ...created, data: { a: '2' } };
    const ok = await core.replaceNamespacedConfigMap({ name: 'app-cfg', namespace: 'shop', body: stale });
    expect(Number(ok.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const conflict = await kreq(info, 'PUT', '/api/v1/namespaces/shop/configmaps/app-cfg', { ...stale, data: { a: '3' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');

    const bad = await kreq(info, 'POST', '/apis/apps/v1/namespaces/shop/deployments', {
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
  });

  it('rejects a wrong or missing token with 401', async () => {
    const wrong = new k8s.KubeConfig();
    wrong.loadFromString(info.kubeconfigYaml.replace(info.token, 'not-the-token'));
    await expect(wrong.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' })).rejects.toMatchObject({ code: 401 });
    const none = await kreq(info, 'GET', '/api/v1/namespaces/shop/pods', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('watches stream changes', async () => {
    const seen: string[] = [];
    const w = new k8s.Watch(kc);
    const req = await w.watch(
      '/api/v1/namespaces/shop/configmaps',
      {},
      (type, obj) => seen.push(`${type}:${obj.metadata?.name}`),
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'watched' } } });
    await waitFor(async () => seen.includes('ADDED:watched'), 'watch event');
    req.abort();
  });
});
