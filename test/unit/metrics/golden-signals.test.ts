import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationSeconds, namespaceSignalQueries, promString, regexLiteral, serviceSignalQueries } from '../../../functions/core/metrics/golden-signals.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { SIGNAL_NAMES } from '../../../functions/core/metrics/types.ts';

/** All `{...}` selectors of a query, as arrays of matchers. */
const selectors = (q: string): string[][] => [...q.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => [m[1], ...m[2].split(/,(?=[a-zA-Z_])/)]);
const windows = (q: string): string[] => [...q.matchAll(/\}\[([^\]]+)\]/g)].map((m) => m[1]);

describe('serviceSignalQueries', () => {
  const q = serviceSignalQueries('shop', 'payment-service');

  it('builds one query per golden signal', () => {
    expect(Object.keys(q).sort()).toEqual([...SIGNAL_NAMES].sort());
  });

  it('cpu: summed rate of cAdvisor cpu over the service pods, pause and pod-level series excluded', () => {
    expect(q.cpu_usage.startsWith('sum(rate(container_cpu_usage_seconds_total{')).toBe(true);
    const [sel] = selectors(q.cpu_usage);
    expect(sel).toEqual(['container_cpu_usage_seconds_total', 'namespace="shop"', 'pod=~"payment-service-.*"', 'container!=""', 'container!="POD"']);
    expect(windows(q.cpu_usage)).toEqual(['5m']);
  });

  it('memory: summed working set, no rate', () => {
    expect(q.memory_usage).toBe('sum(container_memory_working_set_bytes{namespace="shop",pod=~"payment-service-.*",container!="",container!="POD"})');
    expect(windows(q.memory_usage)).toEqual([]);
  });

  it('error_rate: 5xx over all, 0 instead of missing when there are no 5xx, no division by zero', () => {
    const e = q.error_rate;
    const sels = selectors(e);
    expect(sels.filter((s) => s.includes('status=~"5.."'))).toHaveLength(1);
    expect(sels.every((s) => s[0] === 'http_requests_total' && s.includes('service="payment-service"') && s.includes('namespace="shop"'))).toBe(true);
    expect(e).toContain(' or (0 * sum(rate(http_requests_total{');
    expect(e).toContain('/ clamp_min(sum(rate(http_requests_total{');
    expect(windows(e)).toEqual(['5m', '5m', '5m']);
  });

  it('latency_p95: histogram_quantile over buckets summed by le', () => {
    expect(q.latency_p95).toMatch(/^histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{[^}]*\}\[5m\]\)\)\)$/);
    expect(selectors(q.latency_p95)[0]).toEqual(['http_request_duration_seconds_bucket', 'namespace="shop"', 'service="payment-service"']);
  });

  it('request_rate: summed request rate', () => {
    expect(q.request_rate).toBe('sum(rate(http_requests_total{namespace="shop",service="payment-service"}[5m]))');
  });

  it('takes the window, extra matchers, label mapping, quantile and pod regex as options', () => {
    const o = serviceSignalQueries('shop', 'frontend', {
      rateWindow: '1m',
      scrapeIntervalSeconds: 5,
      extraMatchers: { cluster: 'prod' },
      labels: { pod: 'pod_name', service: 'app' },
      quantile: 0.99,
      podRegex: (s) => `${s}-[a-z0-9]+-[a-z0-9]+`,
    });
    for (const query of Object.values(o)) {
      for (const sel of selectors(query)) expect(sel).toContain('cluster="prod"');
      for (const w of windows(query)) expect(w).toBe('1m');
    }
    expect(selectors(o.cpu_usage)[0]).toContain('pod_name=~"frontend-[a-z0-9]+-[a-z0-9]+"');
    expect(selectors(o.request_rate)[0]).toContain('app="frontend"');
    expect(o.latency_p95.startsWith('histogram_quantile(0.99,')).toBe(true);
  });

  it('accepts raw extra matchers but not ones that escape the selector', () => {
    const o = serviceSignalQueries('shop', 'frontend', { extraMatchers: 'cluster="prod", env=~"p.*"' });
    expect(selectors(o.request_rate)[0]).toEqual(['http_requests_total', 'namespace="shop"', 'service="frontend"', 'cluster="prod"', 'env=~"p.*"']);
    for (const bad of ['cluster="a"} or vector(1) or x{a="b"', 'cluster=prod', '"x"', 'a="b" c="d"', 'a="b\\"']) {
      expect(() => serviceSignalQueries('shop', 'frontend', { extraMatchers: bad }), bad).toThrow(ValidationError);
    }
    expect(() => serviceSignalQueries('shop', 'frontend', { extraMatchers: { 'bad-label': 'x' } })).toThrow(ValidationError);
    // Values are escaped, not trusted.
    const esc = serviceSignalQueries('shop', 'frontend', { extraMatchers: { cluster: 'a"} or vector(1)' } });
    expect(esc.request_rate).toContain('cluster="a\\"} or vector(1)"');
  });

  it('refuses a window shorter than 4 scrape intervals and malformed windows', () => {
    expect(() => serviceSignalQueries('shop', 'frontend', { rateWindow: '30s' })).toThrow(/4 scrape intervals/);
    expect(() => serviceSignalQueries('shop', 'frontend', { rateWindow: '30s', scrapeIntervalSeconds: 5 })).not.toThrow();
    expect(() => serviceSignalQueries('shop', 'frontend', { rateWindow: '5 minutes' })).toThrow(ValidationError);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('500ms')).toBe(0.5);
  });

  it('refuses names that are not Kubernetes names', () => {
    expect(() => serviceSignalQueries('shop', 'a"b')).toThrow(ValidationError);
    expect(() => serviceSignalQueries('Shop', 'frontend')).toThrow(ValidationError);
    expect(() => serviceSignalQueries('shop', '.*')).toThrow(ValidationError);
  });

  it('escapes strings and regex literals', () => {
    expect(promString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(regexLiteral('a.b+c')).toBe('a\\.b\\+c');
  });
});

