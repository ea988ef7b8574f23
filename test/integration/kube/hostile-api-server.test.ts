/**
 * A hostile cluster API server: it answers /version with a redirect to another address (a second
 * server on loopback, the instance metadata address). The Kubernetes client must not follow it, the
 * registration must fail, and nothing may be stored. Also: an IP-literal server must meet the address
 * guard at connect time (Node never calls `lookup` for a literal).
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VersionApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKubeConfig } from '../../../functions/adapters/kube/kube-client-factory.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import type { LocalCloud } from '../../../local/cloud.ts';
import { kubeconfigYaml, pki } from '../../unit/clusters/fixtures.ts';

const TOKEN = 'hostile-test-token-123456';
const p = pki();
const hits: Record<string, string[]> = { hostile: [], target: [] };
let hostile: Server;
let target: Server;
let hostilePort = 0;
let targetPort = 0;
let redirectTo = '';
let targetVersion = 'v1.99.0-pwned';
let cloud: LocalCloud;

function listen(
  name: 'hostile' | 'target',
  handler: (path: string) => { status: number; headers?: Record<string, string>; body?: unknown },
): Promise<[Server, number]> {
  const server = createServer({ key: p.serverKeyPem, cert: p.serverCertPem }, (req, res) => {
    hits[name].push(`${req.method} ${req.url}`);
    const answer = handler(req.url ?? '/');
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve([server, (server.address() as AddressInfo).port])));
}

beforeAll(async () => {
  [target, targetPort] = await listen('target', () => ({ status: 200, body: { gitVersion: targetVersion, platform: 'linux/amd64' } }));
  [hostile, hostilePort] = await listen('hostile', (path) => ({ status: 302, headers: { location: `${redirectTo}${path}` } }));
  const { startLocalCloud } = await import('../../../local/cloud.ts');
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-hostile-')) });
}, 120_000);
afterAll(async () => {
  await cloud?.stop();
  hostile?.close();
  target?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

describe('registration against an API server that redirects /version', () => {
  it.each([
    ['a second server on loopback', () => `https://127.0.0.1:${targetPort}`],
    ['the instance metadata address', () => 'https://169.254.169.254'],
  ])(
    'is refused when the redirect points at %s, and nothing is stored',
    async (_name, to) => {
      redirectTo = to();
      hits.target.length = 0;
      hits.hostile.length = 0;
      const kubeconfig = kubeconfigYaml({ server: `https://127.0.0.1:${hostilePort}`, token: TOKEN });
      const response = await api('POST', '/v1/clusters', { name: `hostile-${hostilePort}-${redirectTo.length}`, environment: 'dev', kubeconfig });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(503);
      expect(response.body.error.code).toMatch(/^[A-Z_]+$/);
      expect(JSON.stringify(response.body)).not.toContain('pwned');
      expect(JSON.stringify(response.body)).not.toContain(TOKEN);
      expect(hits.hostile).toEqual(['GET /version']);
      expect(hits.target).toEqual([]);
      expect((await api('GET', '/v1/clusters')).body.items).toEqual([]);
    },
    60_000,
  );
});

describe('the address guard at connect time', () => {
  it('refuses an IP-literal server the policy refuses, even when the pre-connect check is skipped', async () => {
    redirectTo = `https://127.0.0.1:${targetPort}`;
    hits.target.length = 0;
    const creds = parseAndValidateKubeconfig(kubeconfigYaml({ server: `https://127.0.0.1:${targetPort}`, token: TOKEN }), { allowLoopback: true });
    // buildKubeConfig skips createKubeConfig's pre-check: only the connect-time guard stands here.
    const kc = buildKubeConfig(creds, { allowLoopback: false, timeoutMs: 5000 });
    await expect(kc.makeApiClient(VersionApi).getCode()).rejects.toThrow();
    expect(hits.target).toEqual([]);
  });

  it('still connects where the policy allows it', async () => {
    const creds = parseAndValidateKubeconfig(kubeconfigYaml({ server: `https://127.0.0.1:${targetPort}`, token: TOKEN }), { allowLoopback: true });
    const gateway = new KubernetesGateway({ allowLoopback: true });
    expect((await gateway.version(creds)).gitVersion).toBe('v1.99.0-pwned');
  });
});

describe('the version an API server reports', () => {
  const creds = () => parseAndValidateKubeconfig(kubeconfigYaml({ server: `https://127.0.0.1:${targetPort}`, token: TOKEN }), { allowLoopback: true });
  afterAll(() => {
    targetVersion = 'v1.99.0-pwned';
  });

  it.each([
    ['too long', `v1.30.0-${'x'.repeat(200)}`],
    ['markup', 'v1.30.0<script>alert(1)</script>'],
    ['not a version', 'hello world'],
  ])('is refused when it is %s', async (_name, version) => {
    targetVersion = version;
    const error = await new KubernetesGateway({ allowLoopback: true }).version(creds()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'upstream', code: 'CLUSTER_BAD_VERSION' }); // 502 at the HTTP layer
    expect((error as Error).message).not.toContain(version.slice(8, 40));
  });

  it('accepts the forms real clusters report', async () => {
    for (const version of ['v1.30.2', 'v1.29.3-eks-adc7111', 'v1.28.5+k3s1', 'v1.31.0-gke.1234000']) {
      targetVersion = version;
      expect((await new KubernetesGateway({ allowLoopback: true }).version(creds())).gitVersion).toBe(version);
    }
  });
});
