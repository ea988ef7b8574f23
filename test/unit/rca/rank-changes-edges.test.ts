import { describe, expect, it } from 'vitest';
import { analyzeSeries, groupEdgeSamples, groupSamples, rankRootCauses } from '../../../functions/core/rca/rank.ts';
import type { Change, Sample } from '../../../functions/core/rca/rank.ts';
import { probabilityRanking } from '../../../functions/core/rca/graph-ranking.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { makeSimCase } from '../../support/sim-propagation.ts';
import { makeXrayCase } from '../../support/xray-synth.ts';
import { gauss } from './synth.ts';

const T0 = 1_767_225_600;
const SPLIT = T0 + 40 * 60;

/** Per-minute latency.p99, availability and requests; `bad` nodes degrade from `from` minutes after the split. */
function series(nodes: Record<string, { latency?: number; slow?: number; errors?: number; from?: number }>, seed = 5): Sample[] {
  const rng = new Rng(seed);
  const out: Sample[] = [];
  for (let m = 0; m < 55; m++) {
    const ts = T0 + m * 60;
    for (const [node, s] of Object.entries(nodes)) {
      const active = ts >= SPLIT + 60 * (s.from ?? 0);
      out.push({ ts, node, metric: 'requests', value: Math.round(600 + 20 * gauss(rng)) });
      out.push({ ts, node, metric: 'latency.p99', value: (s.latency ?? 50) * (1 + 0.05 * gauss(rng)) * (active && s.slow ? s.slow : 1) });
      out.push({ ts, node, metric: 'availability', value: 1 - Math.abs(0.001 * gauss(rng)) - (active && s.errors ? s.errors : 0) });
    }
  }
  return out;
}

describe('edges as evidence (issue 21)', () => {
  it('a callee whose calls fail only at its caller is a candidate; with edgeExplain it is blamed, not the caller', () => {
    let explained = 0;
    let candidate = 0;
    const n = 12;
    for (let seed = 1; seed <= n; seed++) {
      const c = makeSimCase(910_000 + seed, { fault: 'error-burst', root: 'payment-service', edgeMetrics: true, silent: true });
      const input = { ...c, edgeSamples: c.edgeSamples };
      if (
        rankRootCauses(input)
          .slice(0, 3)
          .some((r) => r.node === 'payment-service')
      )
        candidate++;
      if (rankRootCauses(input, { edgeExplain: 1 })[0]?.node === 'payment-service') explained++;
    }
    expect(candidate).toBe(n);
    expect(explained).toBe(n);
  });

  it('edge metrics of a node outside the graph add the edge', () => {
    const samples = series({ web: { errors: 0.2 }, api: {} });
    const edgeSamples = [];
    for (let m = 0; m < 55; m++) {
      const ts = T0 + m * 60;
      edgeSamples.push({ ts, from: 'web', to: 'api', metric: 'errors', value: ts >= SPLIT ? 0.2 : 0.001 * (m % 3) });
    }
    const r = analyzeSeries({ edges: [], series: groupSamples(samples), edgeSeries: groupEdgeSamples(edgeSamples), split: SPLIT, target: 'web' });
    expect(r.ranking[0].node).toBe('api');
    expect(r.nodes.find((x) => x.node === 'api')!.topMetric).toBe('edge:web->api:errors');
  });
});

