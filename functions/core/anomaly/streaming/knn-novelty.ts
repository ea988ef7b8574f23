/**
 * Online nearest-neighbour novelty of the latest subsequence (matrix-profile style, causal).
 *
 * For the window of the last `length` values ending at t, keeps the squared Euclidean distance to every
 * earlier window ending at t - lag, lag in [max(length, minLag), maxLag] (no overlap with itself), and
 * updates all of them in O(maxLag) per point using D_t(lag) = D_{t-1}(lag) + (x_t - x_{t-lag})² -
 * (x_{t-L} - x_{t-L-lag})². Returns the RMS distance to the nearest earlier window (raw units).
 */
import { Ring } from './ring.ts';

export class KnnNovelty {
  readonly length: number;
  readonly maxLag: number;
  readonly minLag: number;
  private readonly hist: Ring;
  private readonly dist: Float64Array;
  private t = 0;

  constructor(length: number, maxLag: number) {
    this.length = length;
    this.maxLag = maxLag;
    this.minLag = Math.max(1, length);
    // need x_{t-L-lag} for lag up to maxLag
    this.hist = new Ring(maxLag + length + 2);
    this.dist = new Float64Array(maxLag + 1);
  }

  /** Adds x_t; returns the novelty of the window ending at t (NaN until one comparison exists). */
  update(x: number): number {
    const L = this.length;
    const h = this.hist;
    h.push(x);
    const t = this.t++;
    const dist = this.dist;
    // lags with a full earlier window: t - lag - L + 1 >= 0 → lag <= t - L + 1
    const maxLag = Math.min(this.maxLag, t);
    let best = Infinity;
    const old = t >= L ? h.back(L) : NaN; // x_{t-L}
    for (let lag = 1; lag <= maxLag; lag++) {
      const d = x - h.back(lag);
      let v = dist[lag] + d * d;
      if (t - lag >= L) {
        const e = old - h.back(L + lag);
        v -= e * e;
      }
      if (v < 0) v = 0;
      dist[lag] = v;
      if (lag >= this.minLag && lag <= t - L + 1 && v < best) best = v;
    }
    if (best === Infinity) return NaN;
    return Math.sqrt(best / L);
  }
}
