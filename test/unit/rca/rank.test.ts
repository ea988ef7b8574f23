import { describe, expect, it } from 'vitest';
import {
  alignedPearson,
  analyzeSeries,
  groupSamples,
  metricAnomaly,
  metricDirection,
  rankRootCauses,
  stronglyConnected,
} from '../../../functions/core/rca/rank.ts';
import type { Edge, RankInput, Sample } from '../../../functions/core/rca/rank.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { FAULTS, TOPOLOGIES, gauss, makeRcaCase } from './synth.ts';

const T0 = 1_767_225_600;
const SPLIT = T0 + 60 * 30;

/** Small hand-made dataset: `shifts[node] = {metric: incident shift}`; every node has 60 normal + 20 incident points. */
function dataset(nodes: string[], shifts: Record<string, Record<string, number>>, seed = 1): Sample[] {
  const rng = new Rng(seed);
  const samples: Sample[] = [];
  for (let k = 0; k < 80; k++) {
    const ts = T0 + k * 30;
    for (const node of nodes) {
      const shift = k >= 60 ? (shifts[node] ?? {}) : {};
      samples.push({ ts, node, metric: 'latency.p99', value: 100 * (1 + 0.05 * gauss(rng)) + (shift['latency.p99'] ?? 0) });
      samples.push({ ts, node, metric: 'availability', value: Math.min(1, 0.999 - Math.abs(0.0005 * gauss(rng)) + (shift.availability ?? 0)) });
    }
  }
  return samples;
}

const chain = (...names: string[]): Edge[] => names.slice(1).map((to, i) => ({ from: names[i], to }));

describe('rankRootCauses on synthetic microservice incidents', () => {
  it('finds the injected root cause: top-1 >= 85%, top-3 >= 95% over 60 seeded cases (5 topologies x 3 faults)', () => {
    let top1 = 0;
    let top3 = 0;
    let cases = 0;
    const misses: string[] = [];
    for (let i = 0; i < 60; i++) {
      const topology = TOPOLOGIES[i % TOPOLOGIES.length];
      const fault = FAULTS[Math.floor(i / TOPOLOGIES.length) % FAULTS.length];
      const c = makeRcaCase(1000 + i, { topology, fault });
      const ranking = rankRootCauses(c);
      const pos = ranking.findIndex((r) => r.node === c.root);
      cases++;
      if (pos === 0) top1++;
      else misses.push(`${i} ${topology}/${fault}: root ${c.root} at ${pos}`);
      if (pos >= 0 && pos < 3) top3++;
      // shape: scores in (0,1], highest first
      for (let j = 1; j < ranking.length; j++) expect(ranking[j].score).toBeLessThanOrEqual(ranking[j - 1].score);
      for (const r of ranking) {
        expect(r.score).toBeGreaterThan(0);
        expect(r.score).toBeLessThanOrEqual(1);
      }
    }
    expect(top1 / cases, misses.join('\n')).toBeGreaterThanOrEqual(0.85);
    expect(top3 / cases, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('returns [] when there is no fault (30 seeded datasets with noise, spikes and a traffic wave)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const c = makeRcaCase(seed, { fault: 'none' });
      expect(rankRootCauses(c), `seed ${seed}`).toEqual([]);
    }
  });

  it('works with only a few incident points and a late onset', () => {
    let top1 = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const c = makeRcaCase(500 + seed, { incidentPoints: 8 });
      if (rankRootCauses(c)[0]?.node === c.root) top1++;
    }
    expect(top1).toBeGreaterThanOrEqual(16);
  });

  it('is deterministic and independent of row and edge order', () => {
    const c = makeRcaCase(77, { topology: 'diamond', fault: 'latency' });
    const a = rankRootCauses(c);
    expect(rankRootCauses(c)).toEqual(a);
    const rng = new Rng(5);
    const shuffled = [...c.samples];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    expect(rankRootCauses({ ...c, samples: shuffled, edges: [...c.edges].reverse() })).toEqual(a);
  });

  it('orders equal scores by node name', () => {
    // two leaves with the same fault; identical data per node (same seed per node via identical shifts is not enough,
    // so copy the series)
    const base = dataset(['api', 'x'], { x: { 'latency.p99': 200 } });
    const samples = [
      ...base,
      ...base.filter((s) => s.node === 'x').map((s) => ({ ...s, node: 'b' })),
      ...base.filter((s) => s.node === 'x').map((s) => ({ ...s, node: 'a' })),
    ].filter((s) => s.node !== 'x');
    const r = rankRootCauses({
      edges: [
        { from: 'api', to: 'b' },
        { from: 'api', to: 'a' },
      ],
      samples,
      split: SPLIT,
      target: 'api',
    });
    expect(r.slice(0, 2).map((x) => x.node)).toEqual(['a', 'b']);
    expect(r[0].score).toBe(r[1].score);
    // two equally likely causes: neither can be more than even odds
    expect(r[0].score).toBeLessThanOrEqual(0.5);
  });
});

