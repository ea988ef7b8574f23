import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEntity } from '../../functions/core/catalog/entity.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { ensureHelmKubectl } from '../../local/layers/helm-kubectl.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { startFakeGitHub } from '../support/fake-github.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-fake.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

/**
 * The catalog end to end on the local stack and a simulated cluster: ingest → graph → scorecard
 * (Kubernetes checks against the simulator, repository checks against a local GitHub) → golden
 * path (helm lint on the extracted chart, the real binary) → an alert routed to its owner's channel.
 */
const shopYaml = readFileSync(join(import.meta.dirname, '../fixtures/catalog/shop.yaml'), 'utf8');
let cloud: LocalCloud;
let sim: RunningSimulator;
let slack: SlackReceiver;
let github: Awaited<ReturnType<typeof startFakeGitHub>>;
let dataDir: string;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const buffer = Buffer.from(await response.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(buffer.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, body: json, buffer };
}
const postYaml = (text: string) => api('POST', '/v1/catalog/entities', text, { 'content-type': 'application/yaml' });

beforeAll(async () => {
  slack = await startSlackReceiver();
  github = await startFakeGitHub({
    'acme/user-service': {
      paths: [
        { path: 'docs', type: 'tree' },
        { path: 'test', type: 'tree' },
        { path: 'test/users.test.ts', type: 'blob' },
      ],
      analyses: [{ created_at: new Date(Date.now() - 86_400_000).toISOString(), tool: { name: 'CodeQL' } }],
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'fleetops-catalog-'));
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir,
    env: { FLEETOPS_SLACK_WEBHOOK_URL: slack.url, FLEETOPS_GITHUB_API_URL: github.url, FLEETOPS_PULL_NAMESPACES: 'shop' },
  });
  sim = await startSimulator({ clusters: ['dev'], tickMs: 1000 });
  const body = {
    name: 'dev',
    environment: 'dev',
    labels: { team: 'team-platform' },
    kubeconfig: await leastPrivilegeKubeconfig(sim.clusters[0]),
    namespaces: ['shop'],
  };
  let registered = await api('POST', '/v1/clusters', body);
  for (let attempt = 0; attempt < 3 && registered.status === 502; attempt++) registered = await api('POST', '/v1/clusters', body);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
  await github?.close();
  await slack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('service catalog end to end', () => {
  it('ingests the shop catalog, keeps valid documents and rejects invalid ones with reasons', async () => {
    const ingested = await postYaml(shopYaml);
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(200);
    expect(ingested.body).toMatchObject({ accepted: 16, rejected: [] });
    const mixed = await postYaml(readFileSync(join(import.meta.dirname, '../fixtures/catalog/invalid-mixed.yaml'), 'utf8'));
    expect(mixed.status).toBe(200);
    expect(mixed.body.accepted).toBe(2);
    expect(mixed.body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mixed.body.rejected[0].error).toMatch(/apiVersion/);
    // Idempotent: the same request again stores the same entities.
    expect((await postYaml(shopYaml)).body.accepted).toBe(16);
    const components = await api('GET', '/v1/catalog/entities?kind=Component');
    expect(components.body.items.map((e: { ref: string }) => e.ref)).toEqual([
      'component:default/frontend',
      'component:default/good-service',
      'component:default/order-service',
      'component:default/payment-service',
      'component:default/user-service',
    ]);
  });

  it('answers hostile or malformed bodies with 4xx, never 5xx', async () => {
    const deep = await postYaml('a: '.concat('['.repeat(3000)));
    expect(deep.status).toBe(400);
    expect(deep.body.error.code).toBe('INVALID_CATALOG');
    const json = await api('POST', '/v1/catalog/entities', '{"kind":"Component"}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await api('GET', '/v1/catalog/graph?entity=component:default/nope')).status).toBe(404);
    expect((await api('GET', '/v1/catalog/graph?entity=%20%3B')).status).toBe(400);
    expect((await api('GET', '/v1/catalog/entities?kind=Spaceship')).status).toBe(400);
  });

  it('shows user-service’s dependencies, APIs and dependents in its graph', async () => {
    const graph = await api('GET', '/v1/catalog/graph?entity=component:default/user-service');
    expect(graph.status).toBe(200);
    expect(graph.body.nodes.map((n: { ref: string }) => n.ref)).toEqual(
      expect.arrayContaining(['api:default/user-api', 'resource:default/users-db', 'component:default/frontend', 'group:default/team-identity']),
    );
    expect(graph.body.edges).toEqual(
      expect.arrayContaining([
        { from: 'component:default/user-service', to: 'api:default/user-api', type: 'providesApi' },
        { from: 'component:default/user-service', to: 'api:default/notification-api', type: 'consumesApi' },
        { from: 'component:default/user-service', to: 'resource:default/users-db', type: 'dependsOn' },
        { from: 'component:default/frontend', to: 'component:default/user-service', type: 'dependsOn' },
      ]),
    );
    expect(graph.body.upstream).toEqual(['component:default/frontend']);
    expect(graph.body.downstream).toEqual(['resource:default/users-db']);
    // A bare name is a component in `default`.
    expect((await api('GET', '/v1/catalog/graph?entity=user-service')).body.entity).toBe('component:default/user-service');
  });

  it('computes scorecards against the simulated cluster and the repository', async () => {
    const card = await api('GET', `/v1/scorecards/${encodeURIComponent('component:default/user-service')}`);
    expect(card.status, JSON.stringify(card.body)).toBe(200);
    const check = (name: string) => card.body.checks.find((c: { name: string }) => c.name === name);
    expect(check('deployment-exists')).toMatchObject({ passed: true, detail: expect.stringMatching(/dev \(shop\/user-service/) });
    expect(check('service-exists')).toMatchObject({ passed: true });
    expect(check('servicemonitor-exists')).toMatchObject({ passed: false, detail: expect.stringMatching(/ServiceMonitor CRD is not installed on dev/) });
    expect(check('has-docs')).toMatchObject({ passed: true, detail: 'docs/ in acme/user-service' });
    expect(check('has-tests')).toMatchObject({ passed: true });
    expect(check('helm-chart-exists')).toMatchObject({ passed: false, detail: expect.stringMatching(/no Chart.yaml/) });
    expect(check('recent-security-scan')).toMatchObject({ passed: true, detail: expect.stringMatching(/CodeQL/) });
    expect(check('runbook-linked')).toMatchObject({ passed: true });
    expect(check('owner-resolvable')).toMatchObject({ passed: true, detail: 'group:default/team-identity' });
    expect(card.body).toMatchObject({ entity: 'component:default/user-service', score: 80, passing: true });
    const payment = await api('GET', `/v1/scorecards/${encodeURIComponent('component:default/payment-service')}`);
    expect(payment.body.checks.find((c: { name: string }) => c.name === 'has-docs').detail).toMatch(/no repository configured/);
    expect(payment.body.passing).toBe(false);
    expect((await api('GET', `/v1/scorecards/${encodeURIComponent('api:default/user-api')}`)).status).toBe(404);
    const fleet = await api('GET', '/v1/scorecards');
    expect(fleet.body).toMatchObject({ passingMark: 70, components: 5, passing: 1 });
  }, 60_000);

  it('generates a golden-path skeleton whose chart passes helm lint, and registers it', async () => {
    const params = {
      name: 'checkout-service',
      owner: 'team-payments',
      description: 'Checkout {{ .Values.evil }} "quoted"',
      language: 'python',
      framework: 'fastapi',
      database: 'postgresql',
      replicas: 2,
      cpu: '250m',
      memory: '256Mi',
      system: 'ecommerce-system',
      register: true,
    };
    const response = await api('POST', '/v1/golden-paths/microservice', params);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('x-fleetops-entity-ref')).toBe('component:default/checkout-service');
    const out = join(dataDir, 'skeleton');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', '-', '-C', out], { input: response.buffer });
    const root = join(out, 'checkout-service');
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^USER 10001:10001$/m);
    expect(validateEntity(parse(readFileSync(join(root, 'catalog-info.yaml'), 'utf8')))).toHaveProperty('entity');
    const helm = ensureHelmKubectl(dataDir).helm;
    const home = join(dataDir, 'helm-home');
    const env = { PATH: process.env.PATH, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
    const lint = execFileSync(helm, ['lint', '--strict', join(root, 'charts', 'checkout-service')], { env, encoding: 'utf8' });
    expect(lint).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const rendered = execFileSync(helm, ['template', 'checkout', join(root, 'charts', 'checkout-service')], { env, encoding: 'utf8' });
    expect(rendered).toMatch(/kind: HorizontalPodAutoscaler/);
    expect(rendered).toMatch(/readinessProbe:/);
    expect(rendered).toMatch(/runAsNonRoot: true/);
    expect(rendered).toMatch(/runAsUser: 10001/);
    const registered = await api('GET', '/v1/catalog/graph?entity=component:default/checkout-service');
    expect(registered.body.edges).toEqual(
      expect.arrayContaining([{ from: 'component:default/checkout-service', to: 'group:default/team-payments', type: 'ownedBy' }]),
    );
    const invalid = await api('POST', '/v1/golden-paths/microservice', { ...params, name: 'Checkout Service', framework: 'gin' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/name/);
  }, 120_000);

  it('serves the registered clusters as Backstage Resource entities', async () => {
    const list = await api('GET', '/v1/catalog/backstage/clusters');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const entity = validateEntity(list.body.items[0]);
    expect(entity).toMatchObject({ entity: { ref: 'resource:default/dev', spec: { type: 'kubernetes-cluster', owner: 'group:default/team-platform' } } });
    const yaml = await fetch(cloud.url + '/v1/catalog/backstage/clusters', {
      headers: { authorization: `Bearer ${cloud.apiToken}`, accept: 'application/yaml' },
    });
    expect(yaml.headers.get('content-type')).toBe('application/yaml');
    expect(parse(await yaml.text())).toMatchObject({ kind: 'Resource', metadata: { name: 'dev' } });
  });

  it('routes an alert on a catalog service to its owner’s Slack channel, and groups its callers’ alerts through the catalog graph', async () => {
    const alert = (service: string) => ({
      source: 'test',
      cluster: 'dev',
      namespace: 'shop',
      service,
      type: 'HighErrorRate',
      severity: 'high',
      message: `${service} 5xx above 5%`,
    });
    const payment = await api('POST', '/v1/alerts', alert('payment-service'));
    expect(payment.status).toBe(202);
    // order-service calls payment-service (catalog dependsOn; no mesh graph here): its alert joins that incident.
    const order = await api('POST', '/v1/alerts', alert('order-service'));
    expect(order.body.incidents).toEqual(payment.body.incidents);
    expect((await api('POST', '/v1/alerts', alert('user-service'))).status).toBe(202);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && slack.messages.length < 2) await new Promise((r) => setTimeout(r, 200));
    const about = (service: string) => slack.messages.find((m) => m.text?.includes(service));
    expect(about('payment-service')?.channel).toBe('#team-payments');
    expect(about('user-service')?.channel).toBe('#team-identity');
    expect(JSON.stringify(about('payment-service')?.blocks)).toContain('group:default/team-payments');
    // The incident itself names its owner, from the catalog (the alert carried no team label).
    const [paymentIncident] = payment.body.incidents;
    expect((await api('GET', `/v1/incidents/${paymentIncident}`)).body).toMatchObject({ service: 'payment-service', owner: 'group:default/team-payments' });
  }, 30_000);
});

describe('golden path → staging, through the deploy workflow', () => {
  const params = {
    name: 'checkout-api',
    owner: 'team-payments',
    description: 'Checkout API',
    language: 'go',
    framework: 'chi',
    replicas: 2,
    cpu: '200m',
    memory: '128Mi',
    register: true,
    deploy: { image: 'registry.example.com/payments/checkout-api:1.4.2', strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 2 } },
  };
  let staging: RunningSimulator | undefined;
  afterAll(async () => staging?.stop());

  it('refuses to start when no cluster is in the environment, and stores nothing', async () => {
    const refused = await api('POST', '/v1/golden-paths/microservice', params);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NO_CLUSTERS');
    expect((await api('GET', '/v1/catalog/entities')).body.items.map((e: { ref: string }) => e.ref)).not.toContain('component:default/checkout-api');
    const badImage = await api('POST', '/v1/golden-paths/microservice', { ...params, deploy: { image: '--set=x' } });
    expect(badImage.status).toBe(400);
    expect(badImage.body.error.message).toMatch(/image/);
  });

  it('registers the service and deploys it with the golden chart to the staging clusters, once per request', async () => {
    staging = await startSimulator({ clusters: ['staging-eu'], tickMs: 300 });
    const cluster = staging.clusters[0];
    const registered = await api('POST', '/v1/clusters', { name: 'staging-eu', environment: 'staging', kubeconfig: await leastPrivilegeKubeconfig(cluster) });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const response = await api('POST', '/v1/golden-paths/microservice', params);
    expect(response.status, response.buffer.toString('utf8').slice(0, 300)).toBe(200);
    expect(response.headers.get('x-fleetops-entity-ref')).toBe('component:default/checkout-api');
    const id = response.headers.get('x-fleetops-deployment-id');
    expect(id).toMatch(/^d-/);
    const deadline = Date.now() + 90_000;
    let view: any;
    while (Date.now() < deadline) {
      view = (await api('GET', `/v1/deployments/${id}`)).body;
      if (!['RUNNING', 'PENDING'].includes(view.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(view, JSON.stringify(view)).toMatchObject({
      status: 'SUCCEEDED',
      waves: [{ name: 'staging', status: 'SUCCEEDED', clusters: [{ status: 'SUCCEEDED' }] }],
    });
    // Named after the service (the catalog maps the component to this workload), with the requested image and an HPA.
    const deployment = await kreq(cluster, 'GET', '/apis/apps/v1/namespaces/checkout-api/deployments/checkout-api');
    expect(deployment.status).toBe(200);
    expect(deployment.body.spec.template.spec.containers[0].image).toBe('registry.example.com/payments/checkout-api:1.4.2');
    expect(deployment.body.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(deployment.body.metadata.labels['app.kubernetes.io/name']).toBe('checkout-api');
    const hpa = await kreq(cluster, 'GET', '/apis/autoscaling/v2/namespaces/checkout-api/horizontalpodautoscalers/checkout-api');
    expect(hpa.body.spec).toMatchObject({ minReplicas: 2, maxReplicas: 8 });
    // The same request again is the same deployment.
    const again = await api('POST', '/v1/golden-paths/microservice', params);
    expect(again.headers.get('x-fleetops-deployment-id')).toBe(id);
  }, 150_000);
});