describe('namespaceSignalQueries', () => {
  it('groups the whole namespace in one query per signal: pods for cAdvisor series, services for requests', () => {
    const q = namespaceSignalQueries('shop', { rateWindow: '1m', scrapeIntervalSeconds: 5 });
    expect(q.cpu_usage).toEqual({
      grouping: 'pod',
      groupLabel: 'pod',
      query: 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop",container!="",container!="POD"}[1m]))',
    });
    expect(q.memory_usage.query).toBe('sum by (pod) (container_memory_working_set_bytes{namespace="shop",container!="",container!="POD"})');
    expect(q.request_rate).toEqual({ grouping: 'service', groupLabel: 'service', query: 'sum by (service) (rate(http_requests_total{namespace="shop"}[1m]))' });
    expect(q.latency_p95.query).toBe('histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{namespace="shop"}[1m])))');
    expect(q.error_rate.query).toBe(
      '(sum by (service) (rate(http_requests_total{namespace="shop",status=~"5.."}[1m])) or (0 * sum by (service) (rate(http_requests_total{namespace="shop"}[1m])))) / clamp_min(sum by (service) (rate(http_requests_total{namespace="shop"}[1m])), 1e-9)',
    );
  });

  it('narrows to given services', () => {
    const q = namespaceSignalQueries('shop', { services: ['frontend', 'user-service'], extraMatchers: { cluster: 'dev' } });
    expect(selectors(q.cpu_usage.query)[0]).toContain('pod=~"(?:frontend-.*)|(?:user-service-.*)"');
    expect(selectors(q.request_rate.query)[0]).toEqual(['http_requests_total', 'namespace="shop"', 'service=~"frontend|user-service"', 'cluster="dev"']);
  });

  it('honours the label mapping in the grouping', () => {
    const q = namespaceSignalQueries('shop', { labels: { pod: 'pod_name', service: 'job' } });
    expect(q.cpu_usage.groupLabel).toBe('pod_name');
    expect(q.cpu_usage.query.startsWith('sum by (pod_name) (')).toBe(true);
    expect(q.latency_p95.query).toContain('sum by (job, le)');
    expect(q.request_rate.groupLabel).toBe('job');
  });
});

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!promtool)('queries are valid PromQL (promtool check rules)', () => {
  it('parses every generated expression', () => {
    const exprs = [
      ...Object.values(serviceSignalQueries('shop', 'payment-service', { extraMatchers: 'cluster="prod",env=~"p.*"' })),
      ...Object.values(namespaceSignalQueries('shop', { services: ['frontend', 'user-service'] })).map((x) => x.query),
      ...Object.values(namespaceSignalQueries('shop', { labels: { pod: 'pod_name', container: '' } })).map((x) => x.query),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'promql-'));
    try {
      const rules = [
        'groups:',
        '  - name: golden',
        '    rules:',
        ...exprs.flatMap((e, i) => [`      - record: fleetops:golden_${i}`, `        expr: ${JSON.stringify(e)}`]),
      ].join('\n');
      writeFileSync(join(dir, 'rules.yml'), rules + '\n');
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
