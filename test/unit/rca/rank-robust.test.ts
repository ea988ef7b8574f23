import { describe, expect, it } from 'vitest';
import { analyzeSeries, groupSamples, rankRootCauses } from '../../../functions/core/rca/rank.ts';
import type { Edge, Sample } from '../../../functions/core/rca/rank.ts';
import { isSymptomMetric, isTrafficMetric, metricFamily, onsetTime, seriesEffect } from '../../../functions/core/rca/rank-evidence.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { makeXrayCase } from '../../support/xray-synth.ts';
import { makeSimCase, SIM_CALLEES, SIM_FAULTS } from '../../support/sim-propagation.ts';
import { gauss } from './synth.ts';

const T0 = 1_767_225_600;
const NORMAL = 60;
const INCIDENT = 15;
const SPLIT = T0 + 60 * NORMAL;

interface NodeSpec {
  /** requests per minute */
  rate: number;
  latency: number;
  /** incident-window latency multiplier, from minute `from` after the split */
  slow?: number;
  from?: number;
  /** incident-window error share */
  errors?: number;
  cpu?: number;
  cpuUp?: number;
}

/** Per-minute requests (Poisson-ish), latency.p99 from `rate` draws (noisier with less traffic), availability, cpu. */
function telemetry(spec: Record<string, NodeSpec>, seed = 3): Sample[] {
  const rng = new Rng(seed);
  const out: Sample[] = [];
  for (let m = 0; m < NORMAL + INCIDENT; m++) {
    const ts = T0 + m * 60;
    const after = m - NORMAL;
    for (const [node, s] of Object.entries(spec)) {
      const requests = Math.max(0, Math.round(s.rate + Math.sqrt(s.rate) * gauss(rng)));
      out.push({ ts, node, metric: 'requests', value: requests });
      const active = after >= (s.from ?? 0);
      if (s.cpu !== undefined) out.push({ ts, node, metric: 'cpu', value: s.cpu * (1 + 0.05 * gauss(rng)) + (active && s.cpuUp ? s.cpuUp : 0) });
      if (requests === 0) continue;
      const noise = Math.exp((0.6 * gauss(rng)) / Math.sqrt(Math.min(requests, 400)));
      const heavy = requests < 10 && rng.nextFloat() < 0.3 ? 3 + 10 * rng.nextFloat() : 1;
      out.push({ ts, node, metric: 'latency.p99', value: s.latency * noise * heavy * (active && s.slow ? s.slow : 1) });
      const errShare = active && s.errors ? s.errors : 0.001;
      out.push({ ts, node, metric: 'availability', value: 1 - Math.round(requests * errShare) / requests });
    }
  }
  return out;
}

const edges = (...pairs: [string, string][]): Edge[] => pairs.map(([from, to]) => ({ from, to }));

