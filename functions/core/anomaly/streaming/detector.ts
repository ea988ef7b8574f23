/**
 * Univariate streaming anomaly detector (causal, online, O(maxLag) per point, score in [0, 1]).
 *
 * Ensemble of "surprise" signals, each calibrated against its own recent history:
 *  1. value novelty: distance from x_t to the nearest earlier value within `maxLag` points (KNN, L = 1);
 *  2. shape novelty: RMS distance from the last `shapeLength` values to the nearest earlier subsequence
 *     (KNN-CAD / matrix-profile style), catching changed patterns, flat-lines and level shifts;
 *  3. residual surprise: |x_t - EWMA| relative to the EW mean absolute deviation.
 * Each raw surprise r_t is turned into a "record ratio" q_t = r_t / max(r over the previous `history`
 * points): an anomaly is something more surprising than anything seen lately. This self-calibrates across
 * series (one global threshold works) and suppresses repeated alarms after an event (NAB counts only the
 * first detection in a window and charges every later one outside it). The output is the largest ratio,
 * squashed to [0, 1): score = q² / (1 + q²), 0 during the first `warmup` points.
 */
import { KnnNovelty } from './knn-novelty.ts';
import { SlidingMax } from './ring.ts';

export interface StreamingDetectorOptions {
  /** Points with score 0 while the detector learns. */
  warmup?: number;
  /** Longest look-back for nearest-neighbour search. */
  maxLag?: number;
  /** Subsequence lengths of the nearest-neighbour novelty components (1 = value novelty). */
  knnLengths?: readonly number[];
  /** Look-back of the record-ratio calibration. */
  history?: number;
  /** EWMA smoothing of the residual component; 0 disables it. */
  alpha?: number;
  /** 'record': ratio to the recent maximum; 'likelihood': Gaussian tail of log-surprise vs recent history. */
  calibration?: 'record' | 'likelihood';
  /** How the calibrated components combine. */
  combine?: 'max' | 'sum';
}

export const STREAMING_DEFAULTS: Required<StreamingDetectorOptions> = {
  warmup: 150,
  maxLag: 1000,
  knnLengths: [1, 24],
  history: 1500,
  alpha: 0.05,
  calibration: 'record',
  combine: 'max',
};

interface Calibrator {
  update(r: number, eps: number): number;
}

/** Numenta-style likelihood on log surprise: z of log(r) against the previous `history` values → ratio-like scale. */
class LogLikelihood implements Calibrator {
  private readonly buf: Float64Array;
  private head = 0;
  private size = 0;
  private sum = 0;
  private sumSq = 0;
  constructor(history: number) {
    this.buf = new Float64Array(history);
  }
  update(r: number, eps: number): number {
    if (!(r >= 0)) return 0;
    const y = Math.log(r + eps);
    let out = 0;
    if (this.size >= 10) {
      const mean = this.sum / this.size;
      const varc = Math.max(this.sumSq / this.size - mean * mean, 1e-6);
      const z = (y - mean) / Math.sqrt(varc);
      out = Math.max(0, z) / 3; // z = 3 → 1, comparable with the record ratio
    }
    if (this.size === this.buf.length) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.size++;
    this.buf[this.head] = y;
    this.head = (this.head + 1) % this.buf.length;
    this.sum += y;
    this.sumSq += y * y;
    return out;
  }
}

class RecordRatio implements Calibrator {
  private readonly max: SlidingMax;
  constructor(history: number) {
    this.max = new SlidingMax(history);
  }
  /** Ratio of r to the max of previous values (then r joins the history). */
  update(r: number, eps: number): number {
    if (!(r >= 0)) return 0;
    const m = this.max.max();
    this.max.push(r);
    if (m === -Infinity) return 0;
    return r / (m + eps);
  }
}

export class StreamingAnomalyDetector {
  readonly options: Required<StreamingDetectorOptions>;
  private readonly knn: KnnNovelty[];
  private readonly knnRatio: Calibrator[];
  private readonly residRatio: Calibrator;
  private n = 0;
  private mean = 0;
  private mad = 0;
  private absMean = 0;

  constructor(options: StreamingDetectorOptions = {}) {
    this.options = { ...STREAMING_DEFAULTS, ...options };
    const o = this.options;
    this.knn = o.knnLengths.map((l) => new KnnNovelty(l, o.maxLag));
    const make = (): Calibrator => (o.calibration === 'likelihood' ? new LogLikelihood(o.history) : new RecordRatio(o.history));
    this.knnRatio = o.knnLengths.map(make);
    this.residRatio = make();
  }

  /** Feeds the next value; returns its anomaly score in [0, 1]. Uses only values seen so far. */
  update(x: number): number {
    if (!Number.isFinite(x)) return 0;
    const o = this.options;
    const i = this.n++;
    this.absMean += (Math.abs(x) - this.absMean) / Math.min(i + 1, 1000);
    const eps = 1e-9 * (this.absMean + 1e-12) + 1e-12;
    let q = 0;
    for (let k = 0; k < this.knn.length; k++) {
      const r = this.knnRatio[k].update(this.knn[k].update(x), eps);
      if (o.combine === 'sum') q += r;
      else if (r > q) q = r;
    }
    if (o.alpha > 0) {
      let resid = 0;
      if (i === 0) this.mean = x;
      else {
        const dev = Math.abs(x - this.mean);
        resid = dev / (this.mad + eps);
        this.mad += o.alpha * (dev - this.mad);
        this.mean += o.alpha * (x - this.mean);
      }
      const r = this.residRatio.update(resid, 1e-9);
      if (o.combine === 'sum') q += r;
      else if (r > q) q = r;
    }
    if (i < o.warmup) return 0;
    const q2 = q * q;
    return q2 / (1 + q2);
  }
}

/** Scores a whole series causally (score[i] depends on values[0..i] only). */
export function scoreSeries(values: ArrayLike<number>, options: StreamingDetectorOptions = {}): Float64Array {
  const det = new StreamingAnomalyDetector(options);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = det.update(values[i]);
  return out;
}
