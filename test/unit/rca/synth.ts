/**
 * Seeded synthetic microservice incidents for the root-cause ranking tests and bench/rank.bench.ts.
 *
 * A call graph of 8–15 services (`svc-00` is the entry point and the incident target) in one of five
 * topologies: chain, tree, diamond (layered DAG with shared dependencies), cycle (tree plus back edges) and a
 * random DAG. Every service reports `latency.p99` (ms, its own work plus a share of its callees' latency,
 * ~6% noise with occasional spikes), `availability` (~0.999), `cpu` (fraction) and `requests` (common traffic
 * wave). A fault at one service (latency up, availability down, or cpu up with latency up) starts 0–3 points
 * after the split and propagates to its callers, attenuated by alpha in [0.55, 0.9] per hop (up to 4 hops).
 */
import { Rng } from '../../../functions/core/anomaly/random.ts';
import type { Edge, Sample } from '../../../functions/core/rca/rank.ts';

export type Topology = 'chain' | 'tree' | 'diamond' | 'cycle' | 'random';
export type FaultKind = 'latency' | 'availability' | 'cpu' | 'none';
export const TOPOLOGIES: Topology[] = ['chain', 'tree', 'diamond', 'cycle', 'random'];
export const FAULTS: FaultKind[] = ['latency', 'availability', 'cpu'];

export interface RcaCase {
  edges: Edge[];
  samples: Sample[];
  split: number;
  target: string;
  /** The injected root cause ('' when fault is 'none'). */
  root: string;
  nodes: string[];
  topology: Topology;
  fault: FaultKind;
}

export interface RcaCaseOptions {
  topology?: Topology;
  fault?: FaultKind;
  services?: number;
  normalPoints?: number;
  incidentPoints?: number;
  stepSeconds?: number;
}