describe('robust ranking on X-Ray-style data (test/support/xray-synth.ts)', () => {
  it('names the faulted node among the top 3 in most incidents and answers [] on most normal windows', () => {
    let top1 = 0;
    let top3 = 0;
    const n = 24;
    for (let seed = 1; seed <= n; seed++) {
      const c = makeXrayCase(70_000 + seed);
      const r = analyzeSeries({ ...c, series: groupSamples(c.samples) }).ranking;
      const pos = r.findIndex((x) => x.node === c.root);
      if (pos === 0) top1++;
      if (pos >= 0 && pos < 3) top3++;
    }
    let empty = 0;
    for (let seed = 1; seed <= n; seed++) {
      const c = makeXrayCase(80_000 + seed, { fault: 'none' });
      if (analyzeSeries({ ...c, series: groupSamples(c.samples) }).ranking.length === 0) empty++;
    }
    expect(top1 / n).toBeGreaterThanOrEqual(0.5);
    expect(top3 / n).toBeGreaterThanOrEqual(0.65);
    // normal windows include real level shifts on unrelated nodes, so not every one is empty
    expect(empty / n).toBeGreaterThanOrEqual(0.5);
  });

  it('does not let a node with a few requests a minute outrank a busy node with a real slowdown', () => {
    const spec: Record<string, NodeSpec> = {
      web: { rate: 2000, latency: 120, slow: 1.5 },
      api: { rate: 1500, latency: 80, slow: 1.8 },
      admin: { rate: 3, latency: 40, slow: 4 },
    };
    const r = rankRootCauses({ edges: edges(['web', 'api'], ['web', 'admin']), samples: telemetry(spec), split: SPLIT, target: 'web' });
    expect(r[0].node).toBe('api');
    const admin = r.find((x) => x.node === 'admin');
    expect(admin === undefined || admin.score < r[0].score / 2).toBe(true);
  });

  it('keeps the full weight of resource metrics on a low-traffic node', () => {
    // a batch worker with 2 requests a minute saturates its cpu and slows its only caller
    const spec: Record<string, NodeSpec> = {
      web: { rate: 800, latency: 100, slow: 1.6 },
      worker: { rate: 2, latency: 300, cpu: 0.2, cpuUp: 0.6, slow: 3 },
      db: { rate: 900, latency: 5 },
    };
    const r = rankRootCauses({ edges: edges(['web', 'worker'], ['web', 'db']), samples: telemetry(spec), split: SPLIT, target: 'web' });
    expect(r[0].node).toBe('worker');
  });

  it('prefers the failing dependency over the callers that show its symptoms', () => {
    const spec: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100, errors: 0.08 },
      orders: { rate: 600, latency: 60, errors: 0.12 },
      'DynamoDB::orders': { rate: 600, latency: 8, errors: 0.2 },
      users: { rate: 400, latency: 30 },
    };
    const r = rankRootCauses({
      edges: edges(['web', 'orders'], ['orders', 'DynamoDB::orders'], ['web', 'users']),
      samples: telemetry(spec),
      split: SPLIT,
      target: 'web',
    });
    expect(r[0].node).toBe('DynamoDB::orders');
    // a healthy sibling is at most a faint candidate (its caller's symptoms could be its doing)
    const users = r.find((x) => x.node === 'users');
    expect(users === undefined || users.score < 0.25 * r[0].score).toBe(true);
  });

  it('raises the bar when the target is untouched: a moderate shift on a leaf alone is not an incident, felt by users it is', () => {
    const quiet: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100 },
      api: { rate: 900, latency: 50 },
      'remote::maps': { rate: 300, latency: 200, slow: 1.2 },
    };
    const g = edges(['web', 'api'], ['api', 'remote::maps']);
    expect(rankRootCauses({ edges: g, samples: telemetry(quiet), split: SPLIT, target: 'web' })).toEqual([]);
    const felt = { ...quiet, web: { rate: 1000, latency: 100, slow: 1.1 }, api: { rate: 900, latency: 50, slow: 1.12 } };
    expect(rankRootCauses({ edges: g, samples: telemetry(felt), split: SPLIT, target: 'web' })[0].node).toBe('remote::maps');
  });

  it('returns [] on a quiet normal window with bursts and heavy-tailed low-traffic nodes', () => {
    const spec: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100 },
      api: { rate: 900, latency: 50 },
      rare: { rate: 2, latency: 30 },
      db: { rate: 1500, latency: 4 },
    };
    for (let seed = 1; seed <= 5; seed++) {
      const r = rankRootCauses({ edges: edges(['web', 'api'], ['api', 'db'], ['web', 'rare']), samples: telemetry(spec, seed), split: SPLIT, target: 'web' });
      expect(r, `seed ${seed}`).toEqual([]);
    }
  });

  it('calibrates scores: probabilities that sum to at most 1, a strong incident surer than a weak one', () => {
    const strong: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100, slow: 2 },
      api: { rate: 900, latency: 50, slow: 3 },
      db: { rate: 900, latency: 10, slow: 9 },
    };
    const r = rankRootCauses({ edges: edges(['web', 'api'], ['api', 'db']), samples: telemetry(strong), split: SPLIT, target: 'web' });
    expect(r[0].node).toBe('db');
    expect(r.reduce((sum, x) => sum + x.score, 0)).toBeLessThanOrEqual(1);
    expect(r[0].score).toBeGreaterThan(0.5);
    const weak: Record<string, NodeSpec> = { web: { rate: 1000, latency: 100, slow: 1.15 }, api: { rate: 900, latency: 50, slow: 1.2 } };
    const w = rankRootCauses({ edges: edges(['web', 'api']), samples: telemetry(weak), split: SPLIT, target: 'web' });
    expect(w.length).toBeGreaterThan(0);
    expect(w[0].score).toBeLessThan(r[0].score);
  });

  it('breaks a tie in evidence by time precedence: the node that deviated first', () => {
    const spec: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100, slow: 1.5 },
      a: { rate: 800, latency: 50, slow: 3, from: 0 },
      b: { rate: 800, latency: 50, slow: 3, from: 4 },
    };
    const samples = telemetry(spec);
    const input = { edges: edges(['web', 'a'], ['web', 'b']), series: groupSamples(samples), split: SPLIT, target: 'web' };
    const analysis = analyzeSeries(input);
    const a = analysis.nodes.find((n) => n.node === 'a')!;
    const b = analysis.nodes.find((n) => n.node === 'b')!;
    expect(a.onset).toBeLessThan(b.onset);
    expect(analysis.ranking[0].node).toBe('a');
    // without the precedence bonus the order is left to the evidence alone
    const plain = analyzeSeries(input, { precedenceWeight: 0 });
    expect(plain.nodes.find((n) => n.node === 'a')!.rawScore).toBeLessThan(a.rawScore);
  });

  it('credits a node whose callers all show symptoms even when its own metrics are flat (network delay)', () => {
    const spec: Record<string, NodeSpec> = {
      web: { rate: 1000, latency: 100, slow: 1.8 },
      cart: { rate: 500, latency: 40, slow: 2.5 },
      checkout: { rate: 300, latency: 60, slow: 2.5 },
      redis: { rate: 800, latency: 2 },
      ads: { rate: 400, latency: 20 },
    };
    const g = edges(['web', 'cart'], ['web', 'checkout'], ['cart', 'redis'], ['checkout', 'redis'], ['web', 'ads']);
    const a = analyzeSeries({ edges: g, series: groupSamples(telemetry(spec)), split: SPLIT, target: 'web' });
    const redis = a.nodes.find((n) => n.node === 'redis')!;
    expect(redis.evidence).toBe(0);
    expect(redis.support).toBeGreaterThan(0);
    const redisPos = a.ranking.findIndex((r) => r.node === 'redis');
    expect(redisPos).toBeGreaterThanOrEqual(0);
    // redis is supported by two symptomatic callers, ads by one
    const ads = a.ranking.find((r) => r.node === 'ads');
    expect(ads === undefined || ads.score <= a.ranking[redisPos].score).toBe(true);
  });
});

