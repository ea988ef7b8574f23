/**
 * Root-cause ranking benchmark (`fleetops rank`).
 *  1. Accuracy: top-1 / top-3 of the injected root cause over 100 seeded synthetic incidents
 *     (test/unit/rca/synth.ts: 8–15 services, chain / tree / diamond / cycle / random DAG, latency / availability /
 *     cpu faults propagating attenuated to callers), overall and per topology and fault; plus the false-positive
 *     rate (non-empty answer) on 100 fault-free datasets.
 *  2. Runtime: `fleetops rank` as a subprocess on a ~1M-row METRICS.csv (50 services x 4 metrics x 5000 points,
 *     env RANK_ROWS overrides the row count), and the in-process parse / rank split.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsvWriter } from '../cli/csv.ts';
import { readMetrics } from '../cli/commands/rank.ts';
import { analyzeSeries, rankRootCauses } from '../functions/core/rca/rank.ts';
import { makeRcaCase } from '../test/unit/rca/synth.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'bin', 'fleetops.js');
const sec = (ms: number): number => Number((ms / 1000).toFixed(3));
const round = (x: number): number => Number(x.toFixed(4));

// 1. accuracy
const cases = 100;
let top1 = 0;
let top3 = 0;
const groups: Record<string, { n: number; top1: number; top3: number }> = {};
let t = performance.now();
for (let seed = 1; seed <= cases; seed++) {
  const c = makeRcaCase(10_000 + seed);
  const pos = rankRootCauses(c).findIndex((r) => r.node === c.root);
  for (const key of [`topology:${c.topology}`, `fault:${c.fault}`]) {
    const g = (groups[key] ??= { n: 0, top1: 0, top3: 0 });
    g.n++;
    if (pos === 0) g.top1++;
    if (pos >= 0 && pos < 3) g.top3++;
  }
  if (pos === 0) top1++;
  if (pos >= 0 && pos < 3) top3++;
}
const accuracySeconds = sec(performance.now() - t);
let falsePositives = 0;
for (let seed = 1; seed <= cases; seed++) {
  const c = makeRcaCase(20_000 + seed, { fault: 'none' });
  if (rankRootCauses(c).length > 0) falsePositives++;
}
console.log(
  JSON.stringify({
    bench: 'rank-accuracy',
    cases,
    top1: round(top1 / cases),
    top3: round(top3 / cases),
    false_positive_rate: round(falsePositives / cases),
    by_group: Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, { n: g.n, top1: round(g.top1 / g.n), top3: round(g.top3 / g.n) }])),
    seconds: accuracySeconds,
  }),
);

// 2. runtime on a ~1M-row CSV
const targetRows = Number(process.env.RANK_ROWS ?? 1_000_000);
const services = 50;
const points = Math.max(20, Math.round(targetRows / (services * 4)));
const incidentPoints = Math.max(5, Math.round(points / 5));
const big = makeRcaCase(31337, { topology: 'random', fault: 'latency', services, normalPoints: points - incidentPoints, incidentPoints });
const dir = mkdtempSync(join(tmpdir(), 'fleetops-rank-bench-'));
try {
  const graphPath = join(dir, 'edges.json');
  const metricsPath = join(dir, 'metrics.csv');
  writeFileSync(graphPath, JSON.stringify(big.edges));
  const w = new CsvWriter(metricsPath);
  w.write('timestamp,node,metric,value\n');
  for (const s of big.samples) w.write(`${s.ts},${s.node},${s.metric},${s.value.toFixed(4)}\n`);
  w.close();
  const rows = big.samples.length;
  big.samples.length = 0;

  t = performance.now();
  const run = spawnSync(process.execPath, [cli, 'rank', '--graph', graphPath, '--metrics', metricsPath, '--split', String(big.split), '--target', big.target, '--target-metric', 'latency.p99'], {
    encoding: 'utf8',
  });
  const cliSeconds = sec(performance.now() - t);
  if (run.status !== 0) throw new Error(`fleetops rank failed: ${run.stderr}`);
  const ranking = JSON.parse(run.stdout) as { node: string }[];

  t = performance.now();
  const m = readMetrics(metricsPath);
  const parseS = sec(performance.now() - t);
  t = performance.now();
  analyzeSeries({ edges: big.edges, series: m.series, split: big.split, target: big.target, targetMetric: 'latency.p99' });
  const rankS = sec(performance.now() - t);
  console.log(
    JSON.stringify({
      bench: 'rank-cli',
      rows,
      services,
      series: m.series.length,
      csv_mb: Number((statSync(metricsPath).size / 1e6).toFixed(1)),
      fleetops_cli_seconds: cliSeconds,
      fleetops_inprocess: { parse_s: parseS, rank_s: rankS },
      root_found_top1: ranking[0]?.node === big.root,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
