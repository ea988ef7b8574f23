/**
 * Univariate streaming anomaly detector: causal, online, O(maxLag + history) time and memory per point,
 * score in [0, 1].
 *
 * Ensemble of "surprise" signals: the nearest-neighbour novelty of the newest subsequence for each length
 * in `knnLengths` (length 1 = "has a value like this been seen lately?", length 24 = "has this shape been
 * seen lately?"; KNN-CAD / matrix-profile style, see knn-novelty.ts).
 * Each raw surprise r_t becomes a record ratio q_t = r_t / (k-th largest r over the previous `history`
 * points, k = `recordRank`): an anomaly is something more surprising than almost anything seen lately.
 * This self-calibrates across series, so one global threshold works, and k > 1 keeps one earlier outburst
 * from masking the next event. The components vote by maximum. After a point whose ratio reaches
 * `alarmRatio`, ratios are divided by `refractoryDamp` for `refractory` points (one alarm per event, as NAB
 * and on-call humans both prefer). Output: q² / (1 + q²), 0 during the first `warmup` points.
 *
 * Tried and dropped on the NAB dev subset: an EWMA-residual component, Numenta-style Gaussian likelihood
 * calibration, summing instead of max, a flat-run-length component and z-normalised shape distance.
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
  /** Points after an alarm during which ratios are damped. */
  refractory?: number;
  /** Ratio that counts as an alarm for the refractory period. */
  alarmRatio?: number;
  /** Divisor applied to ratios during the refractory period. */
  refractoryDamp?: number;
}

export const STREAMING_DEFAULTS: Readonly<Required<StreamingDetectorOptions>> = {
  warmup: 150,
  maxLag: 2000,
  knnLengths: [1, 24],
  history: 2000,
  recordRank: 5,
  refractory: 100,
  alarmRatio: 1.2,
  refractoryDamp: 4,
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
  private n = 0;
  private lastAlarm = -Infinity;
  private absMean = 0;

  constructor(options: StreamingDetectorOptions = {}) {
    const o = { ...STREAMING_DEFAULTS, ...options };
    if (!(o.maxLag >= 1) || !(o.history >= 1) || o.knnLengths.some((l) => !(l >= 1))) {
      throw new RangeError('maxLag, history and knnLengths must be >= 1');
    }
    this.options = o;
    this.knn = o.knnLengths.map((l) => new KnnNovelty(Math.floor(l), Math.floor(o.maxLag)));
    this.knnRatio = this.knn.map(() => new RecordRatio(Math.floor(o.history), Math.max(1, Math.floor(o.recordRank))));
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
