import { beforeEach, describe, expect, it } from 'vitest';
import { toClusterResponse } from '../../../functions/core/clusters/cluster-record.ts';
import { ClusterRegistry, kubeconfigSecretName, prometheusSecretName } from '../../../functions/core/clusters/registry.ts';
import type { ResourceRule } from '../../../functions/core/clusters/permissions.ts';
import { UpstreamError } from '../../../functions/core/errors.ts';
import { RegisterClusterRequest } from '../../../functions/schemas/clusters.ts';
import { FakeKubeGateway, InMemoryClusterStore } from '../../support/fakes/clusters.ts';
import { FixedClock, InMemorySecretStore, RecordingPublisher } from '../../support/fakes/platform.ts';
import { kubeconfigYaml } from './fixtures.ts';

const SERVER = 'https://k8s.example.com:6443';
let store: InMemoryClusterStore;
let secrets: InMemorySecretStore;
let kube: FakeKubeGateway;
let events: RecordingPublisher;
let clock: FixedClock;
let registry: ClusterRegistry;

beforeEach(() => {
  store = new InMemoryClusterStore();
  secrets = new InMemorySecretStore();
  kube = new FakeKubeGateway();
  events = new RecordingPublisher();
  clock = new FixedClock();
  registry = new ClusterRegistry({ store, secrets, kube, events, clock, policy: { allowLoopback: false } });
});

const register = (name = 'prod-eu', extra: Record<string, unknown> = {}) =>
  registry.register({
    name,
    environment: 'prod',
    labels: { region: 'eu-west-1' },
    kubeconfig: kubeconfigYaml({ token: 'sha256~secret-token-value' }),
    ...extra,
  });

