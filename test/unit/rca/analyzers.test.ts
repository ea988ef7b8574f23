import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import { buildReport, rankFindings } from '../../../functions/core/rca/report.ts';
import { templateChanges } from '../../../functions/core/rca/rollout-diff.ts';
import {
  AT,
  MiB,
  crashLoopingPod,
  dependencyGraph,
  evidence,
  failedSchedulingEvent,
  metric,
  pod,
  rollout,
  unschedulablePod,
  usage,
} from '../../support/rca-evidence.ts';

describe('analyzers', () => {
  it('finds a crash loop with its last termination reason and exit code, citing the container', () => {
    const e = evidence();
    e.pods.push(crashLoopingPod());
    e.pods.push(pod('user-service', 'b'));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'CrashLoopBackOff', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].description).toContain('Error (exit code 1)');
    expect(report.rootCauses[0].evidence).toContain('container:payment-service-abc123-a/app');
    expect(report.issueType).toBe('pod_crash_loop');
  });

  it('a container that restarted long ago and runs ready again is no crash loop', () => {
    const e = evidence();
    e.pods.push(pod('payment-service', 'a', { restarts: 5, lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2026-11-01T00:00:00Z' } }));
    expect(analyze(e).filter((f) => f.category === 'CrashLoopBackOff')).toEqual([]);
  });

  it('names OOMKilled with the limit and current usage instead of a generic crash loop', () => {
    const e = evidence();
    e.pods.push(crashLoopingPod('payment-service', { restarts: 3, reason: 'OOMKilled', exitCode: 137 }));
    e.usage.push(usage('payment-service-abc123-a', { memory: 500 * MiB }));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('OOMKilled');
    expect(report.rootCauses[0].description).toMatch(/limit 512Mi.*usage 500Mi/);
    expect(report.rootCauses.map((c) => c.category)).not.toContain('CrashLoopBackOff');
    expect(report.issueType).toBe('high_memory');
  });

  it('names the image that cannot be pulled and the rollout that introduced it', () => {
    const e = evidence();
    e.pods.push(
      pod(
        'payment-service',
        'new',
        { ready: false, state: 'waiting', reason: 'ImagePullBackOff', image: 'ghcr.io/shop/payment:1.5-broken' },
        { createdAt: '2026-12-01T11:59:00Z' },
      ),
    );
    e.rollouts.push(rollout('payment-service', 3, '2026-12-01T11:59:00Z', ['image app: ghcr.io/shop/payment:1.4 → ghcr.io/shop/payment:1.5-broken']));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('ImagePullBackOff');
    expect(report.rootCauses[0].description).toContain('ghcr.io/shop/payment:1.5-broken');
    expect(report.rootCauses[0].description).toContain('rollout revision 3');
    expect(report.rootCauses[0].evidence).toContain('rollout:payment-service/3');
    // Introduced by the rollout just before: the fix healing should apply is rolling it back.
    expect(report.issueType).toBe('bad_deploy');
    const noRollout = evidence();
    noRollout.pods.push(
      pod('payment-service', 'new', { ready: false, state: 'waiting', reason: 'ImagePullBackOff', image: 'ghcr.io/shop/payment:1.5-broken' }),
    );
    expect(buildReport(noRollout, analyze(noRollout)).issueType).toBe('image_pull');
  });

  it('quotes the scheduler message for unschedulable pods and the missing ConfigMap', () => {
    const e = evidence();
    e.pods.push(unschedulablePod({ container: { state: 'unknown', requests: { cpu: 64 } } }));
    e.events.push(failedSchedulingEvent());
    expect(buildReport(e, analyze(e)).rootCauses[0]).toMatchObject({ category: 'FailedScheduling', evidence: expect.arrayContaining(['event:1']) });
    expect(buildReport(e, analyze(e)).rootCauses[0].description).toContain('Insufficient cpu');

    const c = evidence();
    c.pods.push(
      pod('payment-service', 'q', { ready: false, state: 'waiting', reason: 'CreateContainerConfigError', message: 'configmap "payment-config" not found' }),
    );
    expect(buildReport(c, analyze(c)).rootCauses[0].description).toContain('configmap "payment-config" not found');
  });

  it('blames a NotReady node hosting the pods, naming the deployment', () => {
    const e = evidence();
    e.pods.push(pod('payment-service', 'a', {}, { node: 'node-2' }));
    e.nodes.push({
      id: 'node:node-2',
      name: 'node-2',
      ready: false,
      unschedulable: false,
      taints: [],
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }],
    });
    e.nodes.push({ id: 'node:node-3', name: 'node-3', ready: false, unschedulable: false, taints: [], conditions: [] });
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'NodeNotReady', resource: 'node/node-2' });
    expect(report.rootCauses[0].description).toContain('payment-service');
    expect(report.rootCauses.map((r) => r.resource)).not.toContain('node/node-3');
  });

  it('cpu saturation only when most containers run at their limit', () => {
    const e = evidence();
    const u = (pod: string, cpu: number) => usage(pod, { cpu });
    e.usage.push(u('a', 0.48), u('b', 0.47));
    expect(buildReport(e, analyze(e)).rootCauses[0]).toMatchObject({ category: 'CpuSaturation' });
    const calm = evidence();
    calm.usage.push(u('a', 0.1), u('b', 0.48), u('c', 0.05));
    expect(analyze(calm).filter((f) => f.category === 'CpuSaturation')).toEqual([]);
  });

  it('memory growth toward the limit from the slope; steady memory is fine', () => {
    const e = evidence();
    const u = (pod: string, slope: number) => usage(pod, { memory: 200 * MiB, memorySlopePerSecond: slope });
    e.usage.push(u('a', 3 * MiB), u('b', 3 * MiB));
    const top = buildReport(e, analyze(e)).rootCauses[0];
    expect(top.category).toBe('MemoryGrowth');
    expect(top.description).toMatch(/\+3\.0Mi\/s/);
    const steady = evidence();
    steady.usage.push(u('a', 0.2 * MiB), u('b', -0.3 * MiB));
    expect(analyze(steady).filter((f) => f.category === 'MemoryGrowth')).toEqual([]);
  });

  it('error burst and latency regression from golden signals against their baseline', () => {
    const e = evidence();
    e.metrics.push(metric('payment-service', 'error_rate', 0.4, 0.003, AT), metric('payment-service', 'latency_p95', 0.05, 0.045));
    const findings = analyze(e);
    expect(findings.map((f) => f.category)).toEqual(['ErrorBurst']);
    expect(buildReport(e, findings).rootCauses[0].description).toContain('40.0% of requests failing');

    const slow = evidence();
    slow.metrics.push(metric('payment-service', 'latency_p95', 1.2, 0.06));
    expect(buildReport(slow, analyze(slow)).rootCauses[0]).toMatchObject({ category: 'LatencyRegression', evidence: ['metric:payment-service/latency_p95'] });
    expect(buildReport(slow, analyze(slow)).issueType).toBe('high_latency');
  });

  it('a failing callee explains the caller: ranked first, traced through the graph', () => {
    const e = evidence('frontend');
    e.graph = dependencyGraph();
    e.metrics.push(
      metric('frontend', 'error_rate', 0.2, 0.003, '2026-12-01T11:58:30Z'),
      metric('order-service', 'error_rate', 0.3, 0.003, '2026-12-01T11:58:20Z'),
    );
    e.pods.push(crashLoopingPod('payment-service', { restarts: 5, finishedAt: '2026-12-01T11:58:00Z' }));
    // Unrelated trouble elsewhere in the namespace is not blamed.
    e.pods.push(pod('inventory', 'z', { ready: false, state: 'waiting', reason: 'ImagePullBackOff' }));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'CrashLoopBackOff', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].description).toContain('frontend → order-service → payment-service');
    expect(report.rootCauses[0].evidence).toContain('graph:dependencies');
    expect(report.symptoms[0]).toMatch(/^UpstreamFailure/);
    expect(report.rootCauses.map((c) => c.resource)).not.toContain('deployment/inventory');
    const ranked = rankFindings(analyze(e), e);
    expect(ranked.findIndex((f) => f.service === 'order-service')).toBeLessThan(ranked.findIndex((f) => f.service === 'frontend'));
  });

  it('an error burst passed up the call graph is blamed on the deepest service that shows it, even when a caller’s looks stronger and earlier', () => {
    const e = evidence('frontend');
    e.graph = dependencyGraph();
    e.metrics.push(
      metric('frontend', 'error_rate', 0.2, 0.003, '2026-12-01T11:58:40Z'),
      metric('order-service', 'error_rate', 0.3, 0.003, '2026-12-01T11:58:00Z'),
      metric('payment-service', 'error_rate', 0.4, 0.003, '2026-12-01T11:58:35Z'),
    );
    // order-service's error also shows in its logs: evidence from two sources, first in time.
    e.logs.push({
      id: 'logs:order-service-abc123-a/app',
      pod: 'order-service-abc123-a',
      deployment: 'order-service',
      container: 'app',
      previous: false,
      lines: Array.from({ length: 20 }, (_, i) => (i % 2 ? 'ERROR payment call failed: 503' : 'GET /orders 200')),
      errorLines: 10,
      patterns: [{ pattern: 'ERROR payment call failed: <n>', count: 10 }],
      truncated: false,
    } as never);
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'ErrorBurst', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].description).toContain('frontend → order-service → payment-service');
  });

  it('orders services with the ranking core fleetops rank runs: a dependency its callers’ symptoms point at beats an equally broken bystander', () => {
    const e = evidence('frontend');
    e.graph = dependencyGraph();
    const finding = (service: string, kind: 'cause' | 'symptom', category: string, at: string) => ({
      analyzer: 'test',
      category,
      kind,
      service,
      resource: `deployment/${service}`,
      description: `${category} on ${service}`,
      evidence: [`test:${service}`],
      strength: 0.7,
      at,
      remediation: [],
      prevention: [],
    });
    // Listed first, same strength and time: only graph position tells them apart. order-service's errors
    // point at payment-service (S(n) in graph-ranking.ts); nothing points at user-service.
    const findings = [
      finding('user-service', 'cause', 'CpuSaturation', '2026-12-01T11:58:00Z'),
      finding('payment-service', 'cause', 'CpuSaturation', '2026-12-01T11:58:00Z'),
      finding('order-service', 'symptom', 'ErrorBurst', '2026-12-01T11:58:30Z'),
    ];
    const ranked = rankFindings(findings, e);
    expect(ranked.map((f) => f.service)).toEqual(['payment-service', 'user-service', 'order-service']);
    expect(ranked[0].score).toBeGreaterThan(ranked[1].score);
    // Time precedence: the same two bystanders, one earlier, and the earlier one leads.
    const earlier = rankFindings(
      [finding('user-service', 'cause', 'CpuSaturation', '2026-12-01T11:58:00Z'), finding('payment-service', 'cause', 'CpuSaturation', '2026-12-01T11:57:00Z')],
      e,
    );
    expect(earlier[0].service).toBe('payment-service');
  });

  it('a callee whose CPU rose well above its baseline is a contributing factor, not a root cause', () => {
    const e = evidence('frontend');
    e.graph = dependencyGraph([
      { from: 'frontend', to: 'order-service' },
      { from: 'order-service', to: 'payment-service' },
    ]);
    e.metrics.push(metric('payment-service', 'cpu_usage', 0.35, 0.11, '2026-12-01T11:58:00Z'), metric('order-service', 'cpu_usage', 0.14, 0.1));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses).toEqual([]);
    expect(report.contributingFactors).toEqual(['Deployment payment-service: CPU at 350m, 3.2x its baseline of 110m, below its limit']);
    expect(report.summary).toMatch(/no failure found .*; worth a look: Deployment payment-service: CPU at 350m/);
  });

  it('a report with no failure says so and has no root cause', () => {
    const e = evidence();
    e.pods.push(pod('payment-service', 'a'));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses).toEqual([]);
    expect(report.summary).toContain('no failure found');
    expect(report.issueType).toBeUndefined();
  });
});

describe('rollout diff', () => {
  it('names changed images, env names (never values), envFrom refs and resources', () => {
    const changes = templateChanges(
      {
        containers: [
          {
            name: 'app',
            image: 'a:1',
            env: [
              { name: 'DB_PASSWORD', value: 'old-secret' },
              { name: 'GONE', value: 'x' },
            ],
            resources: { limits: { cpu: '500m' } },
          },
        ],
      },
      {
        containers: [
          {
            name: 'app',
            image: 'a:2',
            env: [
              { name: 'DB_PASSWORD', value: 'new-secret' },
              { name: 'NEW', value: 'y' },
            ],
            envFrom: [{ configMapRef: { name: 'cfg' } }],
            resources: { limits: { cpu: '64' } },
          },
        ],
      },
    );
    expect(changes).toEqual([
      'image app: a:1 → a:2',
      'env app: DB_PASSWORD changed',
      'env app: NEW added',
      'env app: GONE removed',
      'envFrom app: configmap cfg added',
      'cpu limit app: 500m → 64',
    ]);
    expect(changes.join(' ')).not.toContain('secret');
  });
});
