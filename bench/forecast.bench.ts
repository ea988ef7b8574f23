/**
 * Forecast and autoencoder benchmarks (one JSON object per line):
 * - Holt-Winters fit + predict on 14 days of 5-minute data with a 24 h horizon (median of runs),
 *   plus the holdout MAPE and 95 % interval coverage on the following day;
 * - autoencoder training time on 2 000 golden-signal rows;
 * - autoencoder scoring throughput (rows/s) and tensor count before/after.
 * Run: node bench/forecast.bench.ts (or npm run bench -- forecast).
 */
import * as tf from '@tensorflow/tfjs';
import { forecast } from '../functions/core/forecast/forecast.ts';
import { loadAutoencoder, trainAutoencoder } from '../functions/core/neural/autoencoder.ts';
import { seasonalSeries } from '../test/unit/forecast/synthetic.ts';
import { anomalousRows, auc, normalRows } from '../test/unit/neural/synthetic.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const r2 = (v: number): number => Math.round(v * 100) / 100;

// --- forecast ---
const STEP = 300_000;
const all = seasonalSeries({ days: 15, stepMs: STEP, base: 50, trendPerDay: 1, dailyAmplitude: 20, weekendDrop: 10, noise: 2 });
const history = all.slice(0, 14 * 288);
const holdout = all.slice(14 * 288);
const times: number[] = [];
let result = forecast(history, { horizonHours: 24 }); // warm-up
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  result = forecast(history, { horizonHours: 24 });
  times.push(performance.now() - t0);
}
let ape = 0;
let covered = 0;
holdout.forEach((p, i) => {
  const f = result.predictions[i];
  ape += Math.abs(f.yhat - p.value) / Math.abs(p.value);
  if (p.value >= f.yhat_lower && p.value <= f.yhat_upper) covered++;
});
console.log(
  JSON.stringify({
    bench: 'forecast.holt-winters',
    points: history.length,
    stepMs: STEP,
    horizonSteps: result.predictions.length,
    method: result.model.method,
    evaluations: result.model.evaluations,
    fitPredictMsMedian: r2(median(times)),
    fitPredictMsMax: r2(Math.max(...times)),
    holdoutMapePct: r2((100 * ape) / holdout.length),
    coverage95: r2(covered / holdout.length),
  }),
);

// --- autoencoder training ---
const train = normalRows(2000, 1);
const t0 = performance.now();
const artefact = await trainAutoencoder(train);
const trainMs = performance.now() - t0;
const scorer = await loadAutoencoder(artefact);
const aucValue = auc(scorer.score(anomalousRows(500, 5)), scorer.score(normalRows(500, 77)));
console.log(
  JSON.stringify({
    bench: 'autoencoder.train',
    rows: train.length,
    epochs: artefact.training.epochs,
    stoppedEarly: artefact.training.stoppedEarly,
    finalLoss: Number(artefact.training.finalLoss.toPrecision(4)),
    trainMs: r2(trainMs),
    auc: Number(aucValue.toFixed(4)),
    artefactBytes: JSON.stringify(artefact).length,
  }),
);

// --- autoencoder scoring ---
const batch = normalRows(10_000, 9);
scorer.score(batch.slice(0, 100));
const tensorsBefore = tf.memory().numTensors;
const rounds = 5;
const s0 = performance.now();
for (let i = 0; i < rounds; i++) scorer.score(batch);
const scoreMs = performance.now() - s0;
const single = normalRows(1, 3);
const s1 = performance.now();
for (let i = 0; i < 1000; i++) scorer.score(single);
const singleMs = performance.now() - s1;
console.log(
  JSON.stringify({
    bench: 'autoencoder.score',
    batchRows: batch.length,
    rowsPerSecond: Math.round((rounds * batch.length) / (scoreMs / 1000)),
    singleRowCallsPerSecond: Math.round(1000 / (singleMs / 1000)),
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
  }),
);
scorer.dispose();
