/**
 * Root-cause incidents from the cluster simulator's own mesh model (sim/mesh.ts `propagate`, the code behind the
 * simulator's Istio metrics), fast-forwarded per minute without a running cluster: the `shop` call graph
 * (frontend -> user-service, order-service; order-service -> payment-service) with its retries, timeouts and
 * fallbacks. A fault of the simulator's metric-visible kinds (`error-burst`, `latency-spike`, `cpu-spike`, with
 * the simulator's own effect sizes) hits one callee after the split; the incident is opened on `frontend`.
 * Per service and minute: `requests` (Poisson), `latency.p99` (from the propagated median, noisier with less
 * traffic), `availability` (binomial errors) and `cpu` (utilisation from load).
 */
import { Rng } from '../../functions/core/anomaly/random.ts';
import type { Change, Edge, EdgeSample, Sample } from '../../functions/core/rca/rank.ts';
import { LATENCY_SIGMA, propagate, SHOP_CALL_GRAPH } from '../../sim/mesh.ts';
import type { OwnService } from '../../sim/mesh.ts';

export type SimFault = 'error-burst' | 'latency-spike' | 'cpu-spike' | 'none';
export const SIM_FAULTS: SimFault[] = ['error-burst', 'latency-spike', 'cpu-spike'];
export const SIM_CALLEES = ['user-service', 'order-service', 'payment-service'];

const NOMINAL: Record<string, { rps: number; latency: number }> = {
  frontend: { rps: 20, latency: 0.02 },
  'user-service': { rps: 11, latency: 0.025 },
  'order-service': { rps: 7.5, latency: 0.03 },
  'payment-service': { rps: 4.5, latency: 0.09 },
};

export interface SimCase {
  edges: Edge[];
  samples: Sample[];
  split: number;
  target: string;
  root: string;
  fault: SimFault;
  /** With `edgeMetrics`: the simulator's Istio per-edge view (requests, errors incl. timeouts, latency.p99) per minute. */
  edgeSamples?: EdgeSample[];
  /** With `changes`: the root rolled out 0–3 minutes before the onset, plus 1–2 unrelated rollouts (some at the same time). */
  changes?: Change[];
}

function gauss(rng: Rng): number {
  const u = Math.max(rng.nextFloat(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}
const poisson = (rng: Rng, l: number): number => Math.max(0, Math.round(l + Math.sqrt(l) * gauss(rng)));

export interface SimCaseOptions {
  fault?: SimFault;
  root?: string;
  normalMinutes?: number;
  incidentMinutes?: number;
  /** Emit per-edge metrics (separate random stream: the node series stay the same). */
  edgeMetrics?: boolean;
  /** The root's failures are counted only at its callers (its own availability stays flat). */
  silent?: boolean;
  changes?: boolean;
}

export function makeSimCase(seed: number, options: SimCaseOptions = {}): SimCase {
  const rng = new Rng(seed);
  const fault = options.fault ?? SIM_FAULTS[rng.nextInt(SIM_FAULTS.length)];
  const root = fault === 'none' ? '' : (options.root ?? SIM_CALLEES[rng.nextInt(SIM_CALLEES.length)]);
  const normalMinutes = options.normalMinutes ?? 30;
  const incidentMinutes = options.incidentMinutes ?? 8;
  const t0 = 1_767_225_600;
  const split = t0 + normalMinutes * 60;
  const onset = split + 60 * rng.nextInt(2);
  const factor = 3 + 17 * rng.nextFloat();
  const ratio = 0.2 + 0.4 * rng.nextFloat();
  const samples: Sample[] = [];
  const extra = new Rng(seed * 7919 + 29);
  const edgeSamples: EdgeSample[] = [];
  for (let m = 0; m < normalMinutes + incidentMinutes; m++) {
    const ts = t0 + m * 60;
    const wave = 1 + 0.15 * Math.sin(m / 20) + 0.05 * gauss(rng);
    const own: OwnService[] = Object.entries(NOMINAL).map(([name, n]) => {
      const on = name === root && ts >= onset;
      let errorRatio = Math.max(0, 0.003 + 0.002 * gauss(rng));
      let medianLatency = n.latency * (1 + 0.1 * gauss(rng));
      if (on && fault === 'error-burst') errorRatio = Math.min(0.95, Math.max(0.05, ratio + 0.05 * gauss(rng)));
      if (on && fault === 'cpu-spike') {
        errorRatio += 0.01;
        medianLatency *= 2.5;
      }
      if (on && fault === 'latency-spike') medianLatency *= factor;
      return { name, rps: n.rps * wave, errorRatio, medianLatency, unavailable: false };
    });
    const mesh = propagate(own);
    for (const s of mesh.services) {
      const requests = poisson(rng, s.rps * 60);
      samples.push({ ts, node: s.name, metric: 'requests', value: requests });
      const cpu = ((0.01 + 0.0022 * s.rps) / 0.5) * (s.name === root && ts >= onset && fault === 'cpu-spike' ? 3.5 : 1) * (1 + 0.05 * gauss(rng));
      samples.push({ ts, node: s.name, metric: 'cpu', value: cpu });
      if (requests === 0) continue;
      const p99 = s.medianLatency * Math.exp(2.3263 * LATENCY_SIGMA) * Math.exp((0.5 * gauss(rng)) / Math.sqrt(Math.min(requests, 400)));
      samples.push({ ts, node: s.name, metric: 'latency.p99', value: p99 });
      const silentShare = options.silent && s.name === root && ts >= onset && fault === 'error-burst' ? ratio : 0;
      const errors = Math.min(requests, poisson(rng, requests * Math.max(0, s.errorRatio - silentShare)));
      samples.push({ ts, node: s.name, metric: 'availability', value: 1 - errors / requests });
    }
    if (options.edgeMetrics) {
      for (const e of mesh.edges) {
        const calls = poisson(extra, e.rps * 60);
        edgeSamples.push({ ts, from: e.from, to: e.to, metric: 'requests', value: calls });
        if (calls === 0) continue;
        const failed = Math.min(calls, poisson(extra, calls * Math.min(1, e.errorRatio + e.timeoutRatio)));
        edgeSamples.push({ ts, from: e.from, to: e.to, metric: 'errors', value: failed / calls });
        const p99 =
          Math.min(e.timeoutSeconds, e.medianLatency * Math.exp(2.3263 * LATENCY_SIGMA)) * Math.exp((0.5 * gauss(extra)) / Math.sqrt(Math.min(calls, 400)));
        edgeSamples.push({ ts, from: e.from, to: e.to, metric: 'latency.p99', value: p99 });
      }
    }
  }
  let changes: Change[] | undefined;
  if (options.changes) {
    const rootAt = onset - 60 * extra.nextInt(4);
    changes = root ? [{ node: root, at: rootAt, kind: 'rollout', detail: 'image tag changed' }] : [];
    const names = Object.keys(NOMINAL);
    for (let i = 1 + extra.nextInt(2); i > 0; i--)
      changes.push({
        node: names[extra.nextInt(names.length)],
        at: extra.nextFloat() < 0.5 ? rootAt : split - 60 * extra.nextInt(60),
        kind: 'rollout',
        detail: 'image tag changed',
      });
  }
  return {
    edges: SHOP_CALL_GRAPH.map((e) => ({ from: e.from, to: e.to })),
    samples,
    split,
    target: 'frontend',
    root,
    fault,
    ...(options.edgeMetrics ? { edgeSamples } : {}),
    ...(changes ? { changes } : {}),
  };
}
