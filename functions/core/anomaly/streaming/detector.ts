/**
 * Univariate streaming anomaly detector: causal, online, O(maxLag) time and memory per point,
 * score in [0, 1].
 *
 * Ensemble of "surprise" signals, each calibrated against its own recent history:
 *  - nearest-neighbour novelty of the newest subsequence for each length in `knnLengths`
 *    (length 1 = "has a value like this been seen lately?", length 24 = "has this shape been seen
 *    lately?"; KNN-CAD / matrix-profile style, see knn-novelty.ts);
 *  - optionally (alpha > 0) the EWMA residual |x - mean| / mean-absolute-deviation.
 * Each raw surprise r_t becomes a record ratio q_t = r_t / max(r over the previous `history` points): an
 * anomaly is something more surprising than anything seen lately. This self-calibrates across series, so
 * one global threshold works, and it damps repeated alarms for the same event. After a point whose ratio
 * reaches `alarmRatio`, ratios are divided by `refractoryDamp` for `refractory` points (one alarm per
 * event, as NAB and on-call humans both prefer). Output: q² / (1 + q²), 0 during the first `warmup` points.
 */
import { KnnNovelty } from './knn-novelty.ts';
import { SlidingSorted } from './ring.ts';

export interface StreamingDetectorOptions {
  /** Points with score 0 while the detector learns. */
  warmup?: number;
  /** Longest look-back of the nearest-neighbour search. */
  maxLag?: number;
  /** Subsequence lengths of the nearest-neighbour novelty components (1 = value novelty). */
  knnLengths?: readonly number[];
  /** Look-back of the record-ratio calibration. */
  history?: number;
  /** The ratio divides by the k-th largest surprise of the look-back (1 = the maximum). */
  recordRank?: number;
  /** EWMA smoothing of the residual component; 0 disables it. */
  alpha?: number;
  /** Points after an alarm during which ratios are damped. */
  refractory?: number;
  /** Ratio that counts as an alarm for the refractory period. */
  alarmRatio?: number;
  /** Divisor applied to ratios during the refractory period. */
  refractoryDamp?: number;
}

export const STREAMING_DEFAULTS: Readonly<Required<StreamingDetectorOptions>> = {
  warmup: 150,
  maxLag: 1000,
  knnLengths: [1, 24],
  history: 1500,
  recordRank: 1,
  alpha: 0,
  refractory: 100,
  alarmRatio: 1.2,
  refractoryDamp: 2,
};

/** r divided by the k-th largest of the previous `history` values of r (0 before any history). */
class RecordRatio {
  private readonly win: SlidingSorted;
  private readonly k: number;
  constructor(history: number, k: number) {
    this.win = new SlidingSorted(history);
    this.k = k;
  }
  update(r: number, eps: number): number {
    if (!(r >= 0)) return 0;
    const m = this.win.kthLargest(this.k);
    this.win.push(r);
    if (m === -Infinity) return 0;
    return r / (m + eps);
  }
}

export class StreamingAnomalyDetector {
  readonly options: Readonly<Required<StreamingDetectorOptions>>;
  private readonly knn: KnnNovelty[];
  private readonly knnRatio: RecordRatio[];
  private readonly residRatio: RecordRatio;
  private n = 0;
  private lastAlarm = -Infinity;
  private mean = 0;
  private mad = 0;
  private absMean = 0;

  constructor(options: StreamingDetectorOptions = {}) {
    const o = { ...STREAMING_DEFAULTS, ...options };
    if (!(o.maxLag >= 1) || !(o.history >= 1) || o.knnLengths.some((l) => !(l >= 1))) {
      throw new RangeError('maxLag, history and knnLengths must be >= 1');
    }
    this.options = o;
    this.knn = o.knnLengths.map((l) => new KnnNovelty(Math.floor(l), Math.floor(o.maxLag)));
    this.knnRatio = o.knnLengths.map(() => new RecordRatio(Math.floor(o.history), Math.max(1, Math.floor(o.recordRank))));
    this.residRatio = new RecordRatio(Math.floor(o.history), Math.max(1, Math.floor(o.recordRank)));
  }

  /** Points seen so far. */
  get count(): number {
    return this.n;
  }

  /** Feeds the next value; returns its anomaly score in [0, 1]. Uses only values seen so far. */
  update(x: number): number {
    if (!Number.isFinite(x)) return 0; // missing / bad values are ignored and score 0
    const o = this.options;
    const i = this.n++;
    this.absMean += (Math.abs(x) - this.absMean) / Math.min(i + 1, 1000);
    const eps = 1e-9 * this.absMean + 1e-12;
    let q = 0;
    for (let k = 0; k < this.knn.length; k++) {
      const r = this.knnRatio[k].update(this.knn[k].update(x), eps);
      if (r > q) q = r;
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
      if (r > q) q = r;
    }
    if (i < o.warmup) return 0;
    if (i - this.lastAlarm <= o.refractory) q /= o.refractoryDamp;
    else if (q >= o.alarmRatio) this.lastAlarm = i;
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
