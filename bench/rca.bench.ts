/**
 * RCA latency in the local stack with the rules engine, from incident to stored report (an alert
 * opens the incident; IncidentOpened → rca-trigger → rca.asl.json → report), median and p95; and
 * the model's tokens and turns per RCA against a local endpoint speaking Converse (a scripted
 * model that investigates with tools before answering), on real evidence from the simulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRcaDiagnoser } from '../functions/adapters/aws/bedrock/rca-diagnoser.ts';
import { KubernetesGateway } from '../functions/adapters/kube/kube-gateway.ts';
import {
  collectEvents,
  collectLogs,
  collectNodes,
  collectUsage,
  collectWorkloads,
  DEFAULT_EVIDENCE_LIMITS,
  secretsOf,
} from '../functions/adapters/kube/rca-evidence.ts';
import { parseAndValidateKubeconfig } from '../functions/core/clusters/kubeconfig-policy.ts';
import { rulesReport } from '../functions/core/rca/complete.ts';
import { mergeEvidence, type RcaTarget } from '../functions/core/rca/evidence.ts';
import { startLocalCloud } from '../local/cloud.ts';
import { startSimulator } from '../sim/index.ts';
import { investigatingModel, startFakeConverse } from '../test/support/fake-converse.ts';

const RUNS = Number(process.env.BENCH_RCA_RUNS ?? 12);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

const sim = await startSimulator({ clusters: ['bench'], tickMs: 500 });
const cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-bench-rca-')) });
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json().catch(() => undefined)) as any };
};
try {
  const info = sim.clusters[0];
  const registered = await api('POST', '/v1/clusters', { name: 'bench', environment: 'bench', kubeconfig: info.kubeconfigYaml, namespaces: ['shop'] });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  // Something to find: payment-service crash-loops.
  const { kreq } = await import('../test/integration/sim/helpers.ts');
  await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'payment-service' });
  await new Promise((r) => setTimeout(r, 6000));

  const latencies: number[] = [];
  let top = '';
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const alert = await api('POST', '/v1/alerts', {
      source: 'bench',
      cluster: 'bench',
      namespace: 'shop',
      service: 'payment-service',
      type: `BenchIncident${i}`,
      severity: 'high',
      message: 'payment-service failing',
    });
    const incidentId = alert.body.incidents[0];
    let done = false;
    while (!done) {
      const incident = await api('GET', `/v1/incidents/${incidentId}`);
      const rcaId = incident.body?.rcaId;
      if (rcaId) {
        const rca = await api('GET', `/v1/rca/${rcaId}`);
        if (rca.body?.status === 'SUCCEEDED' || rca.body?.status === 'FAILED') {
          done = true;
          top = rca.body.report?.rootCauses?.[0]?.category ?? rca.body.status;
        }
      }
      if (!done) await new Promise((r) => setTimeout(r, 25));
      if (performance.now() - started > 60_000) throw new Error('RCA did not finish within 60 s');
    }
    latencies.push(performance.now() - started);
  }
  console.log(
    JSON.stringify({
      bench: 'rca-latency-rules',
      what: 'incident (POST /v1/alerts) to stored RCA report, local stack, simulator cluster',
      runs: RUNS,
      median_ms: Math.round(quantile(latencies, 0.5)),
      p95_ms: Math.round(quantile(latencies, 0.95)),
      max_ms: Math.round(Math.max(...latencies)),
      target_ms: 5000,
      top_cause: top,
    }),
  );

  // Tokens and turns per RCA: the Bedrock adapter's tool-use loop against a local Converse endpoint.
  const fake = await startFakeConverse(investigatingModel);
  const creds = parseAndValidateKubeconfig(info.kubeconfigYaml, { allowLoopback: true });
  const client = await new KubernetesGateway({ allowLoopback: true }).client({ clusterId: 'bench', credentialsVersion: '1', creds });
  const target: RcaTarget = {
    rcaId: 'rca-bench',
    clusterId: 'bench',
    cluster: 'bench',
    namespace: 'shop',
    service: 'payment-service',
    severity: 'high',
    at: new Date().toISOString(),
  };
  const limits = DEFAULT_EVIDENCE_LIMITS;
  const evidence = mergeEvidence(target, [
    { source: 'workloads', ...(await collectWorkloads(client, target, limits)) },
    { source: 'events', ...(await collectEvents(client, target, limits)) },
    { source: 'nodes', ...(await collectNodes(client, limits)) },
    { source: 'logs', ...(await collectLogs(client, target, limits)) },
    { source: 'metrics', ...(await collectUsage(client, target, 0)) },
  ]);
  const { findings, report } = rulesReport(evidence);
  const diagnoser = new BedrockRcaDiagnoser({
    modelId: 'bench-model',
    client: fake.client(),
    maxTurns: 6,
    maxTokens: 100_000,
    timeoutMs: 10_000,
    secrets: async () => secretsOf(await client.listPods('shop')),
  });
  const result = await diagnoser.diagnose({ evidence, findings, rules: report });
  const bytes = fake.requests.map((r) => r.raw.length);
  console.log(
    JSON.stringify({
      bench: 'rca-model-usage',
      what: 'one RCA through the Bedrock adapter (tool use) against a local Converse endpoint; tokens are what the endpoint reported',
      engine: 'report' in result ? result.report.engine : `rules (${result.fallback})`,
      turns: result.usage?.turns,
      input_tokens: result.usage?.inputTokens,
      output_tokens: result.usage?.outputTokens,
      request_bytes_total: bytes.reduce((a, b) => a + b, 0),
      request_bytes_max: Math.max(...bytes),
      approx_prompt_tokens_total: Math.round(bytes.reduce((a, b) => a + b, 0) / 4),
    }),
  );
  await fake.close();
} finally {
  await cloud.stop();
  await sim.stop();
}
