/**
 * Additive Holt-Winters with a linear trend and zero, one or two seasonal components
 * (two = Taylor's 2003 double-seasonal Holt-Winters, e.g. daily + weekly), in error-correction form:
 *
 *   ŷ_t  = l + φb + s1[t mod m1] + s2[t mod m2]           e_t = y_t − ŷ_t
 *   l   ← l + φb + α·e_t
 *   b   ← φb + α·β·e_t
 *   s1[t mod m1] ← s1[…] + γ·(1−α)·e_t
 *   s2[t mod m2] ← s2[…] + δ·(1−α)·e_t
 *
 * which is algebraically Taylor's recursions (l_t = α(y_t − d − w) + (1−α)(l + b), b_t = β(l_t − l) + (1−β)b,
 * d_t = γ(y_t − l_t − w) + (1−γ)d, w_t = δ(y_t − l_t − d) + (1−δ)w) with every parameter in [0, 1].
 * φ < 1 damps the trend (Gardner & McKenzie): the forecast adds (φ + … + φ^h)·b instead of h·b.
 */

export type HoltWintersMethod = 'double-seasonal' | 'seasonal' | 'trend';

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  /** Smoothing of the short season (0 when there is none). */
  gamma: number;
  /** Smoothing of the long season (0 when there is none). */
  delta: number;
  /** Trend damping per step (Gardner-McKenzie); 1 (default) = undamped linear trend. */
  phi?: number;
}

export interface HoltWintersState {
  level: number;
  trend: number;
  /** Short season (length m1) or null. */
  s1: Float64Array | null;
  /** Long season (length m2) or null. */
  s2: Float64Array | null;
  /** Index of the next observation (state after consuming t = 0..next−1). */
  next: number;
}

export interface FitRun {
  sse: number;
  state: HoltWintersState;
}

function mean(y: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i];
  return s / (to - from);
}

/** Odd moving-average window (≈ 30 min at a 5-minute step) for the initial short season: m/48, at least 1. */
export function initSmoothingWindow(m: number): number {
  const w = Math.floor(m / 48);
  return w <= 1 ? 1 : w % 2 ? w : w + 1;
}

/** Effective number of values the initial state estimates (level, trend, seasonal starts), for residual d.o.f. */
export function initialStateSize(m1: number | null, m2: number | null): number {
  if (m1 === null) return 2;
  const short = Math.ceil(m1 / initSmoothingWindow(m1));
  const long = m2 === null ? 0 : Math.max(1, Math.round(m2 / m1));
  return 2 + short + long;
}

function smoothCircular(s: Float64Array, w: number): void {
  if (w <= 1) return;
  const m = s.length;
  const half = (w - 1) / 2;
  const src = s.slice();
  for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let k = -half; k <= half; k++) acc += src[(((j + k) % m) + m) % m];
    s[j] = acc / w;
  }
}

function center(s: Float64Array): void {
  const m = mean(s, 0, s.length);
  for (let i = 0; i < s.length; i++) s[i] -= m;
}

/**
 * Heuristic initial state (classical-decomposition style) from the first two cycles of the longest
 * season; needs y.length ≥ 2·max(m1, m2). For the trend-only model, from the first few points.
 */
export function initialState(y: Float64Array, m1: number | null, m2: number | null): HoltWintersState {
  const n = y.length;
  if (m1 === null) {
    const k = Math.min(n - 1, 10);
    const slope = k > 0 ? (y[k] - y[0]) / k : 0;
    return { level: y[0] - slope, trend: slope, s1: null, s2: null, next: 0 };
  }
  const M = m2 ?? m1;
  if (n < 2 * M) throw new RangeError(`seasonal initialisation needs ${2 * M} points, got ${n}`);
  const mean1 = mean(y, 0, M);
  const mean2 = mean(y, M, 2 * M);
  const slope = (mean2 - mean1) / M;
  const mid = (M - 1) / 2;
  const z = new Float64Array(2 * M);
  for (let t = 0; t < 2 * M; t++) z[t] = y[t] - (mean1 + slope * (t - mid));
  const s1 = new Float64Array(m1);
  const c1 = new Float64Array(m1);
  for (let t = 0; t < 2 * M; t++) {
    s1[t % m1] += z[t];
    c1[t % m1]++;
  }
  for (let j = 0; j < m1; j++) s1[j] /= c1[j] || 1;
  smoothCircular(s1, initSmoothingWindow(m1));
  center(s1);
  let s2: Float64Array | null = null;
  if (m2 !== null) {
    // The long season starts as one offset per block of m1 (e.g. per day of the week): two cycles
    // give only two samples per slot, so a per-slot start would mostly be noise.
    const blocks = Math.max(1, Math.round(m2 / m1));
    const blockSum = new Float64Array(blocks);
    const blockCount = new Float64Array(blocks);
    for (let t = 0; t < 2 * M; t++) {
      const k = Math.min(blocks - 1, Math.floor((t % m2) / m1));
      blockSum[k] += z[t] - s1[t % m1];
      blockCount[k]++;
    }
    s2 = new Float64Array(m2);
    for (let j = 0; j < m2; j++) {
      const k = Math.min(blocks - 1, Math.floor(j / m1));
      s2[j] = blockSum[k] / (blockCount[k] || 1);
    }
    center(s2);
  }
  return { level: mean1 + slope * (-1 - mid), trend: slope, s1, s2, next: 0 };
}

