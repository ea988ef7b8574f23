/**
 * The Nezha development set (../shared/data/nezha, see its README) loaded in-process, plus the README's naive
 * baseline and a top-k scorer, so rankers can be compared and cross-validated without spawning the CLI per case.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEdges, readMetrics } from '../../cli/commands/rank.ts';
import type { Edge, RankedNode, Series } from '../../functions/core/rca/rank.ts';

export interface NezhaCase {
  name: string;
  system: string;
  faultType: string;
  split: number;
  target: string;
  truth: string;
  edges: Edge[];
  series: Series[];
}

/** All cases under `dir/cases`, or undefined when the data set is absent. */
export function loadNezha(dir: string): NezhaCase[] | undefined {
  const casesDir = join(dir, 'cases');
  if (!existsSync(casesDir)) return undefined;
  const out: NezhaCase[] = [];
  for (const name of readdirSync(casesDir).sort()) {
    const d = join(casesDir, name);
    if (!existsSync(join(d, 'case.json'))) continue;
    const c = JSON.parse(readFileSync(join(d, 'case.json'), 'utf8')) as { split: number; target: string; truth: string; faultType: string; system: string };
    out.push({ name, ...c, edges: readEdges(join(d, 'edges.json')), series: readMetrics(join(d, 'metrics.csv')).series });
  }
  return out;
}

/** The README's naive baseline: per node, max over metrics of |post mean - pre mean| / (pre stdev + 1% of |pre mean|). */
export function naiveRank(c: { series: Series[]; split: number }): RankedNode[] {
  const best = new Map<string, number>();
  for (const s of c.series) {
    const pre: number[] = [];
    const post: number[] = [];
    for (let i = 0; i < s.ts.length; i++) if (Number.isFinite(s.value[i])) (s.ts[i] < c.split ? pre : post).push(s.value[i]);
    if (pre.length === 0 || post.length === 0) continue;
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const m = mean(pre);
    const sd = Math.sqrt(pre.reduce((x, y) => x + (y - m) ** 2, 0) / pre.length);
    const z = Math.abs(mean(post) - m) / (sd + 0.01 * Math.abs(m) + 1e-12);
    if (z > (best.get(s.node) ?? -1)) best.set(s.node, z);
  }
  return [...best].map(([node, score]) => ({ node, score })).sort((a, b) => b.score - a.score || (a.node < b.node ? -1 : 1));
}

export interface Accuracy {
  cases: number;
  top1: number;
  top3: number;
  empty: number;
}

export function accuracy(results: { truth: string; ranking: RankedNode[] }[]): Accuracy {
  let top1 = 0;
  let top3 = 0;
  let empty = 0;
  for (const r of results) {
    const pos = r.ranking.findIndex((x) => x.node === r.truth);
    if (pos === 0) top1++;
    if (pos >= 0 && pos < 3) top3++;
    if (r.ranking.length === 0) empty++;
  }
  const n = results.length || 1;
  const round = (x: number): number => Number(x.toFixed(3));
  return { cases: results.length, top1: round(top1 / n), top3: round(top3 / n), empty };
}
