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
import type { Edge, Sample } from '../../functions/core/rca/rank.ts';
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
}

function gauss(rng: Rng): number {
  const u = Math.max(rng.nextFloat(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}
const poisson = (rng: Rng, l: number): number => Math.max(0, Math.round(l + Math.sqrt(l) * gauss(rng)));

export function makeSimCase(seed: number, options: { fault?: SimFault; root?: string; normalMinutes?: number; incidentMinutes?: number } = {}): SimCase {
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
      const errors = Math.min(requests, poisson(rng, requests * s.errorRatio));
      samples.push({ ts, node: s.name, metric: 'availability', value: 1 - errors / requests });
    }
  }
  return { edges: SHOP_CALL_GRAPH.map((e) => ({ from: e.from, to: e.to })), samples, split, target: 'frontend', root, fault };
}
