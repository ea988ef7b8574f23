/**
 * A sequence forecaster in the seed's shape: two stacked LSTM layers (hidden 64) over a lookback of
 * 24 points, a dense head predicting the next point; the next hour is forecast recursively. It learns
 * first differences of the standard-scaled series (a trend such as a memory leak stays a constant input
 * instead of walking out of the range it was trained on), and the forecast integrates them back.
 *
 * Deterministic for a seed on the CPU backend (seeded Glorot initialisers, no shuffling across runs).
 * The artefact is plain JSON (weights as nested arrays), versioned, with its training window and loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '../errors.ts';
import { ensureCpuBackend } from './backend.ts';

export const LSTM_ARTEFACT_VERSION = 1;

export interface LstmOptions {
  lookback: number;
  layers: number;
  hidden: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Wall-clock budget of the epochs loop, ms (training stops after the epoch that passes it). */
  maxTrainingMs: number;
  /** At most this many (most recent) training windows. */
  maxWindows: number;
}

export const LSTM_DEFAULTS: LstmOptions = {
  lookback: 24,
  layers: 2,
  hidden: 64,
  epochs: 30,
  batchSize: 64,
  learningRate: 0.005,
  seed: 7,
  maxTrainingMs: 20_000,
  maxWindows: 1_000,
};

export interface LstmArtefact {
  kind: 'fleetops.lstm';
  version: 1;
  signal: string;
  lookback: number;
  layers: number;
  hidden: number;
  /** Flattened per-variable weights in model.getWeights() order. */
  weights: { shape: number[]; values: number[] }[];
  /** Scaling of the first differences. */
  scaler: { mean: number; std: number };
  trainingWindow: { from?: string; to?: string; points: number };
  training: { epochs: number; finalLoss: number; ms: number };
}

function build(o: Pick<LstmOptions, 'lookback' | 'layers' | 'hidden' | 'seed' | 'learningRate'>): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < o.layers; i++) {
    model.add(
      tf.layers.lstm({
        units: o.hidden,
        returnSequences: i < o.layers - 1,
        ...(i === 0 ? { inputShape: [o.lookback, 1] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + i }),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: o.seed + 100 + i }),
      }),
    );
  }
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 1000 }) }));
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return model;
}

const diffs = (xs: readonly number[]) => xs.slice(1).map((v, i) => v - xs[i]!);

/** Trains on one signal's history (regular steps, oldest first). */
export async function trainLstm(
  series: readonly number[],
  options: Partial<LstmOptions> & { signal?: string; trainingWindow?: { from?: string; to?: string } } = {},
): Promise<LstmArtefact> {
  const o = { ...LSTM_DEFAULTS, ...options };
  if (series.length < o.lookback + 8) throw new ValidationError(`LSTM needs at least ${o.lookback + 8} points, got ${series.length}`);
  if (series.some((v) => !Number.isFinite(v))) throw new ValidationError('LSTM training series has non-finite values');
  await ensureCpuBackend();
  const d = diffs(series);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length) || 1;
  const z = d.map((v) => (v - mean) / std);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = Math.max(0, z.length - o.lookback - o.maxWindows); i + o.lookback < z.length; i++) {
    xs.push(z.slice(i, i + o.lookback));
    ys.push(z[i + o.lookback]!);
  }
  const model = build(o);
  const started = Date.now();
  let epochs = 0;
  let finalLoss = NaN;
  const x = tf.tensor3d(xs.map((w) => w.map((v) => [v])));
  const y = tf.tensor2d(ys.map((v) => [v]));
  try {
    for (; epochs < o.epochs;) {
      const h = await model.fit(x, y, { epochs: 1, batchSize: o.batchSize, shuffle: false, verbose: 0 });
      epochs++;
      finalLoss = Number(h.history.loss?.[0]);
      if (Date.now() - started > o.maxTrainingMs) break;
    }
    const weights = model.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) }));
    return {
      kind: 'fleetops.lstm',
      version: LSTM_ARTEFACT_VERSION,
      signal: options.signal ?? 'value',
      lookback: o.lookback,
      layers: o.layers,
      hidden: o.hidden,
      weights,
      scaler: { mean, std },
      trainingWindow: { ...options.trainingWindow, points: series.length },
      training: { epochs, finalLoss, ms: Date.now() - started },
    };
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

export interface LstmForecaster {
  readonly artefact: LstmArtefact;
  /** The next `steps` values after `recent` (at least lookback + 1 points, oldest first). */
  forecast(recent: readonly number[], steps: number): number[];
  dispose(): void;
}

