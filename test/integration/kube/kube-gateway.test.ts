/**
 * KubernetesGateway against a real local HTTPS server (self-contained: a tiny API server with a
 * test CA). TLS verification, timeouts, DNS rebinding and secret-free errors are checked end to end.
 */
import child_process from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { AppError, UpstreamError, ValidationError } from '../../../functions/core/errors.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import type { SafeKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { b64, makePki, pki } from '../../unit/clusters/fixtures.ts';

const TOKEN = 'sup3r-secret-token-value.xyz';
const p = pki();

interface Deployment {
  metadata: Record<string, any>;
  spec: Record<string, any>;
}

function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void, clientCa = false): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { key: p.serverKeyPem, cert: p.serverCertPem, ca: clientCa ? [p.caCertPem] : undefined, requestCert: clientCa, rejectUnauthorized: false },
    handler,
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

const deployments: Record<string, Deployment> = {};
const replicasets: any[] = [];
function seed(): void {
  deployments.web = {
    metadata: { name: 'web', namespace: 'shop', uid: 'dep-uid', resourceVersion: '5', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:2' }] } },
    },
  };
  replicasets.length = 0;
  for (const rev of [1, 2]) {
    replicasets.push({
      metadata: {
        name: `web-${rev}`,
        namespace: 'shop',
        annotations: { 'deployment.kubernetes.io/revision': String(rev) },
        ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'dep-uid' }],
        labels: { app: 'web' },
      },
      spec: {
        template: { metadata: { labels: { app: 'web', 'pod-template-hash': `h${rev}` } }, spec: { containers: [{ name: 'web', image: `web:${rev}` }] } },
      },
    });
  }
}

const requests: string[] = [];
function api(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  requests.push(`${req.method} ${url.pathname}${url.search}`);
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const viaCert = (req.socket as TLSSocket).authorized === true;
  if (req.headers.authorization !== `Bearer ${TOKEN}` && !viaCert) return send(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    const path = url.pathname;
    if (path === '/version') return send(200, { major: '1', minor: '30', gitVersion: 'v1.30.2-test', platform: 'linux/amd64' });
    if (path.startsWith('/slow')) return; // never answers
    if (path === '/api/v1/namespaces/shop/pods' && req.method === 'GET') {
      return send(200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'web-1-abc', namespace: 'shop', labels: { app: 'web' } }, status: { phase: 'Running' } }],
      });
    }
    if (path === '/api/v1/namespaces/shop/pods/web-1-abc' && req.method === 'DELETE') return send(200, { kind: 'Pod', metadata: { name: 'web-1-abc' } });
    if (path === '/api/v1/namespaces/shop/events')
      return send(200, { kind: 'EventList', items: [{ metadata: { name: 'e1' }, reason: 'BackOff', involvedObject: {} }] });
    if (path === '/api/v1/nodes') return send(200, { kind: 'NodeList', items: [{ metadata: { name: 'node-1' } }] });
    if (path === '/apis/apps/v1/namespaces/shop/deployments/web' && req.method === 'GET') return send(200, deployments.web);
    if (path === '/apis/apps/v1/namespaces/shop/deployments/web' && req.method === 'PUT') {
      deployments.web = JSON.parse(body);
      return send(200, deployments.web);
    }
    if (path === '/apis/apps/v1/namespaces/shop/deployments/web/scale' && req.method === 'PUT') {
      deployments.web.spec.replicas = JSON.parse(body).spec.replicas;
      return send(200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: deployments.web.spec.replicas } });
    }
    if (path === '/apis/apps/v1/namespaces/shop/deployments/missing') return send(404, { kind: 'Status', message: 'not found', code: 404 });
    if (path === '/apis/apps/v1/namespaces/shop/replicasets') return send(200, { kind: 'ReplicaSetList', items: replicasets });
    if (path === '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods') {
      return send(200, {
        kind: 'PodMetricsList',
        items: [
          {
            metadata: { name: 'web-1-abc', namespace: 'shop' },
            timestamp: '2024-01-01T00:00:00Z',
            containers: [{ name: 'web', usage: { cpu: '12m', memory: '64Mi' } }],
          },
        ],
      });
    }
    send(404, { kind: 'Status', message: `no route ${path}`, code: 404 });
  });
}