describe('graph handling', () => {
  it('blames the deepest abnormal service of a chain, not its callers', () => {
    const nodes = ['web', 'api', 'db', 'cache'];
    const samples = dataset(nodes, { web: { 'latency.p99': 150 }, api: { 'latency.p99': 180 }, db: { 'latency.p99': 200 } });
    const r = rankRootCauses({ edges: chain('web', 'api', 'db', 'cache'), samples, split: SPLIT, target: 'web' });
    expect(r[0].node).toBe('db');
  });

  it('handles a cycle (a -> b -> c -> a) and picks the most abnormal service on it', () => {
    const nodes = ['front', 'a', 'b', 'c'];
    const samples = dataset(nodes, { front: { 'latency.p99': 100 }, a: { 'latency.p99': 120 }, b: { 'latency.p99': 300 }, c: { 'latency.p99': 160 } });
    const edges = [...chain('front', 'a', 'b', 'c'), { from: 'c', to: 'a' }];
    expect(rankRootCauses({ edges, samples, split: SPLIT, target: 'front' })[0].node).toBe('b');
  });

  it('ignores self-loops and duplicate edges', () => {
    const samples = dataset(['web', 'db'], { web: { 'latency.p99': 100 }, db: { 'latency.p99': 200 } });
    const edges = [...chain('web', 'db'), { from: 'web', to: 'db' }, { from: 'db', to: 'db' }];
    expect(rankRootCauses({ edges, samples, split: SPLIT, target: 'web' })[0].node).toBe('db');
  });

  it('only ranks the target and its dependencies when the target is in the graph', () => {
    const samples = dataset(['web', 'db', 'batch', 'lonely'], { db: { availability: -0.1 }, batch: { availability: -0.3 }, lonely: { 'latency.p99': 500 } });
    // batch calls db but web does not depend on batch; lonely has metrics and no edges
    const edges = [...chain('web', 'db'), { from: 'batch', to: 'db' }];
    const r = rankRootCauses({ edges, samples, split: SPLIT, target: 'web' });
    expect(r.map((x) => x.node)).toEqual(['db']);
  });

  it('ranks every service with metrics when the target is not in the graph', () => {
    const samples = dataset(['web', 'db', 'lonely'], { web: { 'latency.p99': 100 }, lonely: { 'latency.p99': 400 } });
    const r = rankRootCauses({ edges: chain('x', 'y'), samples, split: SPLIT, target: 'web' });
    expect(r.map((x) => x.node).sort()).toEqual(['lonely', 'web']);
    expect(r[0].node).toBe('lonely');
  });

  it('works without any edges and with edges to services without metrics', () => {
    const samples = dataset(['web', 'api'], { web: { 'latency.p99': 200 }, api: { 'latency.p99': 300 } });
    expect(rankRootCauses({ edges: [], samples, split: SPLIT, target: 'web' })[0].node).toBe('api');
    // api calls an unobserved service: api is still the deepest observed abnormal service
    const r = rankRootCauses({ edges: [...chain('web', 'api', 'ghost')], samples, split: SPLIT, target: 'web' });
    expect(r[0].node).toBe('api');
    expect(r.some((x) => x.node === 'ghost')).toBe(false);
  });

  it('returns [] for empty inputs and when only non-candidates are abnormal', () => {
    expect(rankRootCauses({ edges: [], samples: [], split: SPLIT, target: 'web' })).toEqual([]);
    const samples = dataset(['web', 'db', 'other'], { other: { 'latency.p99': 500 } });
    expect(rankRootCauses({ edges: chain('web', 'db'), samples, split: SPLIT, target: 'web' })).toEqual([]);
  });

  it('rejects a non-finite split', () => {
    expect(() => rankRootCauses({ edges: [], samples: [], split: NaN, target: 'a' })).toThrow(/split/);
  });

  it('strongly connected components', () => {
    const next = new Map<string, Set<string>>([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set(['e'])],
    ]);
    const comp = stronglyConnected(['a', 'b', 'c', 'd', 'e'], next);
    expect(comp.get('a')).toBe(comp.get('b'));
    expect(comp.get('b')).toBe(comp.get('c'));
    expect(comp.get('d')).not.toBe(comp.get('a'));
    expect(comp.get('e')).not.toBe(comp.get('d'));
  });

  it('handles a long chain (10k services) without recursion limits', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
    const edges = [...chain(...names), { from: names[9999], to: names[0] }];
    const samples = dataset(['s0', 's5000'], { s5000: { 'latency.p99': 300 } });
    expect(rankRootCauses({ edges, samples, split: SPLIT, target: 's0' })[0].node).toBe('s5000');
  });
});

