/**
 * A small dense autoencoder over the five golden signals (default 5 → 8 → 3 → 8 → 5, tanh hidden
 * layers, linear bottleneck and output) on standard-scaled features. Trained with Adam on recent
 * normal rows; a row's reconstruction error (mean squared error in scaled units) is an anomaly
 * signal independent of the isolation forest, calibrated to [0, 1] by the training errors'
 * quantiles (see calibration.ts).
 *
 * Deterministic for a given seed: weights start from a seeded Glorot-uniform draw, batches come
 * from a seeded shuffle, and the CPU backend computes in a fixed order. Every tensor is created in
 * tf.tidy or disposed explicitly; a scorer holds only its weight tensors until `dispose()`.
 * The artefact is plain JSON (weights as nested arrays), versioned, with its training window.
 */
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '../errors.ts';
import { Rng } from '../anomaly/random.ts';
import { ensureCpuBackend } from './backend.ts';
import { errorQuantiles, errorToScore01 } from './calibration.ts';
import type { ErrorQuantiles } from './calibration.ts';

export const GOLDEN_SIGNAL_FEATURES = ['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'] as const;
export const AUTOENCODER_ARTEFACT_VERSION = 1;

export type Activation = 'tanh' | 'relu' | 'linear';

export interface DenseLayerSpec {
  units: number;
  activation: Activation;
}

export interface AutoencoderArtefact {
  kind: 'fleetops.autoencoder';
  version: 1;
  features: string[];
  topology: { inputDim: number; layers: DenseLayerSpec[] };
  /** Per dense layer: kernel [in][out] and bias [out]. */
  weights: { kernel: number[][]; bias: number[] }[];
  scaler: { mean: number[]; std: number[] };
  trainingWindow: { from?: string; to?: string; rows: number };
  training: { epochs: number; batchSize: number; learningRate: number; seed: number; finalLoss: number; stoppedEarly: boolean };
  /** Reconstruction-error quantiles on the training rows. */
  errorQuantiles: ErrorQuantiles;
}

export interface TrainAutoencoderOptions {
  /** Column names (default: the five golden signals). */
  features?: readonly string[];
  /** Encoder layer sizes; the decoder mirrors them. Default [8, 3]. */
  encoderUnits?: readonly number[];
  /** Upper bound on epochs. Default 60. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Stop when an epoch improves the loss by less than this fraction for `patience` epochs. */
  tolerance?: number;
  patience?: number;
  /** Wall-clock budget for the epochs loop, ms. Default 4000. */
  maxTrainingMs?: number;
  /** Recorded in the artefact (ISO-8601). */
  trainingWindow?: { from?: string; to?: string };
}

export interface AutoencoderScorer {
  readonly artefact: AutoencoderArtefact;
  /** Reconstruction error per row (mean squared error of the scaled features). */
  reconstructionErrors(rows: readonly (readonly number[])[]): number[];
  /** Calibrated anomaly score per row in [0, 1] (higher = more unusual). */
  score(rows: readonly (readonly number[])[]): number[];
  /** Frees the weight tensors. */
  dispose(): void;
}

export const AUTOENCODER_DEFAULTS = {
  encoderUnits: [8, 3],
  epochs: 60,
  // per step the CPU backend costs ~3 ms whatever the batch (op overhead, Adam's per-variable ops):
  // big batches keep 2k rows × 60 epochs near 2 s
  batchSize: 256,
  learningRate: 0.02,
  seed: 42,
  tolerance: 1e-3,
  patience: 5,
  maxTrainingMs: 4000,
  minRows: 16,
} as const;

