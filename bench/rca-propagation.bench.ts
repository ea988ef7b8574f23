/**
 * The RCA report (analyzers + the ranking core) on the simulator's own propagating faults, end to end:
 * real Prometheus scraping simulated clusters, the local stack pulling every 10 s. One cluster per
 * case: the root fault is injected in a callee (error-burst, latency-spike or cpu-spike in
 * payment-service, order-service or user-service), the RCA is asked about `frontend` (the caller that
 * shows it), and the first root cause must name the faulted deployment. Healthy clusters measure how
 * often an RCA of a service that is fine rightly names no root cause. Not written next to the
 * ranker's generator: these are the simulator's faults, seen through Prometheus.
 */
import { kreq } from '../test/integration/sim/helpers.ts';
import { sleep, startPullingStack } from '../test/support/local-stack.ts';

const FAULTS = (process.env.BENCH_FAULTS?.split(',') ?? ['error-burst', 'latency-spike', 'cpu-spike']) as ('error-burst' | 'latency-spike' | 'cpu-spike')[];
const CALLEES = ['payment-service', 'order-service', 'user-service'] as const;
const HEALTHY = 2;
const cases = FAULTS.flatMap((fault) => CALLEES.map((service) => ({ fault, service, cluster: `${fault.split('-')[0]}-${service.split('-')[0]}` })));
const healthy = Array.from({ length: HEALTHY }, (_, i) => `healthy-${i}`);

// Many manual RCAs from one caller: above the per-caller and per-service limits (issue 19) on purpose.
const stack = await startPullingStack({
  clusters: [...cases.map((c) => c.cluster), ...healthy],
  prometheus: true,
  pullSeconds: 10,
  env: { FLEETOPS_RCA_MANUAL_PER_USER: '1000', FLEETOPS_RCA_MANUAL_PER_SERVICE: '1000' },
});
const get = async (path: string) => (await stack.api('GET', path)).body;

async function rcaOfFrontend(cluster: string): Promise<any> {
  const started = await stack.api('POST', '/v1/rca', { clusterId: stack.clusterIds[cluster], namespace: 'shop', service: 'frontend' });
  if (started.status !== 202) throw new Error(`POST /v1/rca ${cluster}: ${started.status}`);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const rca = await get(`/v1/rca/${started.body.id}`);
    if (rca.status === 'SUCCEEDED' || rca.status === 'FAILED') return rca;
    await sleep(500);
  }
  throw new Error(`RCA of frontend on ${cluster} did not finish`);
}

try {
  // Baselines first: a few pulls of normal traffic.
  await sleep(45_000);
  for (const c of cases) {
    const r = await kreq(stack.cluster(c.cluster), 'POST', '/sim/v1/faults', { type: c.fault, namespace: 'shop', deployment: c.service });
    if (r.status !== 201) throw new Error(`fault ${c.cluster}: ${r.status}`);
  }
  // Wait until the caller shows the symptom (as an operator would ask), at most 2 minutes.
  const seen = new Map<string, boolean>();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && seen.size < cases.length) {
    for (const c of cases) {
      if (seen.has(c.cluster)) continue;
      const items = (await get(`/v1/anomalies?cluster=${c.cluster}&service=frontend&limit=3`)).items as { status: string }[];
      if (items.some((x) => x.status === 'anomaly')) seen.set(c.cluster, true);
    }
    await sleep(2000);
  }
  const results: {
    fault: string;
    service: string;
    cluster: string;
    frontendAnomalous: boolean;
    top: string | null;
    category: string | null;
    top1: boolean;
    top3: boolean;
  }[] = [];
  for (const c of cases) {
    const rca = await rcaOfFrontend(c.cluster);
    const resources = (rca.report?.rootCauses ?? []).map((r: { resource: string }) => r.resource);
    const want = `deployment/${c.service}`;
    if (process.env.BENCH_DEBUG)
      console.error(
        JSON.stringify({
          cluster: c.cluster,
          status: rca.status,
          missing: rca.report?.missingEvidence,
          summary: rca.report?.summary,
          symptoms: rca.report?.symptoms,
        }),
      );
    results.push({
      ...c,
      frontendAnomalous: seen.has(c.cluster),
      top: resources[0] ?? null,
      category: rca.report?.rootCauses?.[0]?.category ?? null,
      top1: resources[0] === want,
      top3: resources.slice(0, 3).includes(want),
    });
  }
  const normal: number[] = [];
  for (const cluster of healthy) normal.push((await rcaOfFrontend(cluster)).report?.rootCauses?.length ?? 0);
  const rate = (xs: boolean[]) => Math.round((xs.filter(Boolean).length / xs.length) * 1000) / 1000;
  const byFault = Object.fromEntries(
    FAULTS.map((f) => [
      f,
      {
        cases: results.filter((r) => r.fault === f).length,
        top1: rate(results.filter((r) => r.fault === f).map((r) => r.top1)),
        top3: rate(results.filter((r) => r.fault === f).map((r) => r.top3)),
      },
    ]),
  );
  console.log(
    JSON.stringify({
      bench: 'rca-simulator-propagation',
      cases: results.length,
      top1: rate(results.map((r) => r.top1)),
      top3: rate(results.map((r) => r.top3)),
      by_fault: byFault,
      frontend_anomalous_before_rca: results.filter((r) => r.frontendAnomalous).length,
      normal_windows: normal.length,
      normal_no_root_cause_rate: rate(normal.map((n) => n === 0)),
      misses: results.filter((r) => !r.top1).map((r) => ({ fault: r.fault, service: r.service, top: r.top, category: r.category })),
    }),
  );
} finally {
  await stack.stop();
}