describe('targetMetric', () => {
  it('breaks ties by correlation with the target metric', () => {
    // alpha and zeta have the same values in a different order (same robust anomaly);
    // zeta follows the target's latency pattern, alpha runs against it
    const rng = new Rng(9);
    const samples: Sample[] = [];
    const pattern: number[] = [];
    for (let k = 0; k < 80; k++) pattern.push(100 + 5 * gauss(rng) + (k >= 60 ? 100 + 40 * Math.sin(k) : 0));
    const reversed = [...pattern.slice(0, 60).reverse(), ...pattern.slice(60).reverse()];
    for (let k = 0; k < 80; k++) {
      const ts = T0 + k * 30;
      samples.push({ ts, node: 'api', metric: 'latency.p99', value: 1000 + 10 * gauss(rng) + (k >= 60 ? pattern[k] - 100 : 0) });
      samples.push({ ts, node: 'zeta', metric: 'latency.p99', value: pattern[k] });
      samples.push({ ts, node: 'alpha', metric: 'latency.p99', value: reversed[k] });
    }
    const edges = [
      { from: 'api', to: 'alpha' },
      { from: 'api', to: 'zeta' },
    ];
    const input: RankInput = { edges, samples, split: SPLIT, target: 'api' };
    const plain = rankRootCauses(input);
    expect(plain.slice(0, 2).map((r) => r.node)).toEqual(['alpha', 'zeta']);
    expect(plain[0].score).toBe(plain[1].score);
    const withMetric = rankRootCauses({ ...input, targetMetric: 'latency.p99' });
    expect(withMetric[0].node).toBe('zeta');
    expect(withMetric.find((r) => r.node === 'alpha')!.score).toBeLessThan(1);
    // an unknown target metric is ignored
    expect(rankRootCauses({ ...input, targetMetric: 'nope' })).toEqual(plain);
  });

  it('alignedPearson joins on timestamps', () => {
    const a = { node: 'a', metric: 'm', ts: [1, 2, 3, 4, 5], value: [1, 2, 3, 4, 5] };
    const b = { node: 'b', metric: 'm', ts: [5, 4, 3, 2, 1, 99], value: [10, 8, 6, 4, 2, 1000] };
    expect(alignedPearson(a, b)).toBeCloseTo(1, 12);
    expect(alignedPearson(a, { ...b, ts: [10, 11, 12, 13, 14, 15] })).toBe(0);
    expect(alignedPearson(a, { ...b, value: [1, 1, 1, 1, 1, 1] })).toBe(0);
  });
});

