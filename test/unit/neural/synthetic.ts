/** Seeded golden-signal rows (cpu cores, memory bytes, error fraction, p95 seconds, req/s) for tests and the bench. */
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { gaussian } from '../forecast/synthetic.ts';

/** Normal operation: traffic drives CPU, memory and latency; errors stay near 0.2 %. */
export function normalRows(n: number, seed = 1): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const req = Math.max(1, 60 + 40 * Math.sin((2 * Math.PI * i) / 288) + 5 * gaussian(rng));
    const cpu = 0.05 + 0.008 * req + 0.02 * gaussian(rng);
    const mem = 200e6 + 1.5e6 * req + 10e6 * gaussian(rng);
    const err = Math.max(0, 0.002 + 0.0008 * gaussian(rng));
    const lat = 0.08 + 0.0015 * req + 0.01 * gaussian(rng);
    return [cpu, mem, err, lat, req];
  });
}

/** Faults: each breaks the usual relationships in one way. */
export function anomalousRows(n: number, seed = 2): number[][] {
  const rng = new Rng(seed);
  const base = normalRows(n, seed + 100);
  return base.map((r, i) => {
    const [cpu, mem, err, lat, req] = r;
    switch (i % 5) {
      case 0:
        return [cpu * 3 + 0.3, mem, err, lat, req]; // cpu-spike
      case 1:
        return [cpu, mem * 2.2, err, lat, req]; // memory-leak
      case 2:
        return [cpu, mem, 0.05 + 0.1 * rng.nextFloat(), lat, req]; // error-burst
      case 3:
        return [cpu, mem, err, lat * 4 + 0.3, req]; // latency-spike
      default:
        return [cpu * 0.3, mem, err + 0.01, lat * 2, req * 2.5]; // traffic surge starving pods
    }
  });
}

/** Area under the ROC curve: probability a positive scores above a negative (ties count half). */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  let wins = 0;
  for (const p of positives) for (const q of negatives) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}
