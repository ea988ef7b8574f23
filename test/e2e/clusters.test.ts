import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../local/cloud.ts';
import { localDynamoClient } from '../../local/dynamodb.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { leastPrivilegeAccess } from '../support/least-privilege.ts';

let cloud: LocalCloud;
let devSim: RunningSimulator;
let prodSim: RunningSimulator;
/** What registrations use: the least-privilege account of the served manifest (the simulators' admin token stays out). */
let devAccess: { kubeconfigYaml: string; token: string };
let prodAccess: { kubeconfigYaml: string; token: string };
const responses: string[] = [];
const logs: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
const originalErrWrite = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const capture = (chunk: unknown) => {
    logs.push(String(chunk));
    return true;
  };
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    capture(chunk) && originalWrite(chunk as string, ...(rest as []))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    capture(chunk) && originalErrWrite(chunk as string, ...(rest as []))) as typeof process.stderr.write;
  [devSim, prodSim] = await Promise.all([startSimulator({ clusters: ['dev'] }), startSimulator({ clusters: ['prod'] })]);
  [devAccess, prodAccess] = await Promise.all([leastPrivilegeAccess(devSim.clusters[0]), leastPrivilegeAccess(prodSim.clusters[0])]);
  const { startLocalCloud } = await import('../../local/cloud.ts');
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-clusters-')) });
});

afterAll(async () => {
  process.stdout.write = originalWrite;
  process.stderr.write = originalErrWrite;
  await cloud?.stop();
  await devSim?.stop();
  await prodSim?.stop();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

const dev = () => devSim.clusters[0];
const prod = () => prodSim.clusters[0];

async function clusterVersion(info: { server: string; token: string }): Promise<string> {
  // Ask the simulator directly, trusting its CA for this one request.
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const ca = Buffer.from((info as { caData?: string }).caData ?? '', 'base64').toString();
    request(`${info.server}/version`, { headers: { authorization: `Bearer ${info.token}` }, ca }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(JSON.parse(data).gitVersion));
    })
      .on('error', reject)
      .end();
  });
}