describe('metric anomaly', () => {
  const noise = (n: number, seed: number, mean = 100, sd = 5): number[] => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => mean + sd * gauss(rng));
  };

  it('is a robust z of the incident median shift, direction aware', () => {
    const normal = noise(200, 1);
    const up = noise(50, 2, 150);
    const down = noise(50, 3, 50);
    expect(metricAnomaly(normal, up, 'up')).toBeGreaterThan(7);
    expect(metricAnomaly(normal, up, 'down')).toBe(0);
    expect(metricAnomaly(normal, down, 'down')).toBeGreaterThan(7);
    expect(metricAnomaly(normal, down, 'up')).toBe(0);
    expect(metricAnomaly(normal, down, 'both')).toBeGreaterThan(7);
    expect(metricAnomaly(normal, noise(50, 4), 'both')).toBeLessThan(1.5);
  });

  it('ignores outliers in the normal window (robust scale)', () => {
    const normal = noise(200, 5);
    for (let i = 0; i < 10; i++) normal[i * 20] = 10_000;
    expect(metricAnomaly(normal, noise(50, 6, 130), 'up')).toBeGreaterThan(4);
  });

  it('handles constant series, NaN, empty windows and single points without exploding', () => {
    const flat = new Array(50).fill(100);
    expect(metricAnomaly(flat, new Array(10).fill(100), 'both')).toBe(0);
    const small = metricAnomaly(flat, new Array(10).fill(100.5), 'up');
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(1);
    const big = metricAnomaly(flat, new Array(10).fill(1e9), 'up');
    expect(Number.isFinite(big)).toBe(true);
    expect(big).toBeLessThanOrEqual(100);
    expect(metricAnomaly(new Array(50).fill(0), new Array(10).fill(1e-12), 'up')).toBeLessThanOrEqual(100);
    expect(metricAnomaly([], [1, 2, 3], 'both')).toBe(0);
    expect(metricAnomaly([1, 2, 3], [], 'both')).toBe(0);
    expect(metricAnomaly([NaN, NaN], [5], 'both')).toBe(0);
    expect(metricAnomaly([1, NaN, 1.1, 0.9, Infinity], [NaN, 5, -Infinity], 'up')).toBeGreaterThan(3);
    expect(metricAnomaly([10], [10], 'both')).toBe(0);
    expect(metricAnomaly([10], [20], 'up')).toBeGreaterThan(3);
    // availability-like ratios: a flat 0.999 dropping to 0.98 is abnormal
    expect(metricAnomaly(new Array(50).fill(0.999), new Array(10).fill(0.98), 'down')).toBeGreaterThan(3);
  });

  it('reads the bad direction from the metric name', () => {
    expect(metricDirection('availability')).toBe('down');
    expect(metricDirection('success_rate')).toBe('down');
    expect(metricDirection('memory_available_bytes')).toBe('down');
    expect(metricDirection('latency.p99')).toBe('up');
    expect(metricDirection('http_request_duration_seconds')).toBe('up');
    expect(metricDirection('error_rate')).toBe('up');
    expect(metricDirection('cpu')).toBe('up');
    expect(metricDirection('mem.rss')).toBe('up');
    expect(metricDirection('requests')).toBe('both');
  });

  it('reports per-node details for explanations', () => {
    const samples = dataset(['web', 'db'], { db: { availability: -0.2 } });
    const a = analyzeSeries({ edges: chain('web', 'db'), series: groupSamples(samples), split: SPLIT, target: 'web' });
    const db = a.nodes.find((n) => n.node === 'db')!;
    expect(db.topMetric).toBe('availability');
    expect(db.anomaly).toBeGreaterThan(3);
    expect(a.metrics).toHaveLength(4);
  });
});
