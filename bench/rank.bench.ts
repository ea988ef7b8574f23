/**
 * Root-cause ranking benchmark (`fleetops rank`).
 *  1. Accuracy: top-1 / top-3 of the injected root cause over 100 seeded synthetic incidents
 *     (test/unit/rca/synth.ts: 8–15 services, chain / tree / diamond / cycle / random DAG, latency / availability /
 *     cpu faults propagating attenuated to callers), overall and per topology and fault; plus the false-positive
 *     rate (non-empty answer) on 100 fault-free datasets.
 *  1b. The X-Ray-style generator (test/support/xray-synth.ts: ~40 nodes with databases, queues and external
 *     endpoints, sparse heavy-tailed bursty series, level shifts, low-traffic noise nodes): top-1 / top-3 on
 *     latency and availability faults, and the share of normal windows answered with [] (seeds disjoint from
 *     the calibration seeds used in 1c).
 *  1d. The simulator's own propagating faults (test/support/sim-propagation.ts over sim/mesh.ts): error-burst,
 *     latency-spike and cpu-spike in a callee of `shop`, incident opened on frontend; and normal windows.
 *  1c. The Nezha development set (../shared/data/nezha; skipped with a message when absent): top-1 / top-3 overall,
 *     per system, per fault type (`fault:<type>`) and per system and fault type, with the shipped defaults
 *     (in-sample: they were chosen on it) and cross-validated (parameters chosen without the scored cases:
 *     leave-one-system-out and 5-fold), against the README's naive baseline on the same groups.
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
import { makeXrayCase } from '../test/support/xray-synth.ts';
import { makeSimCase, SIM_CALLEES, SIM_FAULTS } from '../test/support/sim-propagation.ts';
import { groupSamples } from '../functions/core/rca/rank.ts';
import { accuracy, loadNezha, naiveRank } from './support/nezha.ts';
import type { NezhaCase } from './support/nezha.ts';
import { crossValidate, positionTable, rankGrid, choose, top, leaveOneSystemOut, rawTable, reliability } from './support/rank-cv.ts';
import type { Config, DevCase, LabelledCase } from './support/rank-cv.ts';
import { groupEdgeSamples } from '../functions/core/rca/rank.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'bin', 'fleetops.js');
const pick = <T extends object>(o: T, keys: (keyof T)[]): Partial<T> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Partial<T>;
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

// 1b. X-Ray-style generator (evaluation seeds 1..N; calibration seeds live in 5000+ / 6000+)
const xrayCases = Number(process.env.RANK_XRAY_CASES ?? 60);
t = performance.now();
const xr: { truth: string; ranking: { node: string; score: number }[]; fault: string }[] = [];
for (let seed = 1; seed <= xrayCases; seed++) {
  const c = makeXrayCase(seed);
  xr.push({ truth: c.root, fault: c.fault, ranking: analyzeSeries({ ...c, series: groupSamples(c.samples) }).ranking });
}
let normalEmpty = 0;
let topScores = 0;
for (let seed = 1; seed <= xrayCases; seed++) {
  const c = makeXrayCase(100_000 + seed, { fault: 'none' });
  const r = analyzeSeries({ ...c, series: groupSamples(c.samples) }).ranking;
  if (r.length === 0) normalEmpty++;
  else topScores += r[0].score;
}
const xrSeconds = sec(performance.now() - t);
console.log(
  JSON.stringify({
    bench: 'rank-xray-generator',
    cases: xrayCases,
    ...pick(accuracy(xr), ['top1', 'top3', 'empty']),
    latency: pick(accuracy(xr.filter((x) => x.fault === 'latency')), ['cases', 'top1', 'top3']),
    availability: pick(accuracy(xr.filter((x) => x.fault === 'availability')), ['cases', 'top1', 'top3']),
    normal_windows: xrayCases,
    normal_empty_rate: round(normalEmpty / xrayCases),
    normal_mean_top_score_when_reported: xrayCases - normalEmpty ? round(topScores / (xrayCases - normalEmpty)) : null,
    seconds: xrSeconds,
  }),
);

// 1d. the simulator's own propagating faults (sim/mesh.ts), root in a callee, incident opened on frontend
{
  t = performance.now();
  const sim: { truth: string; ranking: { node: string; score: number }[]; fault: string }[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    const c = makeSimCase(200_000 + seed, {
      fault: SIM_FAULTS[seed % SIM_FAULTS.length],
      root: SIM_CALLEES[Math.floor(seed / SIM_FAULTS.length) % SIM_CALLEES.length],
    });
    sim.push({ truth: c.root, fault: c.fault, ranking: rankRootCauses(c) });
  }
  let simEmpty = 0;
  for (let seed = 1; seed <= 30; seed++) if (rankRootCauses(makeSimCase(300_000 + seed, { fault: 'none' })).length === 0) simEmpty++;
  console.log(
    JSON.stringify({
      bench: 'rank-simulator-propagation',
      ...pick(accuracy(sim), ['cases', 'top1', 'top3']),
      by_fault: Object.fromEntries(SIM_FAULTS.map((f) => [f, pick(accuracy(sim.filter((x) => x.fault === f)), ['cases', 'top1', 'top3'])])),
      normal_windows: 30,
      normal_empty_rate: round(simEmpty / 30),
      seconds: sec(performance.now() - t),
    }),
  );
}

// 1c. Nezha: in-sample with the defaults, cross-validated, and the naive baseline
const nezhaDir = join(here, '..', '..', 'shared', 'data', 'nezha');
const nezha = loadNezha(nezhaDir);
if (!nezha) {
  console.log(JSON.stringify({ bench: 'rank-nezha', skipped: `no data set at ${nezhaDir}` }));
} else {
  t = performance.now();
  const systems = [...new Set(nezha.map((c) => c.system))].sort();
  // groups: everything, each system, each fault type (`fault:<type>`) and each system's fault types
  const faultTypes = [...new Set(nezha.map((c) => c.faultType))].sort();
  const groupKeys = [
    'all',
    ...systems,
    ...faultTypes.map((f) => `fault:${f}`),
    ...systems.flatMap((s) => faultTypes.filter((f) => nezha.some((c) => c.system === s && c.faultType === f)).map((f) => `${s}/${f}`)),
  ];
  const inGroup = (c: NezhaCase, key: string): boolean =>
    key === 'all' || c.system === key || key === `fault:${c.faultType}` || key === `${c.system}/${c.faultType}`;
  const perSystem = (f: (c: NezhaCase) => { node: string; score: number }[]): Record<string, unknown> =>
    Object.fromEntries(
      groupKeys.map((k) => [
        k,
        pick(accuracy(nezha.filter((c) => inGroup(c, k)).map((c) => ({ truth: c.truth, ranking: f(c) }))), ['cases', 'top1', 'top3', 'empty']),
      ]),
    );
  const inSample = perSystem((c) => analyzeSeries(c).ranking);
  const naive = perSystem((c) => naiveRank(c));
  const inSampleSeconds = sec(performance.now() - t);

  t = performance.now();
  const labelled: LabelledCase[] = nezha.map((c) => ({ ...c, group: c.system }));
  const calibration: LabelledCase[] = [];
  for (let seed = 1; seed <= Number(process.env.RANK_CALIBRATION_CASES ?? 16); seed++) {
    for (const fault of ['latency', 'availability', 'none'] as const) {
      const c = makeXrayCase(5000 + seed * 3 + ['latency', 'availability', 'none'].indexOf(fault), { fault });
      calibration.push({
        edges: c.edges,
        series: groupSamples(c.samples),
        split: c.split,
        target: c.target,
        truth: c.root,
        group: fault === 'none' ? 'generator-normal' : 'generator',
      });
    }
  }
  const extraGroups = calibration.map((c) => c.group);
  const grid = rankGrid();
  const table = positionTable([...labelled, ...calibration], grid);
  const report = (heldOut: number[]): Record<string, unknown> =>
    Object.fromEntries(
      groupKeys.map((k) => {
        const pos = heldOut.filter((_, i) => inGroup(nezha[i], k));
        return [k, { cases: pos.length, top1: round(top(pos, 1)), top3: round(top(pos, 3)) }];
      }),
    );
  const loso = crossValidate(table, grid, labelled, extraGroups);
  const kfold = crossValidate(table, grid, labelled, extraGroups, 5);
  const all = labelled.map((_, i) => i);
  const calib = (g: string): number[] => calibration.flatMap((c, i) => (c.group === g ? [labelled.length + i] : []));
  const bestInSample = grid[choose(table, [...systems.map((s) => all.filter((i) => labelled[i].group === s)), calib('generator'), calib('generator-normal')])];
  console.log(
    JSON.stringify({
      bench: 'rank-nezha',
      in_sample_defaults: inSample,
      cv_leave_one_system_out: report(loso.heldOut),
      cv_5_fold: report(kfold.heldOut),
      naive_baseline: naive,
      grid_size: grid.length,
      chosen_leave_one_system_out: loso.chosen,
      grid_best_on_everything: bestInSample,
      seconds: { in_sample: inSampleSeconds, cv: sec(performance.now() - t) },
    }),
  );
}

// 1e. every development system, leave-one-system-out (issue 21): the figure that counts comes first
{
  t = performance.now();
  const dev: DevCase[] = [];
  for (const c of nezha ?? []) dev.push({ ...c, system: `nezha-${c.system}`, kind: c.faultType });
  for (let seed = 1; seed <= 60; seed++) {
    const c = makeSimCase(200_000 + seed, {
      fault: SIM_FAULTS[seed % SIM_FAULTS.length],
      root: SIM_CALLEES[Math.floor(seed / SIM_FAULTS.length) % SIM_CALLEES.length],
    });
    dev.push({ edges: c.edges, series: groupSamples(c.samples), split: c.split, target: c.target, truth: c.root, system: 'simulator-mesh', kind: c.fault });
  }
  for (let seed = 1; seed <= 20; seed++) {
    const c = makeSimCase(300_000 + seed, { fault: 'none' });
    dev.push({ edges: c.edges, series: groupSamples(c.samples), split: c.split, target: c.target, truth: '', system: 'simulator-mesh', kind: 'normal' });
  }
  // the simulator's Istio edge view and rollouts: silent callees (failures counted only at the caller), changes
  for (let seed = 1; seed <= 30; seed++) {
    const silent = seed % 2 === 0;
    const changes = seed % 3 !== 0;
    const c = makeSimCase(250_000 + seed, {
      fault: silent ? 'error-burst' : SIM_FAULTS[seed % SIM_FAULTS.length],
      root: SIM_CALLEES[seed % SIM_CALLEES.length],
      edgeMetrics: true,
      silent,
      changes,
    });
    dev.push({
      edges: c.edges,
      series: groupSamples(c.samples),
      split: c.split,
      target: c.target,
      truth: c.root,
      system: 'simulator-mesh',
      kind: `edges${silent ? '+silent' : ''}${changes ? '+changes' : ''}`,
      edgeSeries: groupEdgeSamples(c.edgeSamples ?? []),
      changes: c.changes,
    });
  }
  for (let seed = 1; seed <= 10; seed++) {
    const c = makeSimCase(350_000 + seed, { fault: 'none', edgeMetrics: true, changes: true });
    dev.push({
      edges: c.edges,
      series: groupSamples(c.samples),
      split: c.split,
      target: c.target,
      truth: '',
      system: 'simulator-mesh',
      kind: 'normal+edges+changes',
      edgeSeries: groupEdgeSamples(c.edgeSamples ?? []),
      changes: c.changes,
    });
  }
  const xrayDev = (seed: number, o: Parameters<typeof makeXrayCase>[1], kind: string): void => {
    const c = makeXrayCase(seed, o);
    dev.push({
      edges: c.edges,
      series: groupSamples(c.samples),
      split: c.split,
      target: c.target,
      truth: c.root,
      system: 'xray-generator',
      kind,
      ...(c.edgeSamples ? { edgeSeries: groupEdgeSamples(c.edgeSamples) } : {}),
      ...(c.changes ? { changes: c.changes } : {}),
    });
  };
  const devCount = Number(process.env.RANK_DEV_CASES ?? 30);
  for (let seed = 1; seed <= devCount; seed++) xrayDev(400_000 + seed, {}, 'plain');
  for (let seed = 1; seed <= devCount; seed++) {
    const silent = seed % 3 === 0;
    const changes = seed % 2 === 0;
    xrayDev(500_000 + seed, { edgeMetrics: true, silent, changes }, `edges${silent ? '+silent' : ''}${changes ? '+changes' : ''}`);
  }
  for (let seed = 1; seed <= 10; seed++) xrayDev(600_000 + seed, { fault: 'none' }, 'normal');
  for (let seed = 1; seed <= 10; seed++) xrayDev(700_000 + seed, { fault: 'none', edgeMetrics: true, changes: true }, 'normal+edges+changes');
  const buildSeconds = sec(performance.now() - t);

  // the grid: the earlier knobs kept small, plus the new evidence (0 = off, so the grid contains the old ranker)
  const grid: Config[] = [];
  for (const calleePenalty of [0.25, 0.5])
    for (const [threshold, quietTargetFactor] of [
      [3, 2],
      [4, 1],
    ])
      for (const edgeExplain of [0, 1])
        for (const changeWeight of [0, 1.5, 3])
          for (const sinkPenalty of [0, 0.5])
            grid.push({ callerWeight: 0.25, calleePenalty, minTrafficShare: 0.03, threshold, quietTargetFactor, edgeExplain, changeWeight, sinkPenalty });
  const before: Config[] = grid.filter((g) => g.edgeExplain === 0 && g.changeWeight === 0 && g.sinkPenalty === 0).map((g) => ({ ...g, edgeWeight: 0 }));
  t = performance.now();
  const summarise = (cv: ReturnType<typeof leaveOneSystemOut>): Record<string, unknown> => {
    const systems = [...new Set(dev.map((c) => c.system))];
    const bySystem: Record<string, unknown> = {};
    for (const s of systems) {
      const idx = dev.flatMap((c, i) => (c.system === s ? [i] : []));
      const faulted = idx.filter((i) => dev[i].truth !== '');
      const normal = idx.filter((i) => dev[i].truth === '');
      const kinds = [...new Set(faulted.map((i) => dev[i].kind))].sort();
      bySystem[s] = {
        cases: faulted.length,
        top1: round(
          top(
            faulted.map((i) => cv.position[i]),
            1,
          ),
        ),
        top3: round(
          top(
            faulted.map((i) => cv.position[i]),
            3,
          ),
        ),
        ...(normal.length
          ? {
              normal_windows: normal.length,
              normal_empty_rate: round(
                top(
                  normal.map((i) => cv.position[i]),
                  1,
                ),
              ),
            }
          : {}),
        by_kind: Object.fromEntries(
          kinds.map((k) => {
            const p = faulted.filter((i) => dev[i].kind === k).map((i) => cv.position[i]);
            return [k, { cases: p.length, top1: round(top(p, 1)), top3: round(top(p, 3)) }];
          }),
        ),
      };
    }
    const faultedAll = dev.flatMap((c, i) => (c.truth !== '' ? [i] : []));
    const meanOver = (k: number): number =>
      round(
        systems.reduce(
          (acc, s) =>
            acc +
            top(
              faultedAll.filter((i) => dev[i].system === s).map((i) => cv.position[i]),
              k,
            ),
          0,
        ) / systems.length,
      );
    const preds = faultedAll.filter((i) => cv.top[i].node !== '').map((i) => ({ confidence: cv.top[i].score, correct: cv.top[i].node === dev[i].truth }));
    const rel = reliability(preds);
    return {
      mean_over_systems: { top1: meanOver(1), top3: meanOver(3) },
      pooled: {
        cases: faultedAll.length,
        top1: round(
          top(
            faultedAll.map((i) => cv.position[i]),
            1,
          ),
        ),
        top3: round(
          top(
            faultedAll.map((i) => cv.position[i]),
            3,
          ),
        ),
      },
      by_system: bySystem,
      calibration: {
        ece: rel.ece,
        answered: preds.length,
        mean_top_probability: round(preds.reduce((s, p) => s + p.confidence, 0) / Math.max(1, preds.length)),
        reliability: rel.table,
      },
      chosen: cv.chosen,
      chosen_on_all_systems: cv.onAll,
    };
  };
  const table = rawTable(dev, grid);
  const after = summarise(leaveOneSystemOut(dev, grid, table));
  const afterSeconds = sec(performance.now() - t);
  const beforeCv = summarise(leaveOneSystemOut(dev, before));
  // ablations for the change log: the same protocol with one rule held off (its knob fixed at 0)
  const ablation: Record<string, unknown> = {};
  for (const knob of ['edgeExplain', 'changeWeight', 'sinkPenalty'] as const) {
    const keep = grid.flatMap((g, i) => (g[knob] === 0 ? [i] : []));
    const cv = summarise(
      leaveOneSystemOut(
        dev,
        keep.map((i) => grid[i]),
        keep.map((i) => table[i]),
      ),
    );
    ablation[`without_${knob}`] = { mean_over_systems: cv.mean_over_systems, ece: (cv.calibration as { ece: number }).ece };
  }
  console.log(
    JSON.stringify({
      bench: 'rank-cv',
      method: 'leave-one-system-out; grid and calibration (temperature, none logit) chosen on the other systems',
      ...after,
      seconds: { build: buildSeconds, cv: afterSeconds },
    }),
  );
  console.log(JSON.stringify({ bench: 'rank-cv-ablation', method: 'leave-one-system-out with one rule off', ...ablation }));
  console.log(
    JSON.stringify({
      bench: 'rank-cv-without-new-evidence',
      method: 'same protocol, edges / changes / sink discount off (the ranker before issue 21, with calibrated probabilities)',
      ...beforeCv,
    }),
  );
}

// 1f. speed: 50 nodes, 30 minutes of 1-minute data, edges and changes (the bar: <= 1 s per case)
{
  const c = makeXrayCase(4242, { services: 38, normalMinutes: 20, incidentMinutes: 10, edgeMetrics: true, changes: true });
  const input = {
    edges: c.edges,
    series: groupSamples(c.samples),
    split: c.split,
    target: c.target,
    edgeSeries: groupEdgeSamples(c.edgeSamples ?? []),
    changes: c.changes,
  };
  const nodes = new Set(c.edges.flatMap((e) => [e.from, e.to])).size;
  analyzeSeries(input);
  const runs = 20;
  t = performance.now();
  for (let i = 0; i < runs; i++) analyzeSeries(input);
  console.log(
    JSON.stringify({
      bench: 'rank-speed',
      nodes,
      minutes: 30,
      series: input.series.length,
      edge_series: input.edgeSeries.length,
      seconds_per_case: Number(((performance.now() - t) / runs / 1000).toFixed(4)),
    }),
  );
}

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
  const run = spawnSync(
    process.execPath,
    [cli, 'rank', '--graph', graphPath, '--metrics', metricsPath, '--split', String(big.split), '--target', big.target, '--target-metric', 'latency.p99'],
    {
      encoding: 'utf8',
    },
  );
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
