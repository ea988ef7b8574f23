/**
 * The Prometheus alert rules: valid for promtool, firing on synthetic series as the unit-test file
 * says, and written against the metric names our simulator and kube-state-metrics serve.
 * Needs `promtool` (Debian: apt-get install -y prometheus); those tests skip with a note without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KNOWN_METRICS, metricNames } from './promql.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rulesPath = join(root, 'observability/prometheus-rules.yml');
const testsPath = join(root, 'observability/tests/rules.test.yml');
const dashboardPath = join(root, 'observability/grafana-dashboard.json');

const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = !probe.error && probe.status === 0;
const SKIP_NOTE = 'promtool not found on PATH (install it with `apt-get install -y prometheus`): skipping the promtool checks';
if (!hasPromtool) console.warn(SKIP_NOTE);

function promtool(args: string[], cwd = root) {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = (parse(readFileSync(rulesPath, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

describe('promtool', () => {
  it('check rules accepts observability/prometheus-rules.yml', (ctx) => {
    if (!hasPromtool) ctx.skip(SKIP_NOTE);
    const r = promtool(['check', 'rules', rulesPath]);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('test rules: HighErrorRate, PodCrashLooping, NodeNotReady and HighLatencyP95 fire on synthetic series', (ctx) => {
    if (!hasPromtool) ctx.skip(SKIP_NOTE);
    const r = promtool(['test', 'rules', testsPath], dirname(testsPath));
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
    const tests = readFileSync(testsPath, 'utf8');
    for (const name of ['HighErrorRate', 'PodCrashLooping']) expect(tests).toContain(`alertname: ${name}`);
  });

  it('test rules fails when an expectation is wrong (the harness really checks)', (ctx) => {
    if (!hasPromtool) ctx.skip(SKIP_NOTE);
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-promtool-'));
    try {
      const broken = readFileSync(testsPath, 'utf8').replace('../prometheus-rules.yml', rulesPath).replace('service: payment-service', 'service: frontend');
      writeFileSync(join(dir, 'broken.test.yml'), broken);
      const r = promtool(['test', 'rules', join(dir, 'broken.test.yml')], dir);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/FAILED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every dashboard query is valid PromQL once Grafana variables are substituted', (ctx) => {
    if (!hasPromtool) ctx.skip(SKIP_NOTE);
    const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const substituted = exprs.map((e) => e.replaceAll('$__rate_interval', '5m').replace(/\$\{?(\w+)\}?/g, '.*'));
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-promtool-'));
    try {
      const file = join(dir, 'dashboard-exprs.yml');
      const yaml = [
        'groups:',
        '  - name: dashboard',
        '    rules:',
        ...substituted.flatMap((e, i) => [`      - record: dashboard:panel_${i}`, `        expr: ${JSON.stringify(e)}`]),
      ];
      writeFileSync(file, yaml.join('\n') + '\n');
      const r = promtool(['check', 'rules', file]);
      expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('alert rules (structure)', () => {
  const alerts = rules.filter((r) => r.alert);

  it('cover the fleet failure modes', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      ['DeploymentReplicasMismatch', 'HighCPU', 'HighErrorRate', 'HighLatencyP95', 'HighMemory', 'NodeNotReady', 'PodCrashLooping', 'PodNotReady'].sort(),
    );
  });

  it('each has a severity, cluster and service label and a summary and description', () => {
    for (const a of alerts) {
      expect(['critical', 'high', 'medium', 'low'], a.alert).toContain(a.labels?.severity);
      expect(a.labels?.cluster, a.alert).toBe('{{ $labels.cluster }}');
      expect(a.labels?.service, a.alert).toMatch(/\{\{ \$labels\.(service|node) \}\}/);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      expect(a.annotations?.description, a.alert).toBeTruthy();
      expect(a.for, a.alert).toMatch(/^\d+m$/);
    }
  });

  it('aggregate by cluster and only read known metrics', () => {
    for (const a of alerts) {
      expect(a.expr, a.alert).toMatch(/by \(cluster,/);
      const names = metricNames(a.expr);
      expect(names.length, a.alert).toBeGreaterThan(0);
      for (const n of names) expect(KNOWN_METRICS, `${a.alert} reads ${n}`).toContain(n);
    }
  });

  it('HighErrorRate is the seed rule: 5xx share > 5% for 5m per service', () => {
    const r = alerts.find((a) => a.alert === 'HighErrorRate')!;
    expect(r.expr).toMatch(/status=~"5\.\."/);
    expect(r.expr).toMatch(/> 0\.05\s*$/);
    expect(r.for).toBe('5m');
    expect(r.expr).toContain('by (cluster, namespace, service)');
  });
});