function checkRows(rows: readonly (readonly number[])[], dim: number, what: string): void {
  if (!Array.isArray(rows)) throw new ValidationError(`${what} must be an array of rows`);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== dim) throw new ValidationError(`${what}[${i}] must have ${dim} numbers`);
    for (const v of r) if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${what}[${i}] has a non-finite value`);
  });
}

function fitScaler(rows: readonly (readonly number[])[], dim: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(dim).fill(0);
  const m2 = new Array<number>(dim).fill(0);
  rows.forEach((r, n) => {
    for (let j = 0; j < dim; j++) {
      const d = r[j] - mean[j];
      mean[j] += d / (n + 1);
      m2[j] += d * (r[j] - mean[j]);
    }
  });
  const std = m2.map((s, j) => {
    const sd = Math.sqrt(s / rows.length);
    return sd > 1e-12 * Math.max(1, Math.abs(mean[j])) ? sd : 1;
  });
  return { mean, std };
}

function scaled(rows: readonly (readonly number[])[], scaler: { mean: number[]; std: number[] }): Float32Array {
  const dim = scaler.mean.length;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    for (let j = 0; j < dim; j++) out[i * dim + j] = (r[j] - scaler.mean[j]) / scaler.std[j];
  });
  return out;
}

function layerSpecs(inputDim: number, encoder: readonly number[]): DenseLayerSpec[] {
  const sizes = [...encoder, ...encoder.slice(0, -1).reverse(), inputDim];
  const bottleneck = encoder.length - 1;
  return sizes.map((units, i) => ({ units, activation: i === bottleneck || i === sizes.length - 1 ? 'linear' : 'tanh' }));
}

function glorotUniform(rng: Rng, fanIn: number, fanOut: number): number[][] {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => (2 * rng.nextFloat() - 1) * limit));
}

interface DenseVars {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  activation: Activation;
}

function forward(x: tf.Tensor2D, layers: readonly DenseVars[]): tf.Tensor2D {
  let h = x;
  for (const l of layers) {
    const z = tf.add(tf.matMul(h, l.kernel), l.bias) as tf.Tensor2D;
    h = l.activation === 'tanh' ? tf.tanh(z) : l.activation === 'relu' ? tf.relu(z) : z;
  }
  return h;
}

/** Per-row mean squared reconstruction error, computed and released inside one tidy. */
function rowErrors(x: Float32Array, n: number, dim: number, layers: readonly DenseVars[]): Float32Array {
  if (n === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const input = tf.tensor2d(x, [n, dim]);
    return tf.mean(tf.squaredDifference(forward(input, layers), input), 1).dataSync() as Float32Array;
  });
}

/** Trains on rows of normal operation; resolves to a plain-JSON artefact. */
export async function trainAutoencoder(rows: readonly (readonly number[])[], options: TrainAutoencoderOptions = {}): Promise<AutoencoderArtefact> {
  const o = { ...AUTOENCODER_DEFAULTS, ...options };
  const features = [...(options.features ?? GOLDEN_SIGNAL_FEATURES)];
  const dim = features.length;
  checkRows(rows, dim, 'rows');
  if (rows.length < o.minRows)
    throw new ValidationError(`autoencoder training needs at least ${o.minRows} rows, got ${rows.length}`, undefined, 'INSUFFICIENT_DATA');
  if (o.encoderUnits.length === 0 || o.encoderUnits.some((u) => !Number.isInteger(u) || u < 1))
    throw new ValidationError('encoderUnits must be positive integers');
  await ensureCpuBackend();

  const n = rows.length;
  const scaler = fitScaler(rows, dim);
  const x = scaled(rows, scaler);
  const specs = layerSpecs(dim, o.encoderUnits);
  const rng = new Rng(o.seed);
  let fanIn = dim;
  const vars = specs.map((s) => {
    const init = glorotUniform(rng, fanIn, s.units);
    // tidy: the initial-value tensors go, the variables (never tracked by tidy) stay
    const v = tf.tidy(() => ({
      kernel: tf.variable(tf.tensor2d(init)) as tf.Variable<tf.Rank.R2>,
      bias: tf.variable(tf.zeros([s.units])) as tf.Variable<tf.Rank.R1>,
      activation: s.activation,
    }));
    fanIn = s.units;
    return v;
  });
  const varList = vars.flatMap((v) => [v.kernel, v.bias]);
  const optimizer = tf.train.adam(o.learningRate);
  const batchSize = Math.min(o.batchSize, n);
  const order = Array.from({ length: n }, (_, i) => i);
  const batch = new Float32Array(batchSize * dim);
  const started = performance.now();
  let epochs = 0;
  let best = Infinity;
  let stale = 0;
  let finalLoss = Number.NaN;
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      for (let startRow = 0; startRow < n; startRow += batchSize) {
        const size = Math.min(batchSize, n - startRow);
        for (let b = 0; b < size; b++) batch.set(x.subarray(order[startRow + b] * dim, (order[startRow + b] + 1) * dim), b * dim);
        const xb = tf.tensor2d(batch.subarray(0, size * dim), [size, dim]);
        const cost = optimizer.minimize(() => tf.losses.meanSquaredError(xb, forward(xb, vars)) as tf.Scalar, true, varList);
        lossSum += (cost as tf.Scalar).dataSync()[0] * size;
        cost?.dispose();
        xb.dispose();
      }
      epochs = epoch + 1;
      finalLoss = lossSum / n;
      if (finalLoss < best * (1 - o.tolerance)) {
        best = finalLoss;
        stale = 0;
      } else if (++stale >= o.patience) {
        stoppedEarly = true;
        break;
      }
      if (performance.now() - started > o.maxTrainingMs) {
        stoppedEarly = true;
        break;
      }
    }
    const errors = rowErrors(x, n, dim, vars);
    const weights = vars.map((v) => ({ kernel: v.kernel.arraySync() as number[][], bias: v.bias.arraySync() as number[] }));
    return {
      kind: 'fleetops.autoencoder',
      version: AUTOENCODER_ARTEFACT_VERSION,
      features,
      topology: { inputDim: dim, layers: specs },
      weights,
      scaler,
      trainingWindow: { ...options.trainingWindow, rows: n },
      training: { epochs, batchSize, learningRate: o.learningRate, seed: o.seed, finalLoss, stoppedEarly },
      errorQuantiles: errorQuantiles(errors),
    };
  } finally {
    optimizer.dispose();
    for (const v of varList) v.dispose();
  }
}

function checkArtefact(a: AutoencoderArtefact): void {
  if (!a || a.kind !== 'fleetops.autoencoder') throw new ValidationError('not a fleetops autoencoder artefact');
  if (a.version !== AUTOENCODER_ARTEFACT_VERSION) throw new ValidationError(`unsupported autoencoder artefact version ${a.version}`);
  const { inputDim, layers } = a.topology;
  if (a.weights.length !== layers.length || a.scaler.mean.length !== inputDim || a.scaler.std.length !== inputDim) {
    throw new ValidationError('corrupt autoencoder artefact: topology, weights and scaler disagree');
  }
  let fanIn = inputDim;
  layers.forEach((l, i) => {
    const w = a.weights[i];
    if (w.kernel.length !== fanIn || w.kernel.some((r) => r.length !== l.units) || w.bias.length !== l.units) {
      throw new ValidationError(`corrupt autoencoder artefact: layer ${i} weights do not match ${fanIn}→${l.units}`);
    }
    fanIn = l.units;
  });
  if (fanIn !== inputDim) throw new ValidationError('corrupt autoencoder artefact: output size differs from input size');
}

/** Rebuilds a scorer from an artefact (e.g. after JSON.parse). */
export async function loadAutoencoder(artefact: AutoencoderArtefact): Promise<AutoencoderScorer> {
  checkArtefact(artefact);
  await ensureCpuBackend();
  const dim = artefact.topology.inputDim;
  const layers: DenseVars[] = artefact.topology.layers.map((l, i) => ({
    kernel: tf.tensor2d(artefact.weights[i].kernel),
    bias: tf.tensor1d(artefact.weights[i].bias),
    activation: l.activation,
  }));
  let disposed = false;
  const errors = (rows: readonly (readonly number[])[]): number[] => {
    if (disposed) throw new Error('autoencoder scorer was disposed');
    checkRows(rows, dim, 'rows');
    return Array.from(rowErrors(scaled(rows, artefact.scaler), rows.length, dim, layers));
  };
  return {
    artefact,
    reconstructionErrors: errors,
    score: (rows) => errors(rows).map((e) => errorToScore01(e, artefact.errorQuantiles)),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const l of layers) {
        l.kernel.dispose();
        l.bias.dispose();
      }
    },
  };
}
