/**
 * One metric pull of 2 simulated clusters × 4 services, end to end through the local stack:
 * POST /v1/metrics/pull → Step Functions (local runner) → pull → score → DynamoDB Local.
 * Uses a real Prometheus for one cluster when the binary exists, metrics.k8s.io otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../local/cloud.ts';
import { prometheusAvailable, startPrometheus } from '../local/prometheus.ts';
import { startSimulator } from '../sim/index.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-pull-'));
const sim = await startSimulator({ clusters: ['dev', 'prod'] });
const prometheus = prometheusAvailable()
  ? await startPrometheus({ targets: sim.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 1 })
  : undefined;
const cloud = await startLocalCloud({ port: 0, dataDir, inMemory: true, schedules: false });
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as any;
};
for (const info of sim.clusters) {
  await api('POST', '/v1/clusters', {
    name: info.name,
    environment: info.name,
    kubeconfig: info.kubeconfigYaml,
    namespaces: ['shop'],
    ...(prometheus && info.name === 'prod' ? { prometheus: { url: prometheus.url, rateWindow: '10s', matchers: { cluster: 'prod' } } } : {}),
  });
}
if (prometheus) await new Promise((r) => setTimeout(r, 11_000));

const timings: number[] = [];
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const { executionId } = await api('POST', '/v1/metrics/pull');
  const done = await cloud.workflows.wait(executionId);
  const ms = performance.now() - started;
  timings.push(ms);
  const results = (done?.output as { batches: { results: { services: number }[] }[] }).batches.flatMap((b) => b.results);
  console.log(
    JSON.stringify({
      bench: 'metric-pull',
      run,
      clusters: results.length,
      services: results.reduce((n, r) => n + r.services, 0),
      ms: Math.round(ms),
      status: done?.status,
      prometheus: Boolean(prometheus),
    }),
  );
}
timings.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bench: 'metric-pull',
    summary: true,
    runs,
    medianMs: Math.round(timings[Math.floor(runs / 2)]),
    minMs: Math.round(timings[0]),
    maxMs: Math.round(timings[runs - 1]),
  }),
);

await cloud.stop();
await prometheus?.stop();
await sim.stop();
rmSync(dataDir, { recursive: true, force: true });