let server: Server;
let port: number;
let certServer: Server;
let certPort: number;
const loopback = { allowLoopback: true };

function creds(overrides: Partial<SafeKubeconfig> = {}): SafeKubeconfig {
  return { server: `https://127.0.0.1:${port}`, caData: b64(p.caCertPem), contextName: 't1', clusterName: 't1', user: { token: TOKEN }, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
    return err as AppError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  seed();
  ({ server, port } = await startServer(api));
  ({ server: certServer, port: certPort } = await startServer(api, true));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => certServer.close(r));
});

describe('KubernetesGateway.version', () => {
  it('works with the right CA and a token', async () => {
    const gw = new KubernetesGateway(loopback);
    expect(await gw.version(creds())).toEqual({ gitVersion: 'v1.30.2-test', platform: 'linux/amd64' });
  });

  it('works with a client certificate', async () => {
    const gw = new KubernetesGateway(loopback);
    const c = creds({ server: `https://127.0.0.1:${certPort}`, user: { certData: b64(p.clientCertPem), keyData: b64(p.clientKeyPem) } });
    expect((await gw.version(c)).gitVersion).toBe('v1.30.2-test');
  });

  it('works for a host name (localhost) through the guarded lookup', async () => {
    const gw = new KubernetesGateway(loopback);
    expect((await gw.version(creds({ server: `https://localhost:${port}` }))).gitVersion).toBe('v1.30.2-test');
  });

  it('fails with a wrong CA: TLS verification is on', async () => {
    const other = makePki();
    const gw = new KubernetesGateway(loopback);
    const err = await failure(gw.version(creds({ caData: b64(other.caCertPem) })));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.kind).toBe('upstream');
    expect(err.message).toMatch(/unreachable: TLS verification failed \(\w+\)$/);
  });

  it('fails even with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const gw = new KubernetesGateway(loopback);
      const err = await failure(gw.version(creds({ caData: b64(makePki().caCertPem) })));
      expect(err).toBeInstanceOf(UpstreamError);
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  it('fails on an unreachable port with UpstreamError and no token in the message', async () => {
    const { server: tmp, port: freePort } = await startServer(api);
    await new Promise((r) => tmp.close(r));
    const gw = new KubernetesGateway(loopback);
    const err = await failure(gw.version(creds({ server: `https://127.0.0.1:${freePort}` })));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe(`Cluster https://127.0.0.1:${freePort} is unreachable: ECONNREFUSED`);
  });

  it('times out', async () => {
    const gw = new KubernetesGateway({ ...loopback, timeoutMs: 300 });
    const started = Date.now();
    const err = await failure(gw.version(creds({ server: `https://127.0.0.1:${port}/slow` })));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused token without echoing it', async () => {
    const gw = new KubernetesGateway(loopback);
    const err = await failure(gw.version(creds({ user: { token: 'wrong-token-value-123' } })));
    expect(err.code).toBe('CLUSTER_FORBIDDEN');
    expect(err.message).not.toContain('wrong-token-value-123');
  });

  it('refuses loopback when not allowed, before connecting', async () => {
    const gw = new KubernetesGateway({ allowLoopback: false });
    const n = requests.length;
    const err = await failure(gw.version(creds()));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('UNSAFE_KUBECONFIG');
    expect(requests.length).toBe(n);
  });
});

describe('DNS rebinding defence', () => {
  it('refuses a name that resolves to the metadata address', async () => {
    const gw = new KubernetesGateway({ ...loopback, lookup: async () => [{ address: '169.254.169.254', family: 4 }] });
    const err = await failure(gw.version(creds({ server: `https://localhost:${port}` })));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('UNSAFE_KUBECONFIG');
  });

  it('refuses at connect time when the answer changes after the check', async () => {
    let calls = 0;
    const lookup = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '169.254.169.254', family: 4 }]);
    const gw = new KubernetesGateway({ ...loopback, lookup });
    const n = requests.length;
    const err = await failure(gw.version(creds({ server: `https://localhost:${port}` })));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(requests.length).toBe(n);
  });
});

