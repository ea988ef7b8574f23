/** The Grafana dashboard: parses, has the cluster variable, and every panel queries known metrics. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWN_METRICS, metricNames } from './promql.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Target {
  refId: string;
  expr?: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(root, 'observability/grafana-dashboard.json'), 'utf8')) as Dashboard;

describe('grafana dashboard', () => {
  it('is a schemaVersion ~39 dashboard with a stable uid', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(41);
    expect(dashboard.uid).toBe('fleetops-fleet');
  });

  it('has a cluster template variable fed by Prometheus, plus namespace and service', () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.cluster).toMatchObject({ type: 'query' });
    expect(JSON.stringify(vars.cluster.query)).toContain('label_values(http_requests_total, cluster)');
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.namespace && vars.service).toBeTruthy();
  });

  it('every panel has a Prometheus datasource and targets with an expression over known metrics only', () => {
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.expr, p.title).toBeTruthy();
        const names = metricNames(t.expr!);
        expect(names.length, p.title).toBeGreaterThan(0);
        for (const n of names) expect(KNOWN_METRICS, `${p.title} reads ${n}`).toContain(n);
        expect(t.expr, p.title).toMatch(/cluster=~"\$cluster"/);
      }
    }
  });

  it('covers the five golden signals, fleet error rate per cluster and node readiness', () => {
    const all = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).join('\n');
    for (const m of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'kube_node_status_condition',
    ]) {
      expect(all).toContain(m);
    }
    const titles = dashboard.panels.map((p) => p.title.toLowerCase());
    for (const t of [
      'request rate',
      'error rate',
      'latency p95',
      'cpu usage',
      'memory working set',
      'fleet error rate per cluster',
      'node readiness per cluster',
    ]) {
      expect(
        titles.some((x) => x.startsWith(t)),
        t,
      ).toBe(true);
    }
  });

  it('panels do not overlap on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          const k = `${i},${j}`;
          expect(cells.has(k), `${p.title} overlaps at ${k}`).toBe(false);
          cells.add(k);
        }
    }
  });

  it('the metric-name lexer sees through functions, matchers, ranges and grouping', () => {
    expect(metricNames('sum by (cluster, le) (rate(foo_bucket{a="b{c}",d=~"$x"}[$__rate_interval])) / on(x) bar > 0.95')).toEqual(['foo_bucket', 'bar']);
    expect(metricNames('histogram_quantile(0.95, x) or on() vector(0)')).toEqual(['x']);
  });
});