describe('changes as evidence (issue 21)', () => {
  const edges = [
    { from: 'web', to: 'a' },
    { from: 'web', to: 'b' },
  ];

  it('two rollouts at once: the one whose symptoms follow wins', () => {
    const samples = series({ web: { slow: 1.6, from: 1 }, a: { slow: 1.5, from: 1 }, b: {} });
    const changes: Change[] = [
      { node: 'a', at: SPLIT - 60, kind: 'rollout' },
      { node: 'b', at: SPLIT - 60, kind: 'rollout' },
    ];
    const r = rankRootCauses({ edges, samples, split: SPLIT, target: 'web', changes });
    expect(r[0].node).toBe('a');
  });

  it('a change before the symptoms raises a candidate; the same change after its onset does not', () => {
    // a and b equally abnormal: the change decides
    const samples = series({ web: { slow: 1.6 }, a: { slow: 2 }, b: { slow: 2 } });
    const before = rankRootCauses({ edges, samples, split: SPLIT, target: 'web', changes: [{ node: 'b', at: SPLIT - 120, kind: 'rollout' }] });
    expect(before[0].node).toBe('b');
    const plain = rankRootCauses({ edges, samples, split: SPLIT, target: 'web' });
    const after = rankRootCauses({ edges, samples, split: SPLIT, target: 'web', changes: [{ node: 'b', at: SPLIT + 600, kind: 'rollout' }] });
    expect(after).toEqual(plain);
  });

  it('a change with only weak functional symptoms at the target is reported, not []', () => {
    const samples = series({ web: { errors: 0.003 }, a: {}, b: {} });
    expect(rankRootCauses({ edges, samples, split: SPLIT, target: 'web' })).toEqual([]);
    const r = rankRootCauses({ edges, samples, split: SPLIT, target: 'web', changes: [{ node: 'a', at: SPLIT - 60, kind: 'rollout' }] });
    expect(r[0]?.node).toBe('a');
  });

  it('a change alone, with a quiet target, is no incident', () => {
    const samples = series({ web: {}, a: {}, b: {} });
    expect(rankRootCauses({ edges, samples, split: SPLIT, target: 'web', changes: [{ node: 'a', at: SPLIT - 60, kind: 'rollout' }] })).toEqual([]);
  });
});

describe('shared sinks (issue 21)', () => {
  it('a database many services call, anomalous only through one of them, is discounted', () => {
    const edges = [
      { from: 'web', to: 's1' },
      { from: 'web', to: 's2' },
      { from: 'web', to: 's3' },
      { from: 's1', to: 'db' },
      { from: 's2', to: 'db' },
      { from: 's3', to: 'db' },
    ];
    const samples = series({ web: { slow: 1.5 }, s1: { slow: 3 }, s2: {}, s3: {}, db: { slow: 3 } });
    const input = { edges, series: groupSamples(samples), split: SPLIT, target: 'web' };
    const off = analyzeSeries(input, { sinkPenalty: 0 }).nodes.find((n) => n.node === 'db')!.rawScore;
    const on = analyzeSeries(input, { sinkPenalty: 0.5 }).nodes.find((n) => n.node === 'db')!.rawScore;
    expect(on).toBeCloseTo(off * (1 - 0.5 * (2 / 3)), 6);
  });
});

describe('scores are probabilities (issue 21)', () => {
  it('sum to at most 1 and are not saturated', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const c = makeXrayCase(810_000 + seed, { edgeMetrics: true, changes: true });
      const r = rankRootCauses(c);
      const sum = r.reduce((s, x) => s + x.score, 0);
      expect(sum).toBeLessThanOrEqual(1);
      for (const x of r) expect(x.score).toBeLessThan(1);
    }
  });

  it('the none/uncertain mass: a softmax over raw scores plus a none logit', () => {
    const r = probabilityRanking(
      [
        { node: 'a', raw: 2 },
        { node: 'b', raw: 0 },
        { node: 'c', raw: 2 },
      ],
      1,
      2,
    );
    expect(r.map((x) => x.node)).toEqual(['a', 'c']);
    expect(r[0].score).toBeCloseTo(1 / 3, 5);
    expect(probabilityRanking([], 1, 2)).toEqual([]);
    // a higher temperature flattens, the log form compresses large raw scores
    const sharp = probabilityRanking(
      [
        { node: 'a', raw: 6 },
        { node: 'b', raw: 3 },
      ],
      0.5,
      0,
    );
    const flat = probabilityRanking(
      [
        { node: 'a', raw: 6 },
        { node: 'b', raw: 3 },
      ],
      3,
      0,
    );
    expect(sharp[0].score).toBeGreaterThan(flat[0].score);
  });
});
