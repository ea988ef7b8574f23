/**
 * Deterministic labelled synthetic data for the Isolation Forest benchmark and tests:
 * inliers from a correlated 5-D Gaussian mixture (two clusters), anomalies (label 1) drawn uniformly from a
 * wide box or from a shifted, inflated Gaussian.
 */
import { Rng } from '../../functions/core/anomaly/random.ts';
import { CsvWriter } from '../../cli/csv.ts';

export interface LabelledData {
  data: Float64Array;
  rows: number;
  cols: number;
  labels: Uint8Array;
}

function gauss(rng: Rng): number {
  // Box-Muller (one value per call; simple and deterministic)
  let u = rng.nextFloat();
  if (u < 1e-300) u = 1e-300;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

export function makeLabelledData(rows: number, cols: number, anomalyRate: number, seed: number): LabelledData {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  const z = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (rng.nextFloat() < anomalyRate) {
      labels[r] = 1;
      if (rng.nextFloat() < 0.5) {
        for (let j = 0; j < cols; j++) data[base + j] = -8 + 16 * rng.nextFloat();
      } else {
        for (let j = 0; j < cols; j++) data[base + j] = 3 + 2.5 * gauss(rng);
      }
    } else {
      const cluster = rng.nextFloat() < 0.7 ? 0 : 1;
      for (let j = 0; j < cols; j++) z[j] = gauss(rng);
      for (let j = 0; j < cols; j++) {
        // mild correlation between neighbouring features
        const v = z[j] + 0.5 * z[(j + 1) % cols];
        data[base + j] = cluster === 0 ? v : 2.5 - 0.6 * v;
      }
    }
  }
  return { data, rows, cols, labels };
}

export function writeMatrixCsv(path: string, d: LabelledData, digits = 6): void {
  const w = new CsvWriter(path);
  w.write(Array.from({ length: d.cols }, (_, j) => `f${j}`).join(',') + '\n');
  for (let r = 0; r < d.rows; r++) {
    let line = '';
    for (let j = 0; j < d.cols; j++) line += (j ? ',' : '') + d.data[r * d.cols + j].toFixed(digits);
    w.write(line + '\n');
  }
  w.close();
}

/** ROC AUC of `scores` (higher = more positive) against 0/1 labels; ties count one half. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]]) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