describe('ClusterRegistry (core, through in-memory ports)', () => {
  it('registers: credentials only in the secret store, the record without them, one ClusterRegistered event', async () => {
    const record = await register();
    expect(record).toMatchObject({ name: 'prod-eu', environment: 'prod', server: SERVER, version: 'v1.31.2', status: 'active', source: 'kubeconfig' });
    expect(JSON.stringify(store.records.get(record.id))).not.toContain('secret-token-value');
    expect(secrets.values.get(kubeconfigSecretName(record.id))).toContain('secret-token-value');
    expect(events.ofType('ClusterRegistered')).toEqual([expect.objectContaining({ detail: { clusterId: record.id, name: 'prod-eu', environment: 'prod' } })]);
  });

  it('refuses an unsafe kubeconfig before anything is called or stored', async () => {
    const unsafe = kubeconfigYaml({ user: { exec: { command: 'sh', args: ['-c', 'id'], apiVersion: 'client.authentication.k8s.io/v1' } } });
    await expect(registry.register({ name: 'x', environment: 'dev', labels: {}, kubeconfig: unsafe })).rejects.toMatchObject({ code: 'UNSAFE_KUBECONFIG' });
    expect(store.records.size).toBe(0);
    expect(secrets.values.size).toBe(0);
  });

  it('stores nothing when the cluster is unreachable', async () => {
    kube.down.add(SERVER);
    await expect(register()).rejects.toMatchObject({ kind: 'upstream' });
    expect(store.records.size).toBe(0);
    expect(secrets.values.size).toBe(0);
    expect(events.events).toEqual([]);
  });

  it('refuses a second cluster of the same name with a conflict and keeps the first', async () => {
    const first = await register();
    await expect(register()).rejects.toMatchObject({ code: 'CLUSTER_EXISTS' });
    expect([...store.records.keys()]).toEqual([first.id]);
  });

  it('never stores a Prometheus token on the record', async () => {
    const record = await register('with-prom', { prometheus: { url: 'https://prom.example.com', token: 'prom-bearer-secret' } });
    expect(JSON.stringify(store.records.get(record.id))).not.toContain('prom-bearer-secret');
    expect(secrets.values.get(prometheusSecretName(record.id))).toBe('prom-bearer-secret');
  });

  it('keeps the X-Ray opt-in on the record and shows it; the request schema checks it', async () => {
    const xray = { region: 'eu-west-1', groupName: 'shop-prod', names: { OrderService: 'order-service' } };
    const record = await register('traced', { xray });
    expect(store.records.get(record.id)?.xray).toEqual(xray);
    expect(toClusterResponse(record).xray).toEqual(xray);
    const body = { name: 'traced', environment: 'prod' };
    expect(RegisterClusterRequest.parse({ ...body, xray: {} }).xray).toEqual({});
    for (const bad of [{ region: 'mars' }, { groupName: 'a group' }, { groupName: 'g'.repeat(33) }, { names: { X: 'not a name' } }, { roleArn: 'x' }]) {
      expect(RegisterClusterRequest.safeParse({ ...body, xray: bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('a lost ClusterRegistered event does not fail the registration', async () => {
    events.failNext = 1;
    const failures: string[] = [];
    registry = new ClusterRegistry({
      store,
      secrets,
      kube,
      events,
      clock,
      policy: { allowLoopback: false },
      onPublishError: (_e, type) => failures.push(type),
    });
    const record = await register();
    expect(store.records.has(record.id)).toBe(true);
    expect(failures).toEqual(['ClusterRegistered']);
  });

  it('removes secrets, record and pooled client, and announces it', async () => {
    const record = await register();
    await registry.remove(record.id);
    expect(store.records.size).toBe(0);
    expect(secrets.values.size).toBe(0);
    expect(kube.forgotten).toEqual([record.id]);
    expect(events.ofType('ClusterDeleted')).toHaveLength(1);
    await expect(registry.remove(record.id)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('a lost ClusterDeleted event fails the removal and keeps the record, so a retry sends it (its incidents close on it)', async () => {
    const record = await register();
    events.failNext = 1;
    await expect(registry.remove(record.id)).rejects.toThrow();
    expect(store.records.has(record.id)).toBe(true);
    expect(events.ofType('ClusterDeleted')).toHaveLength(0);
    await registry.remove(record.id);
    expect(store.records.has(record.id)).toBe(false);
    expect(events.ofType('ClusterDeleted')).toEqual([expect.objectContaining({ detail: { clusterId: record.id, name: record.name, at: expect.any(String) } })]);
  });

  it('rotation changes the credentials version, so the pooled client is rebuilt', async () => {
    const record = await register();
    await registry.client(record);
    const rotated = await registry.rotateKubeconfig(record.id, kubeconfigYaml({ token: 'sha256~rotated-token' }));
    expect(rotated.credentialsVersion).not.toBe(record.credentialsVersion);
    expect(kube.forgotten).toEqual([record.id]);
    await registry.client(rotated);
    expect(kube.clientsBuilt.map((t) => t.credentialsVersion)).toEqual([record.credentialsVersion, rotated.credentialsVersion]);
  });

  it('health checks move a status once, with one event, and back again', async () => {
    const record = await register();
    kube.down.add(SERVER);
    expect((await registry.checkHealth()).changed).toEqual([{ clusterId: record.id, from: 'active', to: 'unreachable' }]);
    expect((await registry.checkHealth()).changed).toEqual([]);
    kube.down.delete(SERVER);
    clock.advance(60_000);
    expect((await registry.checkHealth()).changed).toEqual([{ clusterId: record.id, from: 'unreachable', to: 'active' }]);
    expect(events.ofType('ClusterStatusChanged').map((e) => (e.detail as { to: string }).to)).toEqual(['unreachable', 'active']);
  });
});

describe('ClusterRegistry: what the credentials allow (SelfSubjectRulesReview)', () => {
  const reads: ResourceRule[] = [
    { apiGroups: [''], resources: ['pods', 'nodes', 'events', 'pods/log'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['list'] },
  ];

  it('reviews the cluster namespaces and the listed ones, and records and shows the features', async () => {
    kube.rules = { '*': reads };
    kube.namespaces = ['default', 'shop', 'web'];
    const record = await register('prod-eu', { namespaces: ['shop'] });
    expect(kube.reviewed.sort()).toEqual(['default', 'shop', 'web']);
    expect(record.permissions).toMatchObject({
      checkedAt: clock.now().toISOString(),
      features: { detection: true, rca: true, healing: false, scorecards: false, deploy: false },
    });
    expect(record.permissions!.missing.scorecards).toEqual(['list servicemonitors.monitoring.coreos.com']);
    expect(toClusterResponse((await store.get(record.id))!).permissions).toEqual(record.permissions);
  });

  it('a failed review (403) records every feature as unknown and still registers', async () => {
    kube.reviewError = new UpstreamError(`Cluster ${SERVER} refused SelfSubjectRulesReview in default (HTTP 403)`, 'CLUSTER_FORBIDDEN');
    const record = await register();
    expect(record.status).toBe('active');
    expect(record.permissions).toMatchObject({
      namespaces: ['default'],
      features: { detection: 'unknown', rca: 'unknown', healing: 'unknown', scorecards: 'unknown', deploy: 'unknown' },
      error: expect.stringContaining('HTTP 403'),
    });
  });

  it('the health schedule reviews again once the recorded review is an hour old, not on every probe', async () => {
    kube.rules = { '*': reads };
    const record = await register();
    kube.rules = { '*': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
    clock.advance(5 * 60_000);
    await registry.checkHealth();
    expect((await store.get(record.id))!.permissions!.features.healing).toBe(false);
    clock.advance(60 * 60_000);
    await registry.checkHealth();
    expect((await store.get(record.id))!.permissions).toMatchObject({ checkedAt: clock.now().toISOString(), features: { healing: true } });
  });

  it('a kubeconfig rotation reviews again', async () => {
    kube.rules = { '*': reads };
    const record = await register();
    kube.rules = { '*': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
    const rotated = await registry.rotateKubeconfig(record.id, kubeconfigYaml({ token: 'sha256~another-token-value' }));
    expect(rotated.permissions!.features.healing).toBe(true);
  });
});
