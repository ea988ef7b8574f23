/**
 * Bounded minimisation for a handful of smoothing parameters: a coarse grid to find the basin,
 * then Nelder-Mead in a logistic-transformed (unbounded) space to refine it.
 */

export interface Bounds {
  lo: number;
  hi: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
}

/** Every combination of the given per-dimension candidate values; returns the best. */
export function gridSearch(f: (x: number[]) => number, candidates: readonly (readonly number[])[]): MinimizeResult {
  const d = candidates.length;
  const idx = new Array<number>(d).fill(0);
  let best: number[] = candidates.map((c) => c[0]);
  let bestValue = Infinity;
  let evaluations = 0;
  for (;;) {
    const x = idx.map((i, j) => candidates[j][i]);
    const v = f(x);
    evaluations++;
    if (v < bestValue) {
      bestValue = v;
      best = x;
    }
    let j = 0;
    while (j < d && ++idx[j] === candidates[j].length) idx[j++] = 0;
    if (j === d) break;
  }
  return { x: best, value: bestValue, evaluations };
}

export interface NelderMeadOptions {
  maxEvaluations?: number;
  /** Stop when the simplex' function values differ by less than this (relative). */
  tolerance?: number;
  /** Initial simplex edge in the transformed space. */
  initialStep?: number;
}

/** Nelder-Mead (standard coefficients 1, 2, 0.5, 0.5) over an unbounded space. */
export function nelderMead(f: (u: number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): MinimizeResult {
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tol = options.tolerance ?? 1e-7;
  const step = options.initialStep ?? 0.5;
  const d = start.length;
  let evaluations = 0;
  const evalf = (u: number[]): number => {
    evaluations++;
    const v = f(u);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { u: number[]; v: number }[] = [{ u: [...start], v: evalf([...start]) }];
  for (let i = 0; i < d; i++) {
    const u = [...start];
    u[i] += step;
    simplex.push({ u, v: evalf(u) });
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i] - ai));
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0];
    const worst = simplex[d];
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + 1e-12)) break;
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] += simplex[i].u[j] / d;
    const reflected = combine(centroid, worst.u, -1);
    const rv = evalf(reflected);
    if (rv < best.v) {
      const expanded = combine(centroid, worst.u, -2);
      const ev = evalf(expanded);
      simplex[d] = ev < rv ? { u: expanded, v: ev } : { u: reflected, v: rv };
    } else if (rv < simplex[d - 1].v) {
      simplex[d] = { u: reflected, v: rv };
    } else {
      const outside = rv < worst.v;
      const contracted = combine(centroid, outside ? reflected : worst.u, 0.5);
      const cv = evalf(contracted);
      if (cv < (outside ? rv : worst.v)) {
        simplex[d] = { u: contracted, v: cv };
      } else {
        for (let i = 1; i <= d; i++) {
          const u = combine(best.u, simplex[i].u, 0.5);
          simplex[i] = { u, v: evalf(u) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].u, value: simplex[0].v, evaluations };
}

const sigmoid = (u: number): number => 1 / (1 + Math.exp(-u));
const logit = (p: number): number => Math.log(p / (1 - p));

/** Grid search, then Nelder-Mead on logit((x − lo)/(hi − lo)) so every iterate stays inside the bounds. */
export function minimizeBounded(
  f: (x: number[]) => number,
  bounds: readonly Bounds[],
  grid: readonly (readonly number[])[],
  options: NelderMeadOptions = {},
): MinimizeResult {
  const coarse = gridSearch(f, grid);
  const toX = (u: number[]): number[] => u.map((ui, i) => bounds[i].lo + (bounds[i].hi - bounds[i].lo) * sigmoid(ui));
  const eps = 1e-4;
  const start = coarse.x.map((x, i) => {
    const p = (x - bounds[i].lo) / (bounds[i].hi - bounds[i].lo);
    return logit(Math.min(1 - eps, Math.max(eps, p)));
  });
  const fine = nelderMead((u) => f(toX(u)), start, options);
  const refined = toX(fine.x);
  const evaluations = coarse.evaluations + fine.evaluations;
  return fine.value <= coarse.value ? { x: refined, value: fine.value, evaluations } : { x: coarse.x, value: coarse.value, evaluations };
}
