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
import { probabilityRanking, type ScoreForm } from '../../functions/core/rca/graph-ranking.ts';
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
        for (const [threshold, quietTargetFactor] of [
          [3, 2],
          [4, 1],
          [4, 2],
          [5, 1],
        ])
          out.push({ callerWeight, calleePenalty, minTrafficShare, threshold, quietTargetFactor });
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
/** (top-1 + top-3) / 2; ties go to the first config in grid order, i.e. the rule off (a mean-reciprocal-rank
 * tie-break was tried for issue 21 and reverted: bench/RANK-CHANGELOG.md). */
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

// ---------------------------------------------------------------------------------------------------------------
// Leave-one-system-out over every development system, with calibration (issue 21)
// ---------------------------------------------------------------------------------------------------------------

/** A labelled case of one development system ('' truth: a normal window, where [] is right). */
export interface DevCase extends RankSeriesInput {
  truth: string;
  system: string;
  /** Sub-group for reporting (fault type, variant). */
  kind: string;
}

export interface Raw {
  node: string;
  raw: number;
}

/** Raw scores (before the probability calibration) of one case under one config. */
export function rawScores(c: RankSeriesInput, config: Config): Raw[] {
  return analyzeSeries(c, config)
    .nodes.filter((n) => n.rawScore > 0)
    .map((n) => ({ node: n.node, raw: n.rawScore }));
}

/** Position of the truth (-1 absent, -2 empty ranking; a normal window: 0 when empty, else -1). */
export function positionIn(raws: Raw[], truth: string): number {
  if (truth === '') return raws.length === 0 ? 0 : -1;
  if (raws.length === 0) return -2;
  const order = [...raws].sort((a, b) => b.raw - a.raw || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return order.findIndex((r) => r.node === truth);
}

export interface Calibration {
  temperature: number;
  noneLogit: number;
  scoreForm: ScoreForm;
  topK: number;
}

const TEMPERATURES = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6];
const NONE_LOGITS = [-2, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6];
const P_FLOOR = 1e-3;
/** Calibration forms tried (bench env RANK_CAL_TOPK="0" restricts them, for the change log's ablation). */
const CALIBRATION_TOP_K = (process.env.RANK_CAL_TOPK ?? '0,3,5').split(',').map(Number);

/** Probability of the truth ('' = none) under a calibration. */
export function truthProbability(raws: Raw[], truth: string, cal: Calibration): number {
  const ranking = probabilityRanking(raws, cal.temperature, cal.noneLogit, cal.scoreForm, cal.topK);
  if (truth === '') return 1 - ranking.reduce((s, r) => s + r.score, 0);
  return ranking.find((r) => r.node === truth)?.score ?? 0;
}

/** Temperature and none logit minimising the mean negative log-likelihood of the truth, each system weighted equally. */
export function fitCalibration(items: { raws: Raw[]; truth: string; system: string }[]): Calibration {
  const systems = [...new Set(items.map((i) => i.system))];
  let best: Calibration = { temperature: 1, noneLogit: 0, scoreForm: 'linear', topK: 0 };
  let bestLoss = Infinity;
  for (const topK of CALIBRATION_TOP_K)
    for (const scoreForm of ['linear', 'log'] as const)
      for (const temperature of TEMPERATURES)
        for (const noneLogit of NONE_LOGITS) {
          const cal = { temperature, noneLogit, scoreForm, topK };
          let loss = 0;
          for (const s of systems) {
            const mine = items.filter((i) => i.system === s);
            loss += mine.reduce((acc, i) => acc - Math.log(Math.max(P_FLOOR, truthProbability(i.raws, i.truth, cal))), 0) / mine.length;
          }
          if (loss < bestLoss - 1e-12) {
            bestLoss = loss;
            best = cal;
          }
        }
  return best;
}

/** Expected calibration error of the top answer's probability, and the reliability table (equal-width bins). */
export function reliability(
  preds: { confidence: number; correct: boolean }[],
  bins = 10,
): { ece: number; table: { bin: string; n: number; confidence: number; accuracy: number }[] } {
  const table: { bin: string; n: number; confidence: number; accuracy: number }[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const inBin = preds.filter((p) => p.confidence >= lo && (b === bins - 1 ? p.confidence <= hi : p.confidence < hi));
    if (!inBin.length) continue;
    const confidence = inBin.reduce((s, p) => s + p.confidence, 0) / inBin.length;
    const accuracy = inBin.filter((p) => p.correct).length / inBin.length;
    ece += (inBin.length / Math.max(1, preds.length)) * Math.abs(confidence - accuracy);
    table.push({ bin: `${lo.toFixed(1)}-${hi.toFixed(1)}`, n: inBin.length, confidence: Number(confidence.toFixed(3)), accuracy: Number(accuracy.toFixed(3)) });
  }
  return { ece: Number(ece.toFixed(4)), table };
}

export interface SystemCvResult {
  /** Per case (same order as the cases): held-out position of the truth and the top answer's probability. */
  position: number[];
  top: { node: string; score: number }[];
  chosen: Record<string, { config: Config; calibration: Calibration }>;
  /** The config and calibration chosen on every system (what the defaults should be; its figure is in-sample). */
  onAll: { config: Config; calibration: Calibration };
}

/**
 * Leave-one-system-out: for each system, the config with the best mean (top-1 + top-3) / 2 over the other
 * systems (each weighted equally) and the calibration fitted on them score the held-out system.
 */
export function leaveOneSystemOut(cases: DevCase[], grid: Config[], precomputed?: Raw[][][]): SystemCvResult {
  const raws = precomputed ?? rawTable(cases, grid);
  const pos = raws.map((perCase) => perCase.map((r, i) => positionIn(r, cases[i].truth)));
  const systems = [...new Set(cases.map((c) => c.system))];
  const position = new Array<number>(cases.length).fill(-1);
  const top = new Array<{ node: string; score: number }>(cases.length);
  const chosen: SystemCvResult['chosen'] = {};
  for (const held of systems) {
    const groups = systems.filter((s) => s !== held).map((s) => cases.flatMap((c, i) => (c.system === s ? [i] : [])));
    const k = choose(pos, groups);
    const train = groups.flat().map((i) => ({ raws: raws[k][i], truth: cases[i].truth, system: cases[i].system }));
    const calibration = fitCalibration(train);
    chosen[held] = { config: grid[k], calibration };
    cases.forEach((c, i) => {
      if (c.system !== held) return;
      position[i] = pos[k][i];
      const r = probabilityRanking(raws[k][i], calibration.temperature, calibration.noneLogit, calibration.scoreForm, calibration.topK);
      top[i] = r[0] ?? { node: '', score: 0 };
    });
  }
  const everything = systems.map((s) => cases.flatMap((c, i) => (c.system === s ? [i] : [])));
  const kAll = choose(pos, everything);
  const onAll = { config: grid[kAll], calibration: fitCalibration(cases.map((c, i) => ({ raws: raws[kAll][i], truth: c.truth, system: c.system }))) };
  return { position, top, chosen, onAll };
}

/** Raw scores of every case under every config (grid index -> case index -> raws). */
export function rawTable(cases: DevCase[], grid: Config[]): Raw[][][] {
  return grid.map((g) => cases.map((c) => rawScores(c, g)));
}
