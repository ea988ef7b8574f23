/**
 * Cost allocation at the parity issue's scale (one JSON object per line): 500 clusters × 50 services
 * (3 replicas each, 10 nodes per cluster) priced from the shipped snapshot and allocated per pull,
 * plus right-sizing usage deltas. Measures the CPU time of core allocation (no I/O): the pull's time
 * budget is the pull interval (60 s) per batch of clusters.
 * Run: node bench/cost-allocation.bench.ts (or npm run bench -- cost).
 */
import { SnapshotPriceSource } from '../functions/adapters/aws/pricing/snapshot-prices.ts';
import { allocate, nodePriceQuery } from '../functions/core/cost/allocation.ts';
import { NodePricer } from '../functions/core/cost/prices.ts';
import { usageDeltas } from '../functions/core/cost/rightsizing.ts';
import type { ClusterResources } from '../functions/core/cost/ports.ts';

const CLUSTERS = 500;
const SERVICES = 50;
const REPLICAS = 3;
const NODES = 10;
const MI = 1024 ** 2;
const TYPES = ['m5.xlarge', 'm6i.2xlarge', 'c6g.xlarge', 'r5.large'];
const HASH = 'bcdfghjklm';

function cluster(c: number): ClusterResources {
  const nodes = Array.from({ length: NODES }, (_, n) => ({
    metadata: {
      name: `n${n}`,
      labels: {
        'node.kubernetes.io/instance-type': TYPES[(c + n) % TYPES.length]!,
        'topology.kubernetes.io/region': 'us-east-1',
        'karpenter.sh/capacity-type': n % 3 ? 'on-demand' : 'spot',
      },
    },
    status: { capacity: { cpu: '8', memory: '32Gi' } },
  }));
  const pods = [];
  const usage = [];
  for (let s = 0; s < SERVICES; s++) {
    for (let r = 0; r < REPLICAS; r++) {
      const name = `svc${s}-7d9f8c6b5d-${HASH[r]}bcdf`;
      pods.push({
        metadata: { name, namespace: `ns${s % 5}` },
        spec: {
          nodeName: `n${(s * REPLICAS + r) % NODES}`,
          containers: [
            { name: 'app', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } },
            { name: 'sidecar', resources: { requests: { cpu: '50m', memory: '64Mi' } } },
          ],
        },
        status: { phase: 'Running' },
      });
      usage.push({
        namespace: `ns${s % 5}`,
        name,
        containers: [
          { name: 'app', cpu: 0.05 + ((s * 7 + r) % 40) / 100, memory: (150 + ((s * 13 + r) % 300)) * MI },
          { name: 'sidecar', cpu: 0.01, memory: 40 * MI },
        ],
      });
    }
  }
  return { nodes, pods, usage };
}

const inputs = Array.from({ length: CLUSTERS }, (_, c) => cluster(c));
const pricer = new NodePricer(new SnapshotPriceSource());
const now = new Date();

async function runOnce(): Promise<{ ms: number; items: number; samples: number; deltas: number }> {
  const t0 = performance.now();
  let items = 0;
  let samples = 0;
  let deltas = 0;
  for (let c = 0; c < CLUSTERS; c++) {
    const r = inputs[c]!;
    const prices = await Promise.all(r.nodes.map((n) => pricer.price(nodePriceQuery(`c${c}`, n))));
    const a = allocate({ cluster: `c${c}`, nodes: r.nodes, pods: r.pods, usage: r.usage, prices, intervalSeconds: 60, now });
    items += a.items.length;
    samples += a.samples.length;
    deltas += usageDeltas(a.samples).length;
  }
  return { ms: performance.now() - t0, items, samples, deltas };
}

await runOnce(); // warm-up
const runs = [];
for (let i = 0; i < 5; i++) runs.push(await runOnce());
const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
console.log(
  JSON.stringify({
    bench: 'cost-allocation',
    clusters: CLUSTERS,
    servicesPerCluster: SERVICES,
    podsPerCluster: SERVICES * REPLICAS,
    nodesPerCluster: NODES,
    allocationMsPerPull: Math.round(ms),
    allocationMsPerCluster: Math.round((ms / CLUSTERS) * 1000) / 1000,
    workloadItemsPerPull: runs[0]!.items,
    containerSamplesPerPull: runs[0]!.samples,
    usageRowsPerPull: runs[0]!.deltas,
    dynamoWritesPerClusterPerPull: 1 + SERVICES + runs[0]!.deltas / CLUSTERS + Math.ceil((1 + SERVICES + runs[0]!.deltas / CLUSTERS) / 99),
  }),
);
