/**
 * Online nearest-neighbour novelty of the latest subsequence (matrix-profile style, causal).
 *
 * For the window of the last `length` values ending at t, keeps the squared Euclidean distance to every
 * earlier window ending at t - lag, lag in [length, maxLag] (no overlap with itself), and updates all of
 * them in O(maxLag) per point using D_t(lag) = D_{t-1}(lag) + (x_t - x_{t-lag})² - (x_{t-L} - x_{t-L-lag})².
 * Returns the RMS distance to the nearest earlier window (raw units), NaN before any comparison exists.
 *
 * History is a "double-written" ring: value t is stored at slots t mod C and t mod C + C, so the last C
 * values are always contiguous and the inner loop has no wrap-around test.
 */
export class KnnNovelty {
  readonly length: number;
  readonly maxLag: number;
  private readonly cap: number;
  private readonly hist: Float64Array;
  private readonly dist: Float64Array;
  private t = 0;

  constructor(length: number, maxLag: number) {
    this.length = length;
    this.maxLag = maxLag;
    // need x_{t-L-lag} for lag up to maxLag
    this.cap = maxLag + length + 2;
    this.hist = new Float64Array(2 * this.cap);
    this.dist = new Float64Array(maxLag + 1);
  }

  update(x: number): number {
    const L = this.length;
    const cap = this.cap;
    const h = this.hist;
    const t = this.t++;
    const slot = t % cap;
    h[slot] = x;
    h[slot + cap] = x;
    const p = slot + cap; // h[p - k] = x_{t-k} for 0 <= k < cap
    const dist = this.dist;
    const maxLag = Math.min(this.maxLag, t);
    // lags whose old term x_{t-L-lag} exists: t - lag >= L
    const removeUpTo = Math.min(maxLag, t - L);
    const old = t >= L ? h[p - L] : 0;
    const pOld = p - L;
    for (let lag = 1; lag <= removeUpTo; lag++) {
      const d = x - h[p - lag];
      const e = old - h[pOld - lag];
      const v = dist[lag] + d * d - e * e;
      dist[lag] = v > 0 ? v : 0;
    }
    for (let lag = Math.max(1, removeUpTo + 1); lag <= maxLag; lag++) {
      const d = x - h[p - lag];
      dist[lag] += d * d;
    }
    // complete earlier windows: L <= lag <= t - L + 1
    const hi = Math.min(maxLag, t - L + 1);
    let best = Infinity;
    for (let lag = L; lag <= hi; lag++) if (dist[lag] < best) best = dist[lag];
    if (best === Infinity) return NaN;
    return Math.sqrt(best / L);
  }
}
