/**
 * Isolation Forest with the semantics of scikit-learn's `IsolationForest` (`score_samples`,
 * `decision_function`, `offset_`), written for speed:
 *  - all trees live in one set of flat typed arrays (feature / threshold / left / right / leaf size),
 *  - every leaf stores its precomputed path length `depth + c(leafSize)`,
 *  - thresholds are mapped to integer ranks so the walk is branch-free (see prepareWalk),
 *  - scoring walks the row-major Float64Array input without allocating per point.
 *
 * Semantics (as in sklearn): each tree is grown on `min(maxSamples, n)` rows drawn without replacement,
 * up to depth `ceil(log2(maxSamples))`; a node splits on a feature drawn uniformly among the features that
 * are not constant in the node, at a threshold drawn uniformly in [min, max) of that feature; a row goes left
 * when `x <= threshold` (inputs must not contain NaN). score(x) = -2^(-E[h(x)] / c(maxSamples)). The random streams differ from sklearn's,
 * so individual scores differ while their distribution matches.
 */
import { Rng } from './random.ts';
import { StandardScaler } from './scaler.ts';
import type { StandardScalerJSON } from './scaler.ts';

import type { Matrix } from './matrix.ts';

export type { Matrix } from './matrix.ts';

export interface IsolationForestOptions {
  /** Number of trees (sklearn `n_estimators`). Default 100. */
  nEstimators?: number;
  /** Rows per tree (sklearn `max_samples`): an integer, a fraction in (0, 1], or 'auto' (= 256). Default 'auto'. */
  maxSamples?: number | 'auto';
  /** Seed (sklearn `random_state`). Default 0. */
  randomState?: number;
  /** 'auto' → offset -0.5 (sklearn), or a fraction in (0, 0.5] → offset = that percentile of training scores. */
  contamination?: number | 'auto';
}

export interface TrainingWindow {
  from?: string;
  to?: string;
  rows: number;
}

export interface IsolationForestJSON {
  kind: 'fleetops.isolation-forest';
  version: 1;
  params: { nEstimators: number; maxSamples: number; maxDepth: number; randomState: number; contamination: number | 'auto' };
  nFeatures: number;
  featureNames: string[];
  trainingWindow?: TrainingWindow;
  scaler?: StandardScalerJSON;
  offset: number;
  trees: { roots: number[]; feature: number[]; threshold: number[]; left: number[]; right: number[]; leafSize: number[] };
}

const EULER_GAMMA = 0.5772156649015329;
/** sklearn's FEATURE_THRESHOLD: a feature whose range is at most this is treated as constant in a node. */
const FEATURE_THRESHOLD = 1e-7;
export const MODEL_VERSION = 1;