function cloneState(s: HoltWintersState): HoltWintersState {
  return { level: s.level, trend: s.trend, s1: s.s1 ? s.s1.slice() : null, s2: s.s2 ? s.s2.slice() : null, next: s.next };
}

/** Runs the recursions over y from `init` (not mutated); returns the one-step SSE and the final state. */
export function runHoltWinters(y: Float64Array, p: HoltWintersParams, init: HoltWintersState, residuals?: Float64Array): FitRun {
  const st = cloneState(init);
  const { alpha, beta, gamma, delta } = p;
  const phi = p.phi ?? 1;
  const ab = alpha * beta;
  const g = gamma * (1 - alpha);
  const d = delta * (1 - alpha);
  const s1 = st.s1;
  const s2 = st.s2;
  const m1 = s1 ? s1.length : 1;
  const m2 = s2 ? s2.length : 1;
  let i1 = st.next % m1;
  let i2 = st.next % m2;
  let l = st.level;
  let b = st.trend;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const season1 = s1 ? s1[i1] : 0;
    const season2 = s2 ? s2[i2] : 0;
    const damped = phi * b;
    const e = y[t] - (l + damped + season1 + season2);
    sse += e * e;
    if (residuals) residuals[t] = e;
    l = l + damped + alpha * e;
    b = damped + ab * e;
    if (s1) s1[i1] = season1 + g * e;
    if (s2) s2[i2] = season2 + d * e;
    if (++i1 === m1) i1 = 0;
    if (++i2 === m2) i2 = 0;
  }
  st.level = l;
  st.trend = b;
  st.next += y.length;
  return { sse, state: st };
}

/** Point forecasts for h = 1..horizon after the state's last observation. */
export function predictHoltWinters(state: HoltWintersState, horizon: number, phi = 1): Float64Array {
  const out = new Float64Array(horizon);
  const { s1, s2 } = state;
  let power = 1;
  let steps = 0; // φ + φ² + … + φ^h (= h undamped)
  for (let h = 1; h <= horizon; h++) {
    power *= phi;
    steps += power;
    const t = state.next - 1 + h;
    out[h - 1] = state.level + steps * state.trend + (s1 ? s1[t % s1.length] : 0) + (s2 ? s2[t % s2.length] : 0);
  }
  return out;
}

/**
 * sqrt(Var(h) / σ²) for h = 1..horizon, the analytic h-step variance of the additive model
 * (Hyndman et al. 2008, class-1 ETS): Var(h) = σ²·(1 + Σ_{j=1}^{h−1} c_j²) with
 * c_j = α(1 + β·(φ + … + φ^j)) + γ(1−α)·[m1 | j] + δ(1−α)·[m2 | j] (φ = 1: α(1 + βj)). It grows with the horizon like σ·sqrt(h)
 * for a random walk (α = 1, β = 0) and more slowly for a smooth series.
 */
export function intervalGrowth(p: HoltWintersParams, m1: number | null, m2: number | null, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  const phi = p.phi ?? 1;
  let acc = 1;
  let power = 1;
  let steps = 0;
  for (let h = 1; h <= horizon; h++) {
    out[h - 1] = Math.sqrt(acc);
    const j = h;
    power *= phi;
    steps += power;
    const c =
      p.alpha * (1 + p.beta * steps) +
      (m1 !== null && j % m1 === 0 ? p.gamma * (1 - p.alpha) : 0) +
      (m2 !== null && j % m2 === 0 ? p.delta * (1 - p.alpha) : 0);
    acc += c * c;
  }
  return out;
}