describe('cluster client helpers', () => {
  const target = () => ({ clusterId: 'c-1', credentialsVersion: 'v1', creds: creds() });

  it('pools one client per cluster', async () => {
    const gw = new KubernetesGateway(loopback);
    const [a, b] = await Promise.all([gw.client(target()), gw.client(target())]);
    expect(a).toBe(b);
    expect(await gw.client({ ...target(), credentialsVersion: 'v2' })).not.toBe(a);
  });

  it('reads pods, events, nodes, deployments and metrics', async () => {
    const c = await new KubernetesGateway(loopback).client(target());
    expect((await c.listPods('shop', 'app=web')).map((x) => x.metadata?.name)).toEqual(['web-1-abc']);
    expect(requests).toContain('GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb');
    expect((await c.listEvents('shop'))[0].reason).toBe('BackOff');
    expect((await c.listNodes())[0].metadata?.name).toBe('node-1');
    expect((await c.getDeployment('shop', 'web')).spec?.replicas).toBe(2);
    expect(await c.podMetrics('shop')).toEqual([
      { name: 'web-1-abc', namespace: 'shop', timestamp: '2024-01-01T00:00:00Z', containers: [{ name: 'web', cpu: '12m', memory: '64Mi' }] },
    ]);
    const missing = await failure(c.getDeployment('shop', 'missing'));
    expect(missing.kind).toBe('not-found');
    await expect(c.listPods('../etc')).rejects.toBeInstanceOf(ValidationError);
  });

  it('scales, deletes pods and rolls back to the previous revision', async () => {
    seed();
    const c = await new KubernetesGateway(loopback).client(target());
    await c.scaleDeployment('shop', 'web', 5);
    expect(deployments.web.spec.replicas).toBe(5);
    await c.deletePod('shop', 'web-1-abc');
    expect(requests).toContain('DELETE /api/v1/namespaces/shop/pods/web-1-abc');
    expect(await c.rolloutUndo('shop', 'web')).toEqual({ revision: '1' });
    expect(deployments.web.spec.template.spec.containers[0].image).toBe('web:1');
    expect(deployments.web.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(deployments.web.metadata.resourceVersion).toBe('5');
  });
});

describe('end to end: nothing runs, nothing is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-gw-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a kubeconfig with hostile decoy entries registers without running or reading anything', async () => {
    const sentinel = join(dir, 'pwned');
    const spawn = vi.spyOn(child_process, 'spawn');
    const spawnSync = vi.spyOn(child_process, 'spawnSync');
    const execFile = vi.spyOn(child_process, 'execFile');
    const readFileSync = vi.spyOn(fs, 'readFileSync');
    try {
      const raw = stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 't1',
        clusters: [{ name: 't1', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(p.caCertPem) } }],
        contexts: [
          { name: 't1', context: { cluster: 't1', user: 'admin' } },
          { name: 'evil', context: { cluster: 't1', user: 'evil' } },
        ],
        users: [
          { name: 'evil', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [sentinel] }, 'token-file': '/etc/shadow' } },
          { name: 'admin', user: { token: TOKEN } },
        ],
      });
      const safe = parseAndValidateKubeconfig(raw, loopback);
      expect((await new KubernetesGateway(loopback).version(safe)).gitVersion).toBe('v1.30.2-test');
      expect(() => parseAndValidateKubeconfig(raw, { ...loopback, context: 'evil' })).toThrow(/users\[0\]\.user\.exec/);
      expect(spawn).not.toHaveBeenCalled();
      expect(spawnSync).not.toHaveBeenCalled();
      expect(execFile).not.toHaveBeenCalled();
      expect(readFileSync.mock.calls.map((c) => String(c[0]))).not.toContain('/etc/shadow');
      expect(fs.existsSync(sentinel)).toBe(false);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
