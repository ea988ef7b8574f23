import { describe, expect, it } from 'vitest';
import { clusterHealthInput, latestPerSeries } from '../../../functions/core/fleet/index.ts';
import { cpuPercentFromRange, cpuPercentFromSamples, HISTORY_POLICY, longerHistory, needsPrometheusHistory } from '../../../functions/core/forecast/index.ts';

const cluster = { id: 'c1', name: 'prod', environment: 'prod' };
const row = (service: string, at: string, cpu: number, memory: number) => ({
  clusterId: 'c1',
  namespace: 'shop',
  service,
  at,
  features: { cpu_usage: cpu, memory_usage: memory, error_rate: 0.1, latency_p95: 0.2, request_rate: 10 },
});

describe('fleet cluster input', () => {
  it('parses allocatable quantities the Kubernetes way (2500u, 1e9, 3920m, 16Gi)', () => {
    const latest = [row('a', '2026-01-01T00:01:00Z', 0.001, 5e8)];
    const input = clusterHealthInput(cluster, latest, [
      { ready: true, cpu: '2500u', memory: '1e9' },
      { ready: false, cpu: '0.0025', memory: '1G' },
    ]);
    // 2500u = 0.0025 cores per node; 1e9 = 1G bytes per node.
    expect(input.cpuUtilisation).toBeCloseTo(0.001 / 0.005, 9);
    expect(input.memoryUtilisation).toBeCloseTo(5e8 / 2e9, 9);
    expect(input).toMatchObject({ readyNodes: 1, totalNodes: 2, requestRate: 10 });
    expect(input.errorRate).toBeCloseTo(0.1, 9);
    const big = clusterHealthInput(cluster, latest, [{ ready: true, cpu: '3920m', memory: '16Gi' }]);
    expect(big.cpuUtilisation).toBeCloseTo(0.001 / 3.92, 9);
    expect(big.memoryUtilisation).toBeCloseTo(5e8 / 16 / 2 ** 30, 9);
  });

  it('reports an unreachable cluster as no ready nodes of unknown capacity', () => {
    expect(clusterHealthInput(cluster, [], undefined)).toMatchObject({
      readyNodes: 0,
      totalNodes: 0,
      cpuUtilisation: null,
      memoryUtilisation: null,
      errorRate: null,
      requestRate: null,
    });
    expect(clusterHealthInput(cluster, [row('a', 't', 1, 1)], [{ ready: true, cpu: 'garbage' }]).cpuUtilisation).toBeNull();
  });

  it('keeps the newest row of each series', () => {
    const rows = [row('a', '2026-01-01T00:01:00Z', 1, 1), row('a', '2026-01-01T00:02:00Z', 2, 1), row('b', '2026-01-01T00:00:00Z', 3, 1)];
    expect(latestPerSeries(rows).map((r) => [r.service, r.features.cpu_usage])).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
  });
});

describe('forecast history policy', () => {
  it('asks Prometheus only while own samples are fewer than two days of 5-minute rows, and keeps the longer history', () => {
    const own = cpuPercentFromSamples([
      { at: '2026-01-01T00:00:00Z', features: { cpu_usage: 0.5 } },
      { at: '2026-01-01T00:05:00Z', features: { cpu_usage: null } },
    ]);
    expect(own).toEqual([{ ts: Date.parse('2026-01-01T00:00:00Z'), value: 50 }]);
    expect(needsPrometheusHistory(own)).toBe(true);
    expect(needsPrometheusHistory(Array.from({ length: HISTORY_POLICY.minOwnSamples }, (_, i) => ({ ts: i, value: 1 })))).toBe(false);
    const prom = cpuPercentFromRange([
      { ts: 1000, value: 0.25 },
      { ts: 1005, value: 0.5 },
    ]);
    expect(prom).toEqual([
      { ts: 1_000_000, value: 25 },
      { ts: 1_005_000, value: 50 },
    ]);
    expect(longerHistory(own, prom)).toBe(prom);
    expect(longerHistory(prom, own)).toBe(prom);
  });
});
