/**
 * Model training at fleet scale (issue: train-models stopped at ~200 series). Measures what one series costs to
 * train here (Isolation Forest + tfjs autoencoder on 3 days of 5-minute samples, exactly as ModelTrainer does,
 * storage excluded), then runs the real run/cursor logic (core/pull/training-run.ts) on a simulated clock at that
 * cost for 200, 500 and 1000 series with Lambda's 900 s budget: how many invocations a run takes and how many
 * series the old single-invocation loop would have left untrained.
 * One JSON line per size, plus one for the measurement.
 */
import { SIGNAL_NAMES } from '../functions/core/metrics/types.ts';
import { trainAutoencoder } from '../functions/core/neural/autoencoder.ts';
import { trainForest } from '../functions/core/pull/score.ts';
import { runTrainingBatch, type TrainingCursor, type TrainingCursorStore } from '../functions/core/pull/training-run.ts';
import type { SeriesRef } from '../functions/core/pull/records.ts';

const ROWS = 3 * 24 * 12; // 3 days at a 5-minute pull
const SAMPLED = Number(process.env.BENCH_TRAIN_SAMPLES ?? 4);
const LAMBDA_TIMEOUT_MS = 900_000;
const MARGIN_MS = 60_000;

function rows(seed: number): number[][] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: ROWS }, (_, i) => {
    const day = Math.sin((i / 288) * 2 * Math.PI);
    return [0.2 + 0.1 * day + 0.02 * rnd(), 2e8 + 1e7 * rnd(), 0.01 * rnd(), 0.05 + 0.01 * day + 0.005 * rnd(), 50 + 20 * day + 5 * rnd()];
  });
}

// 1. Measure: the per-series training work of ModelTrainer.trainSeries.
const window = { from: '2026-12-01T00:00:00Z', to: '2026-12-04T00:00:00Z' };
const times: number[] = [];
for (let i = 0; i < SAMPLED; i++) {
  const r = rows(i + 1);
  const started = performance.now();
  const forest = trainForest(r, window);
  forest.scoreSamples(forest.scaler!.transform({ data: Float64Array.from(r.flat()), rows: r.length, cols: SIGNAL_NAMES.length }));
  await trainAutoencoder(r, { trainingWindow: window, maxTrainingMs: 4000 });
  times.push(performance.now() - started);
}
const perSeriesMs = times.reduce((a, b) => a + b, 0) / times.length;
console.log(
  JSON.stringify({
    bench: 'training-scale',
    measured: 'per-series training',
    rows: ROWS,
    samples: SAMPLED,
    perSeriesMs: Math.round(perSeriesMs),
    minMs: Math.round(Math.min(...times)),
    maxMs: Math.round(Math.max(...times)),
  }),
);

// 2. Simulate runs at that cost: the real batching/cursor code, an in-memory cursor, a simulated clock.
class MemoryCursor implements TrainingCursorStore {
  cursor: TrainingCursor | undefined;
  async get() {
    return this.cursor && { ...this.cursor };
  }
  async put(next: TrainingCursor, expected: number | undefined) {
    if ((this.cursor?.version ?? undefined) !== expected) return false;
    this.cursor = { ...next };
    return true;
  }
}

for (const n of [200, 500, 1000]) {
  const series: SeriesRef[] = Array.from({ length: n }, (_, i) => ({ clusterId: `c${i % 4}`, namespace: 'shop', service: `svc-${i}` }));
  const store = new MemoryCursor();
  const clock = { t: 0 };
  const trained = new Set<string>();
  let invocations = 0;
  for (;;) {
    invocations++;
    const start = clock.t;
    const r = await runTrainingBatch({
      store,
      listSeries: async () => series,
      train: async (s) => {
        clock.t += perSeriesMs;
        trained.add(`${s.clusterId}/${s.service}`);
        return true;
      },
      now: () => clock.t,
      deadline: start + LAMBDA_TIMEOUT_MS - MARGIN_MS,
      concurrency: 1, // tfjs on the CPU backend: one series at a time per vCPU (2048 MB ≈ 1.2 vCPU)
      batchSize: 8,
      perSeriesEstimateMs: 5000,
    });
    clock.t = start + LAMBDA_TIMEOUT_MS; // the continuation starts after this invocation ends (worst case)
    if (r.status === 'done' || invocations > 100) break;
  }
  const oldTrained = Math.min(n, Math.floor(LAMBDA_TIMEOUT_MS / perSeriesMs));
  console.log(
    JSON.stringify({
      bench: 'training-scale',
      series: n,
      perSeriesMs: Math.round(perSeriesMs),
      invocations,
      trained: trained.size,
      runMinutesUpperBound: Math.round((invocations * LAMBDA_TIMEOUT_MS) / 60_000),
      oldSingleInvocationTrained: oldTrained,
      oldUntrained: n - oldTrained,
    }),
  );
}
