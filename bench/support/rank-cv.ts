/**
 * Parameter selection for the root-cause ranking by cross-validation, so that the figure reported for data the
 * parameters were not chosen on is honest:
 * - leave-one-system-out over the Nezha systems (choose on the other system plus the generator's calibration
 *   seeds, score the held-out system);
 * - k-fold over Nezha cases (choose on k-1 folds plus the calibration seeds, score the held-out fold).
 * Calibration cases from the X-Ray-style generator (faulted, and normal windows where [] is the right answer)
 * are always on the training side; the "nothing abnormal" gate is chosen with them.
 * The objective weights every data set equally (mean of its top-1 and top-3), so the 42 Online Boutique cases do
 * not drown the 21 Train-Ticket ones. The grid is small on purpose: a few knobs with a physical meaning.
 */
import { analyzeSeries } from '../../functions/core/rca/rank.ts';
import type { RankOptions, RankSeriesInput } from '../../functions/core/rca/rank.ts';

export interface LabelledCase extends RankSeriesInput {
  /** The root cause; '' for a normal window, where the right answer is [] (scored as a top-1 hit). */
  truth: string;
  group: string;
}

export type Config = Partial<RankOptions>;

export function rankGrid(): Config[] {
  const out: Config[] = [];
  for (const callerWeight of [0.25, 0.5, 1])
    for (const calleePenalty of [0.25, 0.5, 1])
      for (const minTrafficShare of [0.01, 0.03])
        for (const [threshold, quietTargetFactor] of [[3, 2], [4, 1], [4, 2], [5, 1]]) out.push({ callerWeight, calleePenalty, minTrafficShare, threshold, quietTargetFactor });
  return out;
}

/** Position of the truth in the ranking (-1: absent, -2: empty ranking). */
export function positions(cases: LabelledCase[], config: Config): number[] {
  return cases.map((c) => {
    const r = analyzeSeries(c, config).ranking;
    if (c.truth === '') return r.length === 0 ? 0 : -1;
    return r.length === 0 ? -2 : r.findIndex((x) => x.node === c.truth);
  });
}

export const top = (pos: number[], k: number): number => (pos.length ? pos.filter((p) => p >= 0 && p < k).length / pos.length : 0);
const objective = (pos: number[]): number => (top(pos, 1) + top(pos, 3)) / 2;

/** Positions of every case under every config, computed once. */
export function positionTable(cases: LabelledCase[], grid: Config[]): number[][] {
  return grid.map((g) => positions(cases, g));
}

/** Index of the config with the best mean objective over the given groups of case indices (first wins ties). */
export function choose(table: number[][], groups: number[][]): number {
  let best = 0;
  let bestScore = -Infinity;
  table.forEach((pos, i) => {
    const score = groups.reduce((acc, idx) => acc + objective(idx.map((j) => pos[j])), 0) / groups.length;
    if (score > bestScore + 1e-12) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

export interface CvResult {
  /** Held-out positions per case (same order as the cases). */
  heldOut: number[];
  chosen: Config[];
}

/**
 * `table` covers `cases` (the real cases, with `group` = system) followed by `extra` calibration cases that are
 * always in the training side. Leave-one-group-out when `folds` is undefined, else k-fold by case index.
 */
export function crossValidate(table: number[][], grid: Config[], cases: LabelledCase[], extraGroups: string[], folds?: number): CvResult {
  const extraCount = extraGroups.length;
  const extraGroup = (i: number): string => extraGroups[i - cases.length];
  const n = cases.length;
  const extra = Array.from({ length: extraCount }, (_, i) => n + i);
  const heldOut = new Array<number>(n).fill(-1);
  const chosen: Config[] = [];
  const splits: number[][] = [];
  if (folds === undefined) {
    for (const g of [...new Set(cases.map((c) => c.group))]) splits.push(cases.flatMap((c, i) => (c.group === g ? [i] : [])));
  } else {
    for (let f = 0; f < folds; f++) splits.push(cases.flatMap((_, i) => (i % folds === f ? [i] : [])));
  }
  for (const test of splits) {
    const inTest = new Set(test);
    const train = cases.flatMap((_, i) => (inTest.has(i) ? [] : [i]));
    const groups = [...new Set(train.map((i) => cases[i].group))].map((g) => train.filter((i) => cases[i].group === g));
    for (const g of [...new Set(extra.map((i) => extraGroup(i)))]) groups.push(extra.filter((i) => extraGroup(i) === g));
    const k = choose(table, groups);
    chosen.push(grid[k]);
    for (const i of test) heldOut[i] = table[k][i];
  }
  return { heldOut, chosen };
}