/** Average path length of an unsuccessful BST search, c(n), in sklearn's convention (c(1)=0, c(2)=1). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** First index in sorted a[lo, hi) whose value is not < x (hi when none); the result minus lo is #{a < x}. */
function lowerBound(a: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Linear-interpolated percentile (numpy's default), q in [0, 100]. Does not modify `values`. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export class IsolationForest {
  readonly nEstimators: number;
  readonly maxSamplesOption: number | 'auto';
  readonly randomState: number;
  readonly contamination: number | 'auto';

  /** Filled by fit / fromJSON. */
  maxSamples = 0;
  maxDepth = 0;
  nFeatures = 0;
  offset = -0.5;
  featureNames: string[] = [];
  trainingWindow?: TrainingWindow;
  scaler?: StandardScaler;

  roots: Int32Array = new Int32Array(0);
  feature: Int32Array = new Int32Array(0);
  threshold: Float64Array = new Float64Array(0);
  left: Int32Array = new Int32Array(0);
  right: Int32Array = new Int32Array(0);
  leafSize: Int32Array = new Int32Array(0);
  /** depth + c(leafSize) for leaves, 0 for internal nodes. */
  pathLength: Float64Array = new Float64Array(0);

  constructor(options: IsolationForestOptions = {}) {
    this.nEstimators = options.nEstimators ?? 100;
    this.maxSamplesOption = options.maxSamples ?? 'auto';
    this.randomState = options.randomState ?? 0;
    this.contamination = options.contamination ?? 'auto';
    if (!Number.isInteger(this.nEstimators) || this.nEstimators < 1) throw new RangeError('nEstimators must be a positive integer');
    const c = this.contamination;
    if (c !== 'auto' && !(c > 0 && c <= 0.5)) throw new RangeError('contamination must be "auto" or in (0, 0.5]');
    const m = this.maxSamplesOption;
    if (m !== 'auto' && !(m > 0)) throw new RangeError('maxSamples must be positive or "auto"');
  }

  get fitted(): boolean {
    return this.roots.length > 0;
  }

  /** Fits on a row-major matrix. Returns this. */
  fit(X: Matrix): this {
    const { data, rows: n, cols: d } = X;
    if (n < 1 || d < 1) throw new RangeError('fit needs at least one row and one column');
    if (data.length < n * d) throw new RangeError('matrix data is shorter than rows * cols');
    const m = this.maxSamplesOption;
    let psi: number;
    if (m === 'auto') psi = Math.min(256, n);
    else if (!Number.isInteger(m) && m <= 1) psi = Math.max(1, Math.floor(m * n));
    else psi = Math.min(Math.floor(m), n);
    this.maxSamples = psi;
    this.maxDepth = Math.ceil(Math.log2(Math.max(psi, 2)));
    this.nFeatures = d;
    if (this.featureNames.length !== d) this.featureNames = Array.from({ length: d }, (_, j) => `f${j}`);

    const T = this.nEstimators;
    const cap = T * (2 * psi - 1);
    const feature = new Int32Array(cap);
    const threshold = new Float64Array(cap);
    const left = new Int32Array(cap);
    const right = new Int32Array(cap);
    const leafSize = new Int32Array(cap);
    const pathLength = new Float64Array(cap);
    const roots = new Int32Array(T);

    const rng = new Rng(this.randomState);
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const idx = new Int32Array(psi);
    const feats = new Int32Array(d);
    // explicit stack: node, start, end, depth
    const stackNode = new Int32Array(2 * psi + 2);
    const stackStart = new Int32Array(2 * psi + 2);
    const stackEnd = new Int32Array(2 * psi + 2);
    const stackDepth = new Int32Array(2 * psi + 2);
    const maxDepth = this.maxDepth;
    let nodeCount = 0;

    for (let t = 0; t < T; t++) {
      // sample psi rows without replacement (partial Fisher-Yates on a persistent permutation)
      for (let i = 0; i < psi; i++) {
        const j = i + rng.nextInt(n - i);
        const tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
        idx[i] = perm[i];
      }
      const root = nodeCount++;
      roots[t] = root;
      let sp = 0;
      stackNode[sp] = root;
      stackStart[sp] = 0;
      stackEnd[sp] = psi;
      stackDepth[sp] = 0;
      sp++;
      while (sp > 0) {
        sp--;
        const node = stackNode[sp];
        const start = stackStart[sp];
        const end = stackEnd[sp];
        const depth = stackDepth[sp];
        const size = end - start;
        let chosen = -1;
        let lo = 0;
        let hi = 0;
        if (size > 1 && depth < maxDepth) {
          // draw features uniformly without replacement until a non-constant one turns up
          for (let j = 0; j < d; j++) feats[j] = j;
          for (let k = 0; k < d; k++) {
            const j = k + rng.nextInt(d - k);
            const f = feats[j];
            feats[j] = feats[k];
            feats[k] = f;
            let mn = Infinity;
            let mx = -Infinity;
            for (let s = start; s < end; s++) {
              const v = data[idx[s] * d + f];
              if (v < mn) mn = v;
              if (v > mx) mx = v;
            }
            if (mx > mn + FEATURE_THRESHOLD) {
              chosen = f;
              lo = mn;
              hi = mx;
              break;
            }
          }
        }
        if (chosen < 0) {
          feature[node] = -1;
          leafSize[node] = size;
          pathLength[node] = depth + averagePathLength(size);
          left[node] = -1;
          right[node] = -1;
          continue;
        }
        let thr = lo + rng.nextFloat() * (hi - lo);
        if (thr >= hi) thr = lo;
        // partition idx[start, end): x <= thr to the left
        let i = start;
        let j = end - 1;
        while (i <= j) {
          if (data[idx[i] * d + chosen] <= thr) i++;
          else {
            const tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
            j--;
          }
        }
        const l = nodeCount;
        const r = nodeCount + 1;
        nodeCount += 2;
        feature[node] = chosen;
        threshold[node] = thr;
        left[node] = l;
        right[node] = r;
        leafSize[node] = size;
        stackNode[sp] = r;
        stackStart[sp] = i;
        stackEnd[sp] = end;
        stackDepth[sp] = depth + 1;
        sp++;
        stackNode[sp] = l;
        stackStart[sp] = start;
        stackEnd[sp] = i;
        stackDepth[sp] = depth + 1;
        sp++;
      }
    }
    this.roots = roots;
    this.feature = feature.slice(0, nodeCount);
    this.threshold = threshold.slice(0, nodeCount);
    this.left = left.slice(0, nodeCount);
    this.right = right.slice(0, nodeCount);
    this.leafSize = leafSize.slice(0, nodeCount);
    this.pathLength = pathLength.slice(0, nodeCount);
    this.walkLeft = new Int32Array(0);

    if (this.contamination === 'auto') this.offset = -0.5;
    else this.offset = percentile(this.scoreSamples(X), 100 * this.contamination);
    return this;
  }

  /**
   * Builds the arrays the scorer walks. Thresholds become integer ranks: for feature f, with U_f the sorted
   * distinct thresholds of f, rank(x) = #{u in U_f : u < x}, and x > threshold ⟺ rank(x) > rank(threshold),
   * so each step is an integer sign-bit test instead of an unpredictable branch. Leaves become self-loops
   * (rank 2^30, child = self) and every internal node's right child is left + 1, so a walk is exactly
   * `walkDepth` steps.
   */
  private prepareWalk(): void {
    const n = this.feature.length;
    const d = this.nFeatures;
    const perFeature: number[][] = Array.from({ length: d }, () => []);
    for (let i = 0; i < n; i++) if (this.feature[i] >= 0) perFeature[this.feature[i]].push(this.threshold[i]);
    const offsets = new Int32Array(d + 1);
    const uniq = perFeature.map((l) => Float64Array.from(new Set(l)).sort());
    for (let j = 0; j < d; j++) offsets[j + 1] = offsets[j] + uniq[j].length;
    const values = new Float64Array(offsets[d]);
    for (let j = 0; j < d; j++) values.set(uniq[j], offsets[j]);
    const wf = new Int32Array(n);
    const wr = new Int32Array(n);
    const wl = new Int32Array(n);
    let maxDepth = 0;
    const stack: number[] = [];
    for (const root of this.roots) {
      stack.push(root, 0);
      while (stack.length) {
        const depth = stack.pop()!;
        const node = stack.pop()!;
        if (this.feature[node] < 0) {
          wf[node] = 0;
          wr[node] = 1 << 30;
          wl[node] = node;
          if (depth > maxDepth) maxDepth = depth;
        } else {
          if (this.right[node] !== this.left[node] + 1) throw new Error('corrupt model: right child must follow left child');
          const f = this.feature[node];
          wf[node] = f;
          wr[node] = lowerBound(values, offsets[f], offsets[f + 1], this.threshold[node]) - offsets[f];
          wl[node] = this.left[node];
          stack.push(this.left[node], depth + 1, this.right[node], depth + 1);
        }
      }
    }
    this.walkFeature = wf;
    this.walkRank = wr;
    this.walkLeft = wl;
    this.walkDepth = maxDepth;
    this.rankValues = values;
    this.rankOffsets = offsets;
  }

  private walkFeature: Int32Array = new Int32Array(0);
  private walkRank: Int32Array = new Int32Array(0);
  private walkLeft: Int32Array = new Int32Array(0);
  private walkDepth = 0;
  private rankValues: Float64Array = new Float64Array(0);
  private rankOffsets: Int32Array = new Int32Array(0);

  /** sklearn `score_samples`: negative, lower = more abnormal. Writes into `out` when given. No per-row allocation. */
  scoreSamples(X: Matrix, out?: Float64Array): Float64Array {
    if (!this.fitted) throw new Error('IsolationForest is not fitted');
    const { data, rows: n, cols: d } = X;
    if (d !== this.nFeatures) throw new RangeError(`expected ${this.nFeatures} columns, got ${d}`);
    if (data.length < n * d) throw new RangeError('matrix data is shorter than rows * cols');
    const result = out ?? new Float64Array(n);
    if (result.length < n) throw new RangeError('output array too short');
    if (this.walkLeft.length !== this.feature.length) this.prepareWalk();
    const roots = this.roots;
    const feat = this.walkFeature;
    const thr = this.walkRank;
    const left = this.walkLeft;
    const pl = this.pathLength;
    const values = this.rankValues;
    const offsets = this.rankOffsets;
    const T = roots.length;
    const D = this.walkDepth;
    // score = -2^(-sum / (T * c(psi))) = -exp(sum * k)
    const k = -Math.LN2 / (T * averagePathLength(this.maxSamples));
    // ranks of 4 rows: xr[q * d + j]
    const xr = new Int32Array(4 * d);
    for (let r = 0; r < n; r += 4) {
      const m = Math.min(4, n - r);
      for (let q = 0; q < 4; q++) {
        const row = r + (q < m ? q : 0);
        for (let j = 0; j < d; j++) {
          const lo = offsets[j];
          xr[q * d + j] = lowerBound(values, lo, offsets[j + 1], data[row * d + j]) - lo;
        }
      }
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      // four independent walks overlap in the CPU pipeline; (rank(thr) - rank(x)) >>> 31 is 1 when x > thr
      for (let t = 0; t < T; t++) {
        let n0 = roots[t];
        let n1 = n0;
        let n2 = n0;
        let n3 = n0;
        for (let s = 0; s < D; s++) {
          n0 = left[n0] + ((thr[n0] - xr[feat[n0]]) >>> 31);
          n1 = left[n1] + ((thr[n1] - xr[d + feat[n1]]) >>> 31);
          n2 = left[n2] + ((thr[n2] - xr[2 * d + feat[n2]]) >>> 31);
          n3 = left[n3] + ((thr[n3] - xr[3 * d + feat[n3]]) >>> 31);
        }
        s0 += pl[n0];
        s1 += pl[n1];
        s2 += pl[n2];
        s3 += pl[n3];
      }
      result[r] = -Math.exp(s0 * k);
      if (m > 1) result[r + 1] = -Math.exp(s1 * k);
      if (m > 2) result[r + 2] = -Math.exp(s2 * k);
      if (m > 3) result[r + 3] = -Math.exp(s3 * k);
    }
    return result;
  }

  /** sklearn `decision_function`: score_samples - offset (negative = outlier). */
  decisionFunction(X: Matrix, out?: Float64Array): Float64Array {
    const s = this.scoreSamples(X, out);
    const off = this.offset;
    for (let i = 0; i < X.rows; i++) s[i] -= off;
    return s;
  }

  /** sklearn `predict`: -1 outlier, 1 inlier. */
  predict(X: Matrix): Int8Array {
    const s = this.decisionFunction(X);
    const out = new Int8Array(X.rows);
    for (let i = 0; i < X.rows; i++) out[i] = s[i] < 0 ? -1 : 1;
    return out;
  }

  toJSON(): IsolationForestJSON {
    if (!this.fitted) throw new Error('IsolationForest is not fitted');
    return {
      kind: 'fleetops.isolation-forest',
      version: MODEL_VERSION,
      params: {
        nEstimators: this.nEstimators,
        maxSamples: this.maxSamples,
        maxDepth: this.maxDepth,
        randomState: this.randomState,
        contamination: this.contamination,
      },
      nFeatures: this.nFeatures,
      featureNames: [...this.featureNames],
      ...(this.trainingWindow ? { trainingWindow: { ...this.trainingWindow } } : {}),
      ...(this.scaler ? { scaler: this.scaler.toJSON() } : {}),
      offset: this.offset,
      trees: {
        roots: Array.from(this.roots),
        feature: Array.from(this.feature),
        threshold: Array.from(this.threshold),
        left: Array.from(this.left),
        right: Array.from(this.right),
        leafSize: Array.from(this.leafSize),
      },
    };
  }

  static fromJSON(json: IsolationForestJSON): IsolationForest {
    if (!json || json.kind !== 'fleetops.isolation-forest') throw new Error('not an isolation-forest model');
    if (json.version !== MODEL_VERSION) throw new Error(`unsupported isolation-forest model version ${String(json.version)}`);
    const p = json.params;
    const m = new IsolationForest({
      nEstimators: p.nEstimators,
      maxSamples: p.maxSamples,
      randomState: p.randomState,
      contamination: p.contamination,
    });
    m.maxSamples = p.maxSamples;
    m.maxDepth = p.maxDepth;
    m.nFeatures = json.nFeatures;
    m.featureNames = [...json.featureNames];
    m.offset = json.offset;
    if (json.trainingWindow) m.trainingWindow = { ...json.trainingWindow };
    if (json.scaler) m.scaler = StandardScaler.fromJSON(json.scaler);
    const t = json.trees;
    const nNodes = t.feature.length;
    if (![t.threshold, t.left, t.right, t.leafSize].every((a) => a.length === nNodes)) throw new Error('corrupt model: node arrays differ in length');
    m.roots = Int32Array.from(t.roots);
    m.feature = Int32Array.from(t.feature);
    m.threshold = Float64Array.from(t.threshold);
    m.left = Int32Array.from(t.left);
    m.right = Int32Array.from(t.right);
    m.leafSize = Int32Array.from(t.leafSize);
    // recompute leaf path lengths from the tree structure (depth + c(size))
    m.pathLength = new Float64Array(nNodes);
    const stack: number[] = [];
    for (const root of m.roots) {
      stack.push(root, 0);
      while (stack.length) {
        const depth = stack.pop()!;
        const node = stack.pop()!;
        if (node < 0 || node >= nNodes) throw new Error('corrupt model: child index out of range');
        if (m.feature[node] < 0) m.pathLength[node] = depth + averagePathLength(m.leafSize[node]);
        else stack.push(m.left[node], depth + 1, m.right[node], depth + 1);
      }
    }
    return m;
  }
}

import type { Severity } from '../platform/severity.ts';

export type { Severity };

export interface SeverityOptions {
  /** score < threshold → anomaly. Default -0.5. */
  threshold?: number;
  /** Severity cut-offs on score_samples: < critical → critical, < high → high, < medium → medium, else low. */
  critical?: number;
  high?: number;
  medium?: number;
}

export const SEVERITY_DEFAULTS = { threshold: -0.5, critical: -0.8, high: -0.6, medium: -0.4 } as const;

/** Maps an sklearn-convention score (negative, lower = more abnormal) to an anomaly flag and severity. */
export function scoreToSeverity(score: number, options: SeverityOptions = {}): { anomaly: boolean; severity: Severity } {
  const o = { ...SEVERITY_DEFAULTS, ...options };
  const severity: Severity = score < o.critical ? 'critical' : score < o.high ? 'high' : score < o.medium ? 'medium' : 'low';
  return { anomaly: score < o.threshold, severity };
}
