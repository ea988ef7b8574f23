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
  /** Subsequence length of the shape-novelty component. */
  shapeLength?: number;
  /** Look-back of the record-ratio calibration. */
  history?: number;
  /** EWMA smoothing of the residual component. */
  alpha?: number;
  /** Which components vote (default all): subset of 'value', 'shape', 'resid'. */
  components?: ReadonlyArray<'value' | 'shape' | 'resid'>;
}

export const STREAMING_DEFAULTS: Required<StreamingDetectorOptions> = {
  warmup: 150,
  maxLag: 1000,
  shapeLength: 12,
  history: 1500,
  alpha: 0.05,
  components: ['value', 'shape', 'resid'],
};

class RecordRatio {
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
  private readonly valueKnn: KnnNovelty;
  private readonly shapeKnn: KnnNovelty;
  private readonly rValue: RecordRatio;
  private readonly rShape: RecordRatio;
  private readonly rResid: RecordRatio;
  private n = 0;
  private mean = 0;
  private mad = 0;
  private absMean = 0;

  constructor(options: StreamingDetectorOptions = {}) {
    this.options = { ...STREAMING_DEFAULTS, ...options };
    const o = this.options;
    this.valueKnn = new KnnNovelty(1, o.maxLag);
    this.shapeKnn = new KnnNovelty(o.shapeLength, o.maxLag);
    this.rValue = new RecordRatio(o.history);
    this.rShape = new RecordRatio(o.history);
    this.rResid = new RecordRatio(o.history);
  }

  /** Feeds the next value; returns its anomaly score in [0, 1]. Uses only values seen so far. */
  update(x: number): number {
    if (!Number.isFinite(x)) return 0;
    const o = this.options;
    const i = this.n++;
    this.absMean += (Math.abs(x) - this.absMean) / Math.min(i + 1, 1000);
    const eps = 1e-9 * (this.absMean + 1e-12) + 1e-12;

    const v = this.valueKnn.update(x);
    const s = this.shapeKnn.update(x);
    let resid = 0;
    if (i === 0) this.mean = x;
    else {
      resid = Math.abs(x - this.mean) / (this.mad + eps);
      const dev = Math.abs(x - this.mean);
      this.mad += o.alpha * (dev - this.mad);
      this.mean += o.alpha * (x - this.mean);
    }
    const q1 = this.rValue.update(v, eps);
    const q2 = this.rShape.update(s, eps);
    const q3 = this.rResid.update(resid, 1e-9);
    if (i < o.warmup) return 0;
    const c = o.components;
    const q = Math.max(c.includes('value') ? q1 : 0, c.includes('shape') ? q2 : 0, c.includes('resid') ? q3 : 0);
    const q2sq = q * q;
    return q2sq / (1 + q2sq);
  }
}

/** Scores a whole series causally (score[i] depends on values[0..i] only). */
export function scoreSeries(values: ArrayLike<number>, options: StreamingDetectorOptions = {}): Float64Array {
  const det = new StreamingAnomalyDetector(options);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = det.update(values[i]);
  return out;
}