describe('cluster registry over HTTP, against simulated clusters', () => {
  let devId: string;
  let prodId: string;

  it('registers a cluster with its real gitVersion', async () => {
    const response = await api('POST', '/v1/clusters', { name: 'dev', environment: 'dev', labels: { team: 'platform' }, kubeconfig: devAccess.kubeconfigYaml });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'dev', environment: 'dev', labels: { team: 'platform' }, server: dev().server, status: 'active' });
    expect(response.body.version).toBe(await clusterVersion(dev()));
    expect(response.body.id).toMatch(/^c-/);
    expect(Date.parse(response.body.createdAt)).toBeGreaterThan(0);
    devId = response.body.id;
    // The least-privilege account, as its SelfSubjectRulesReview answers say (the deploy namespaces the e2e helper grants).
    expect(response.body.permissions).toMatchObject({
      features: { detection: true, rca: true, healing: true, scorecards: true, deploy: ['apps', 'checkout', 'checkout-api', 'shop'] },
      missing: {},
    });
    expect(response.body.permissions.namespaces).toEqual(expect.arrayContaining(['default', 'shop', 'kube-system']));
    expect((await api('GET', `/v1/clusters/${devId}`)).body.permissions).toEqual(response.body.permissions);

    const second = await api('POST', '/v1/clusters', { name: 'prod', environment: 'prod', kubeconfig: prodAccess.kubeconfigYaml });
    expect(second.status).toBe(201);
    prodId = second.body.id;
  });

  it('refuses a duplicate name with 409', async () => {
    const response = await api('POST', '/v1/clusters', { name: 'dev', environment: 'dev', kubeconfig: devAccess.kubeconfigYaml });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toMatch(/^[A-Z_]+$/);
  });

  it('answers 502 for an unreachable cluster and stores nothing', async () => {
    const closed = devAccess.kubeconfigYaml.replace(dev().server, 'https://127.0.0.1:9');
    const response = await api('POST', '/v1/clusters', { name: 'gone', environment: 'dev', kubeconfig: closed });
    expect(response.status).toBe(502);
    expect(response.body.error.message).not.toContain(devAccess.token);
    const list = await api('GET', '/v1/clusters');
    expect(list.body.items.map((c: { name: string }) => c.name).sort()).toEqual(['dev', 'prod']);
  });

  it.each([
    [
      'exec plugin',
      (y: string) =>
        y.replace(
          /token: .*/,
          'exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: /bin/sh\n        args: ["-c", "touch /tmp/fleetops-pwned"]',
        ),
    ],
    ['token file', (y: string) => y.replace(/token: .*/, 'tokenFile: /etc/passwd')],
    ['insecure TLS', (y: string) => y.replace(/certificate-authority-data: .*/, 'insecure-skip-tls-verify: true')],
    ['metadata address', (y: string) => y.replace(dev().server, 'https://169.254.169.254')],
    ['plain http', (y: string) => y.replace(dev().server, dev().server.replace('https:', 'http:'))],
  ])('rejects a hostile kubeconfig (%s) with 400 and stores nothing', async (_name, mutate) => {
    const response = await api('POST', '/v1/clusters', { name: 'evil', environment: 'dev', kubeconfig: mutate(devAccess.kubeconfigYaml) });
    expect(response.status).toBe(400);
    expect(['UNSAFE_KUBECONFIG', 'INVALID_KUBECONFIG']).toContain(response.body.error.code);
    expect((await api('GET', '/v1/clusters')).body.items).toHaveLength(2);
    expect(existsSync('/tmp/fleetops-pwned')).toBe(false);
  });

  it('validates the request body', async () => {
    expect((await api('POST', '/v1/clusters', { name: 'Bad Name', environment: 'dev', kubeconfig: 'x' })).status).toBe(400);
    expect((await api('POST', '/v1/clusters', { name: 'x', environment: 'dev' })).status).toBe(400);
    expect((await api('POST', '/v1/clusters', { name: 'x', environment: 'dev', kubeconfig: 'a: [' })).body.error.code).toBe('INVALID_KUBECONFIG');
  });

  it('gets, lists and 404s', async () => {
    const got = await api('GET', `/v1/clusters/${devId}`);
    expect(got).toMatchObject({ status: 200, body: { id: devId, name: 'dev' } });
    expect((await api('GET', '/v1/clusters/c-doesnotexist')).status).toBe(404);
    expect((await api('GET', '/v1/clusters/bad%20id')).status).toBe(400);
  });

  it('rotates credentials after testing them', async () => {
    const rotated = await api('PUT', `/v1/clusters/${devId}/kubeconfig`, { kubeconfig: devAccess.kubeconfigYaml });
    expect(rotated).toMatchObject({ status: 200, body: { id: devId, status: 'active' } });
    const bad = await api('PUT', `/v1/clusters/${devId}/kubeconfig`, { kubeconfig: devAccess.kubeconfigYaml.replace(devAccess.token, 'wrong-token') });
    expect(bad.status).toBe(502);
    expect((await api('GET', `/v1/clusters/${devId}`)).body.status).toBe('active');
  });

  it('marks a cluster unreachable on the health schedule', async () => {
    await prodSim.stop();
    await cloud.scheduler.fire('cluster-health');
    const list = await api('GET', '/v1/clusters');
    const byName = Object.fromEntries(list.body.items.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName).toEqual({ dev: 'active', prod: 'unreachable' });
  });

  it('serves the least-privilege RBAC manifest', async () => {
    const response = await api('GET', '/v1/rbac-manifest');
    expect(response.status).toBe(200);
    expect(response.body).toContain('kind: ClusterRole');
    expect(response.body).not.toContain('kind: Role\n');
    const deploy = await api('GET', '/v1/rbac-manifest?deployNamespaces=web,staging');
    expect(deploy.status).toBe(200);
    expect(deploy.body.match(/^kind: Role$/gm)).toHaveLength(2);
    const bad = await api('GET', '/v1/rbac-manifest?deployNamespaces=Web_1');
    expect(bad.status).toBe(400);
    const read = await api('GET', '/v1/rbac-manifest?access=read');
    expect(read.status).toBe(200);
    expect(read.body).not.toContain('fleetops-healer');
    expect(response.body).toContain('name: fleetops-healer');
    const tiered = await api('GET', '/v1/rbac-manifest?access=deploy&deployNamespaces=web');
    expect(tiered.status).toBe(200);
    expect(tiered.body.match(/^kind: Role$/gm)).toHaveLength(1);
    expect(tiered.body).toContain('name: fleetops-healer');
    const noNamespaces = await api('GET', '/v1/rbac-manifest?access=deploy');
    expect(noNamespaces.status).toBe(400);
    expect(noNamespaces.body.error).toMatchObject({ code: 'DEPLOY_NAMESPACES_REQUIRED', message: expect.stringContaining('access=deploy') });
    expect((await api('GET', '/v1/rbac-manifest?access=admin')).status).toBe(400);
  });

  it('deletes a cluster and its credentials; its incidents resolve (nothing pulls it now), other clusters’ stay open', async () => {
    const alert = (cluster: string) => ({
      source: 'test',
      cluster,
      namespace: 'shop',
      service: 'cart',
      type: 'HighErrorRate',
      severity: 'medium',
      message: 'cart 5xx above 5%',
    });
    const [prodIncident] = (await api('POST', '/v1/alerts', alert('prod'))).body.incidents;
    const [devIncident] = (await api('POST', '/v1/alerts', alert('dev'))).body.incidents;
    expect((await api('GET', `/v1/incidents/${prodIncident}`)).body.status).toBe('open');
    expect((await api('DELETE', `/v1/clusters/${prodId}`)).status).toBe(204);
    // ClusterDeleted goes over the bus to the alert pipeline.
    const deadline = Date.now() + 20_000;
    while ((await api('GET', `/v1/incidents/${prodIncident}`)).body.status !== 'resolved' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect((await api('GET', `/v1/incidents/${prodIncident}`)).body).toMatchObject({ status: 'resolved', resolution: 'cluster-deregistered' });
    expect((await api('GET', `/v1/incidents/${devIncident}`)).body.status).toBe('open');
    expect((await api('GET', `/v1/clusters/${prodId}`)).status).toBe(404);
    expect((await api('DELETE', `/v1/clusters/${prodId}`)).status).toBe(404);
    const sealed = JSON.parse(readFileSync(join(cloud.dataDir, 'secrets.json'), 'utf8'));
    expect(Object.keys(sealed)).toEqual([`clusters/${devId}/kubeconfig`]);
  });

  it('keeps credentials out of DynamoDB, responses, logs and unencrypted files', async () => {
    const secrets = [dev().token, prod().token, devAccess.token, prodAccess.token];
    const client = localDynamoClient(cloud.dynamoEndpoint);
    const items = await client.send(new ScanCommand({ TableName: cloud.tableName }));
    client.destroy();
    const dump = JSON.stringify(items.Items);
    expect(items.Items!.length).toBeGreaterThan(0);
    const files = readdirSync(cloud.dataDir, { recursive: true })
      .map((f) => join(cloud.dataDir, String(f)))
      .filter((f) => statSync(f).isFile() && !f.includes('dynamodb'))
      .map((f) => readFileSync(f, 'utf8'));
    expect(logs.join('').length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(responses.join('\n')).not.toContain(secret);
      expect(logs.join('')).not.toContain(secret);
      for (const content of files) expect(content).not.toContain(secret);
    }
  });
});