/** tfjs' LSTM defaults: gates i, f, c, o in that order; tanh; recurrent activation hard sigmoid. */
const hardSigmoid = (x: number) => (x <= -2.5 ? 0 : x >= 2.5 ? 1 : 0.2 * x + 0.5);

/**
 * The trained network's forward pass in plain typed-array arithmetic: the same numbers as
 * model.predict (checked by a unit test), ~10× faster for one window than tfjs' per-op overhead,
 * and no tensors to dispose. Used for forecasting; tfjs only trains.
 */
export function forwardLstm(artefact: LstmArtefact): (window: readonly number[]) => number {
  const H = artefact.hidden;
  const layers: { kernel: Float64Array; recurrent: Float64Array; bias: Float64Array; inDim: number }[] = [];
  let w = 0;
  for (let l = 0; l < artefact.layers; l++) {
    const inDim = l === 0 ? 1 : H;
    layers.push({
      kernel: Float64Array.from(artefact.weights[w]!.values),
      recurrent: Float64Array.from(artefact.weights[w + 1]!.values),
      bias: Float64Array.from(artefact.weights[w + 2]!.values),
      inDim,
    });
    w += 3;
  }
  const dense = { kernel: Float64Array.from(artefact.weights[w]!.values), bias: artefact.weights[w + 1]!.values[0]! };
  const G = 4 * H;
  const z = new Float64Array(G);
  return (window) => {
    let inputs: Float64Array[] = window.map((v) => Float64Array.of(v));
    let hOut = new Float64Array(H);
    for (const layer of layers) {
      const h = new Float64Array(H);
      const c = new Float64Array(H);
      const outs: Float64Array[] = [];
      for (const x of inputs) {
        z.set(layer.bias);
        for (let i = 0; i < layer.inDim; i++) {
          const xi = x[i]!;
          if (xi === 0) continue;
          const row = i * G;
          for (let g = 0; g < G; g++) z[g]! += xi * layer.kernel[row + g]!;
        }
        for (let i = 0; i < H; i++) {
          const hi = h[i]!;
          if (hi === 0) continue;
          const row = i * G;
          for (let g = 0; g < G; g++) z[g]! += hi * layer.recurrent[row + g]!;
        }
        for (let u = 0; u < H; u++) {
          const ig = hardSigmoid(z[u]!);
          const fg = hardSigmoid(z[H + u]!);
          const cand = Math.tanh(z[2 * H + u]!);
          const og = hardSigmoid(z[3 * H + u]!);
          c[u] = fg * c[u]! + ig * cand;
          h[u] = og * Math.tanh(c[u]!);
        }
        outs.push(Float64Array.from(h));
      }
      inputs = outs;
      hOut = h;
    }
    let y = dense.bias;
    for (let u = 0; u < H; u++) y += hOut[u]! * dense.kernel[u]!;
    return y;
  };
}

export async function loadLstm(artefact: LstmArtefact): Promise<LstmForecaster> {
  if (artefact.kind !== 'fleetops.lstm' || artefact.version !== LSTM_ARTEFACT_VERSION) throw new ValidationError('not a fleetops LSTM artefact (v1)');
  const step = forwardLstm(artefact);
  const { mean, std } = artefact.scaler;
  return {
    artefact,
    forecast(recent, steps) {
      if (recent.length < artefact.lookback + 1) throw new ValidationError(`LSTM forecast needs ${artefact.lookback + 1} recent points`);
      const window = diffs(recent.slice(-(artefact.lookback + 1))).map((v) => (v - mean) / std);
      let last = recent[recent.length - 1]!;
      const out: number[] = [];
      for (let s = 0; s < steps; s++) {
        const next = step(window);
        window.shift();
        window.push(next);
        last += next * std + mean;
        out.push(last);
      }
      return out;
    },
    dispose() {},
  };
}

/** model.predict on one window (for checking the plain forward pass against tfjs). */
export async function predictWithTfjs(artefact: LstmArtefact, window: readonly number[]): Promise<number> {
  await ensureCpuBackend();
  const model = build({ lookback: artefact.lookback, layers: artefact.layers, hidden: artefact.hidden, seed: 0, learningRate: 0.001 });
  try {
    model.setWeights(artefact.weights.map((w) => tf.tensor(w.values, w.shape)));
    return tf.tidy(() => (model.predict(tf.tensor3d([window.map((v) => [v])])) as tf.Tensor).dataSync()[0]!);
  } finally {
    model.dispose();
  }
}