describe('per-series evidence', () => {
  const opts = { zCap: 100, relFloor: 0.05, fractionFloor: 1e-3, minRelChange: 0.1, minFractionChange: 0.005 };

  it('scales down small relative shifts on suspiciously flat series', () => {
    const flat = Array.from({ length: 60 }, (_, i) => 100 + (i % 2) * 0.01);
    expect(seriesEffect(flat, new Array(10).fill(102), 'up', opts).z).toBeLessThan(3);
    expect(seriesEffect(flat, new Array(10).fill(130), 'up', opts).z).toBeGreaterThan(5);
    // ratios: a 0.2 point availability drop is small, a 3 point drop is not
    const avail = new Array(60).fill(0.999);
    expect(seriesEffect(avail, new Array(10).fill(0.997), 'down', opts).z).toBeLessThan(3);
    expect(seriesEffect(avail, new Array(10).fill(0.97), 'down', opts).z).toBeGreaterThan(10);
    // the good direction never counts
    expect(seriesEffect(avail, new Array(10).fill(1), 'down', opts).z).toBe(0);
  });

  it('finds the onset of a persistent deviation and ignores a lone spike', () => {
    const ts = Array.from({ length: 20 }, (_, i) => i * 60);
    const normal = Array.from({ length: 10 }, () => 100);
    const value = [...normal, 100, 900, 100, 100, 400, 420, 410, 100, 400, 400];
    const e = seriesEffect(
      normal.map((v, i) => v + (i % 3)),
      value.slice(10),
      'up',
      opts,
    );
    expect(onsetTime(ts, value, 600, e)).toBe(14 * 60);
    expect(onsetTime(ts, normal.concat(normal), 600, e)).toBe(Infinity);
  });

  it('classifies metric names', () => {
    expect(metricFamily('latency.p99')).toBe('latency');
    expect(metricFamily('latency_p50')).toBe('latency');
    expect(metricFamily('availability')).toBe('availability');
    expect(isTrafficMetric('requests')).toBe(true);
    expect(isTrafficMetric('request_count')).toBe(true);
    expect(isTrafficMetric('http_requests_total')).toBe(true);
    expect(isTrafficMetric('latency.p99')).toBe(false);
    expect(isSymptomMetric('latency.p99')).toBe(true);
    expect(isSymptomMetric('availability')).toBe(true);
    expect(isSymptomMetric('error_rate')).toBe(true);
    expect(isSymptomMetric('cpu')).toBe(false);
    expect(isSymptomMetric('requests')).toBe(false);
  });
});

describe("the simulator's propagating faults (sim/mesh.ts)", () => {
  it('traces a fault in a callee, seen on frontend, to that callee, and stays silent without a fault', () => {
    for (const [i, fault] of SIM_FAULTS.entries()) {
      for (const [j, root] of SIM_CALLEES.entries()) {
        const c = makeSimCase(400 + i * 10 + j, { fault, root });
        expect(rankRootCauses(c)[0]?.node, `${fault} in ${root}`).toBe(root);
      }
    }
    for (let seed = 1; seed <= 5; seed++) expect(rankRootCauses(makeSimCase(900 + seed, { fault: 'none' })), `seed ${seed}`).toEqual([]);
  });
});