export function gauss(rng: Rng): number {
  const u = Math.max(rng.nextFloat(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.nextFloat();
export const serviceName = (i: number): string => `svc-${String(i).padStart(2, '0')}`;

/** Edges as index pairs; forward edges go from a lower to a higher index, back edges (cycle) the other way. */
function makeTopology(rng: Rng, topology: Topology, n: number): [number, number][] {
  const edges: [number, number][] = [];
  const has = (a: number, b: number): boolean => edges.some(([x, y]) => x === a && y === b);
  const add = (a: number, b: number): void => {
    if (a !== b && !has(a, b)) edges.push([a, b]);
  };
  switch (topology) {
    case 'chain':
      for (let i = 1; i < n; i++) add(i - 1, i);
      break;
    case 'tree':
    case 'cycle':
      for (let i = 1; i < n; i++) add(Math.max(0, i - 1 - rng.nextInt(3)), i);
      if (topology === 'cycle') {
        // two back edges from a deeper service to a shallower one (not the entry point)
        for (let k = 0; k < 2; k++) {
          const from = 3 + rng.nextInt(n - 3);
          const to = 1 + rng.nextInt(from - 1);
          add(from, to);
        }
      }
      break;
    case 'diamond': {
      const layers: number[][] = [[0]];
      let next = 1;
      while (next < n) {
        const width = Math.min(n - next, 2 + rng.nextInt(3));
        layers.push(Array.from({ length: width }, (_, k) => next + k));
        next += width;
      }
      for (let l = 1; l < layers.length; l++) {
        const prev = layers[l - 1];
        for (const v of layers[l]) add(prev[rng.nextInt(prev.length)], v);
        // shared dependencies: each upper service also calls another one of the layer
        for (const u of prev) add(u, layers[l][rng.nextInt(layers[l].length)]);
      }
      break;
    }
    case 'random':
      for (let j = 1; j < n; j++) {
        add(rng.nextInt(j), j);
        for (let i = 0; i < j; i++) if (rng.nextFloat() < 0.12) add(i, j);
      }
      break;
  }
  return edges;
}

export function makeRcaCase(seed: number, options: RcaCaseOptions = {}): RcaCase {
  const rng = new Rng(seed);
  const topology = options.topology ?? TOPOLOGIES[rng.nextInt(TOPOLOGIES.length)];
  const fault = options.fault ?? FAULTS[rng.nextInt(FAULTS.length)];
  const n = options.services ?? 8 + rng.nextInt(8);
  const normalPoints = options.normalPoints ?? 60;
  const incidentPoints = options.incidentPoints ?? 20;
  const step = options.stepSeconds ?? 30;
  const t0 = 1_767_225_600;
  const split = t0 + normalPoints * step;
  const ix = makeTopology(rng, topology, n);
  const nodes = Array.from({ length: n }, (_, i) => serviceName(i));
  const callees: number[][] = nodes.map(() => []);
  const callers: number[][] = nodes.map(() => []);
  for (const [a, b] of ix) {
    callees[a].push(b);
    callers[b].push(a);
  }

  // base latency: own work plus a share of the (forward) callees' latency
  const base = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    base[i] = uniform(rng, 5, 40);
    for (const c of callees[i]) if (c > i) base[i] += 0.6 * base[c];
  }
  // back edges (cycles): a smaller share of the callee's latency
  for (let i = 0; i < n; i++) for (const c of callees[i]) if (c < i) base[i] += 0.3 * base[c];
  const cpuBase = nodes.map(() => uniform(rng, 0.15, 0.5));
  const reqBase = nodes.map(() => uniform(rng, 50, 500));
  const noise = nodes.map(() => uniform(rng, 0.04, 0.08));

  // fault and its propagation distance to callers (BFS over reversed edges)
  const root = fault === 'none' ? -1 : rng.nextInt(n);
  const dist = new Int32Array(n).fill(-1);
  if (root >= 0) {
    dist[root] = 0;
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      for (const p of callers[queue[q]]) {
        if (dist[p] < 0) {
          dist[p] = dist[queue[q]] + 1;
          queue.push(p);
        }
      }
    }
  }
  const alpha = uniform(rng, 0.55, 0.9);
  const onset = rng.nextInt(4);
  const latencyJump = root >= 0 ? base[root] * (fault === 'cpu' ? uniform(rng, 0.5, 1.5) : uniform(rng, 1, 3)) : 0;
  const availabilityDrop = uniform(rng, 0.03, 0.2);
  const cpuJump = uniform(rng, 0.25, 0.45);

  const samples: Sample[] = [];
  const total = normalPoints + incidentPoints;
  for (let k = 0; k < total; k++) {
    const ts = t0 + k * step;
    const wave = 1 + 0.1 * Math.sin((2 * Math.PI * k) / 40);
    const faulty = k >= normalPoints + onset;
    for (let i = 0; i < n; i++) {
      const atten = faulty && dist[i] >= 0 && dist[i] <= 4 ? alpha ** dist[i] : 0;
      let latency = base[i] * wave * (1 + noise[i] * gauss(rng));
      if (rng.nextFloat() < 0.02) latency *= uniform(rng, 1.3, 2);
      let availability = 0.999 - Math.abs(0.0005 * gauss(rng));
      let cpu = cpuBase[i] * wave + 0.03 * gauss(rng);
      if (atten > 0) {
        if (fault === 'latency' || fault === 'cpu') latency += atten * latencyJump;
        if (fault === 'availability') availability -= atten * availabilityDrop;
        if (fault === 'cpu' && i === root) cpu += cpuJump;
      }
      const requests = reqBase[i] * wave * (1 + 0.05 * gauss(rng));
      const node = nodes[i];
      samples.push({ ts, node, metric: 'latency.p99', value: latency });
      samples.push({ ts, node, metric: 'availability', value: Math.min(1, Math.max(0, availability)) });
      samples.push({ ts, node, metric: 'cpu', value: Math.min(1, Math.max(0, cpu)) });
      samples.push({ ts, node, metric: 'requests', value: requests });
    }
  }
  return {
    edges: ix.map(([a, b]) => ({ from: nodes[a], to: nodes[b] })),
    samples,
    split,
    target: nodes[0],
    root: root >= 0 ? nodes[root] : '',
    nodes,
    topology,
    fault,
  };
}

/** Writes a case as EDGES.json text and METRICS.csv text. */
export function caseFiles(c: RcaCase): { graph: string; metrics: string } {
  const lines = ['timestamp,node,metric,value'];
  for (const s of c.samples) lines.push(`${s.ts},${s.node},${s.metric},${Number(s.value.toFixed(6))}`);
  return { graph: JSON.stringify(c.edges), metrics: lines.join('\n') + '\n' };
}
