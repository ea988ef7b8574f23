/**
 * Secrets planted in a pod's env (a literal value and values resolved from a Secret through
 * secretKeyRef) and printed by the app into its logs never reach the model: every request body
 * sent to the (local) Converse endpoint is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRcaDiagnoser } from '../../../functions/adapters/aws/bedrock/rca-diagnoser.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import {
  collectEvents,
  collectLogs,
  collectNodes,
  collectUsage,
  collectWorkloads,
  DEFAULT_EVIDENCE_LIMITS,
  secretsOf,
} from '../../../functions/adapters/kube/rca-evidence.ts';
import type { KubeClusterClient } from '../../../functions/ports.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { rulesReport } from '../../../functions/core/rca/complete.ts';
import { mergeEvidence, type RcaTarget } from '../../../functions/core/rca/evidence.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { investigatingModel, startFakeConverse, type FakeConverse } from '../../support/fake-converse.ts';
import { kreq, waitFor } from '../sim/helpers.ts';

const DB_URL = 'postgres://payments:Zq81-xv9-PLm@db.internal:5432/payments';
const SIGNING_SEED = 'quiet-plain-value-7';
const API_TOKEN = 'tok_LIVE_8f3Kq92mXzWw';
const PLANTED = [DB_URL, 'Zq81-xv9-PLm', SIGNING_SEED, API_TOKEN];

let sim: RunningSimulator;
let fake: FakeConverse;
let client: KubeClusterClient;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['leaky'], tickMs: 300 });
  fake = await startFakeConverse(investigatingModel);
  const info = sim.clusters[0];
  const creds = parseAndValidateKubeconfig(info.kubeconfigYaml, { allowLoopback: true });
  client = await new KubernetesGateway({ allowLoopback: true }).client({ clusterId: 'leaky', credentialsVersion: '1', creds });

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = await kreq(info, 'POST', '/api/v1/namespaces/shop/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'payments-db' },
    data: { url: b64(DB_URL), seed: b64(SIGNING_SEED) },
  });
  expect(secret.status, secret.text).toBe(201);
  const patch = await kreq(
    info,
    'PATCH',
    '/apis/apps/v1/namespaces/shop/deployments/payment-service',
    {
      spec: {
        template: {
          metadata: { annotations: { 'sim.fleetops.io/log-env': 'true' } },
          spec: {
            containers: [
              {
                name: 'payment-service',
                env: [
                  { name: 'SERVICE_NAME', value: 'payment-service' },
                  { name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'payments-db', key: 'url' } } },
                  { name: 'SIGNING_SEED', valueFrom: { secretKeyRef: { name: 'payments-db', key: 'seed' } } },
                  { name: 'API_TOKEN', value: API_TOKEN },
                ],
              },
            ],
          },
        },
      },
    },
    { contentType: 'application/strategic-merge-patch+json' },
  );
  expect(patch.status, patch.text).toBe(200);
  const fault = await kreq(info, 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
  expect(fault.status).toBe(201);
  // The rolled-out pods print the resolved env: the leak is real.
  await waitFor(
    async () => {
      const pods = (await client.listPods('shop')).filter(
        (p) =>
          p.metadata?.name?.startsWith('payment-service-') &&
          p.metadata?.annotations?.['sim.fleetops.io/log-env'] === 'true' &&
          p.status?.containerStatuses?.[0]?.state?.running,
      );
      if (!pods.length) return false;
      const log = await kreq(info, 'GET', `/api/v1/namespaces/shop/pods/${pods[0].metadata!.name}/log?container=payment-service`, undefined, {
        accept: 'text/plain',
      });
      return log.text.includes(DB_URL) && log.text.includes(API_TOKEN) && log.text.includes(SIGNING_SEED);
    },
    'pods logging their secrets',
    30_000,
  );
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await sim?.stop();
});

describe('redaction of everything sent to the model', () => {
  it('no request body contains a planted secret, yet the model saw the logs and pods', async () => {
    const target: RcaTarget = {
      rcaId: 'rca-leak',
      clusterId: 'leaky',
      cluster: 'leaky',
      namespace: 'shop',
      service: 'payment-service',
      severity: 'high',
      at: new Date().toISOString(),
    };
    const limits = DEFAULT_EVIDENCE_LIMITS;
    const parts = await Promise.all([
      collectWorkloads(client, target, limits).then((p) => ({ source: 'workloads', ...p })),
      collectEvents(client, target, limits).then((p) => ({ source: 'events', ...p })),
      collectNodes(client, limits).then((p) => ({ source: 'nodes', ...p })),
      collectLogs(client, target, limits).then((p) => ({ source: 'logs', ...p })),
      collectUsage(client, target, 0).then((p) => ({ source: 'metrics', ...p })),
    ]);
    const evidence = mergeEvidence(target, parts);
    // Redacted at the source too: nothing secret enters the workflow state or the store.
    const stored = JSON.stringify(evidence);
    for (const s of PLANTED) expect(stored.includes(s), `evidence holds ${s}`).toBe(false);
    expect(evidence.logs.some((l) => l.lines.some((x) => x.includes('"msg":"environment"') && x.includes('"DB_URL":"[REDACTED]"')))).toBe(true);

    const { findings, report } = rulesReport(evidence);
    fake.requests.length = 0;
    const diagnoser = new BedrockRcaDiagnoser({
      modelId: 'us.anthropic.claude-test-v1:0',
      client: fake.client(),
      maxTurns: 6,
      maxTokens: 100_000,
      timeoutMs: 10_000,
      secrets: async () => secretsOf(await client.listPods('shop')),
    });
    const result = await diagnoser.diagnose({ evidence, findings, rules: report });
    expect('report' in result, JSON.stringify(result)).toBe(true);

    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of fake.requests) {
      for (const s of [...PLANTED, ...PLANTED.map((p) => Buffer.from(p).toString('base64')), sim.clusters[0].token]) {
        expect(request.raw.includes(s), `request ${fake.requests.indexOf(request)} holds ${s}`).toBe(false);
      }
    }
    const all = fake.requests.map((r) => r.raw).join('\n');
    expect(all).toContain('environment');
    expect(all).toContain('[REDACTED]');
    expect(all).toContain('DB_URL');
  });
});
