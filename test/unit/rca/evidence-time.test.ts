import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import { changeTimeline } from '../../../functions/core/rca/changes.ts';
import { buildReport } from '../../../functions/core/rca/report.ts';
import { AT, dependencyGraph, evidence, failedSchedulingEvent, metric, pod, rollout, unschedulablePod } from '../../support/rca-evidence.ts';

/** Issue 21: evidence has a time. A terminated state older than the incident is history, not a cause. */
describe('evidence has a time', () => {
  const staleOom = { restarts: 1, lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-01T11:45:00Z' } };

  it('an OOM kill long over (pods running and ready) does not outrank the active FailedScheduling, and shows as history', () => {
    const e = evidence('payment-service');
    e.pods.push(pod('payment-service', 'a', staleOom));
    e.pods.push(unschedulablePod({ message: '0/3 nodes are available: 3 Insufficient cpu.' }));
    e.events.push(failedSchedulingEvent());
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('FailedScheduling');
    expect(report.rootCauses.map((c) => c.category)).not.toContain('OOMKilled');
    expect(report.timeline.some((t) => /history: payment-service container app last terminated with OOMKilled/.test(t.event))).toBe(true);
  });

  it('an OOM kill at the symptoms, or of a container not ready now, is a cause', () => {
    const recent = evidence('payment-service');
    recent.pods.push(pod('payment-service', 'a', { restarts: 1, lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-01T11:59:30Z' } }));
    expect(buildReport(recent, analyze(recent)).rootCauses[0].category).toBe('OOMKilled');
    const notReady = evidence('payment-service');
    notReady.pods.push(pod('payment-service', 'a', { ...staleOom, ready: false }));
    expect(buildReport(notReady, analyze(notReady)).rootCauses[0].category).toBe('OOMKilled');
  });

  it('an OOMKilling event older than the incident window is not a cause', () => {
    const e = evidence('payment-service');
    e.pods.push(pod('payment-service', 'a', staleOom));
    e.events.push({
      id: 'event:oom',
      type: 'Warning',
      reason: 'OOMKilling',
      message: 'Memory cgroup out of memory: killed process of payment-service-abc123-a',
      object: { kind: 'Node', name: 'node-1' },
      count: 1,
      lastSeen: '2026-12-01T11:45:00Z',
    });
    expect(analyze(e).filter((f) => f.category === 'OOMKilled')).toEqual([]);
  });

  it('the change timeline: rollouts of the last hour that changed something, oldest first', () => {
    const e = evidence('frontend');
    e.rollouts.push(
      rollout('b', 3, '2026-12-01T11:58:00Z', ['image app: b:1 → b:2']),
      rollout('a', 7, '2026-12-01T11:50:00Z', ['image app: a:1 → a:2']),
      rollout('old', 2, '2026-11-30T11:00:00Z', ['image app: o:1 → o:2']),
      rollout('same', 2, '2026-12-01T11:59:00Z', []),
    );
    expect(changeTimeline(e)).toEqual([
      { node: 'a', at: Date.parse('2026-12-01T11:50:00Z') / 1000, kind: 'rollout', detail: 'revision 7: image app: a:1 → a:2' },
      { node: 'b', at: Date.parse('2026-12-01T11:58:00Z') / 1000, kind: 'rollout', detail: 'revision 3: image app: b:1 → b:2' },
    ]);
  });
});

describe('calls that fail only at the caller (issue 21: silent roots)', () => {
  const withEdges = (calleeRate: number) => {
    const e = evidence('order-service');
    e.graph = dependencyGraph([
      { from: 'frontend', to: 'order-service', errorRate: 0.2 },
      { from: 'order-service', to: 'payment-service', errorRate: 0.25 },
    ]);
    e.metrics.push(
      metric('order-service', 'error_rate', 0.3, 0.003, AT),
      metric('frontend', 'error_rate', 0.2, 0.003, AT),
      metric('payment-service', 'error_rate', calleeRate, 0.003),
    );
    return e;
  };

  it('blames the callee whose calls fail at its caller while it reports no errors itself', () => {
    const e = withEdges(0.004);
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'CallFailures', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].evidence).toContain('graph:dependencies');
  });

  it('a callee that counts its own errors is an ordinary error burst, not a silent one', () => {
    const e = withEdges(0.3);
    expect(analyze(e).filter((f) => f.category === 'CallFailures')).toEqual([]);
  });
});

describe('a failure that is over, though recent, yields to what fails now', () => {
  const justRecovered = { restarts: 3, lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-01T11:59:30Z' } };

  it('an OOM kill seconds before, containers ready again: the active FailedScheduling comes first', () => {
    const e = evidence('payment-service');
    e.pods.push(pod('payment-service', 'a', justRecovered));
    e.pods.push(unschedulablePod());
    e.events.push(failedSchedulingEvent());
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('FailedScheduling');
    expect(report.rootCauses.map((c) => c.category)).not.toContain('OOMKilled');
  });

  it('a crash loop just over does not outrank a latency regression that is happening now', () => {
    const e = evidence('order-service');
    e.pods.push(pod('order-service', 'a', { restarts: 4, lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2026-12-01T11:59:40Z' } }));
    e.metrics.push(metric('order-service', 'latency_p95', 1.2, 0.05, AT));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('LatencyRegression');
  });
});

describe('per-edge signals (the callers view, now against before)', () => {
  it('blame the callee from the edge series when the 5-minute edge ratio is still diluted', () => {
    const e = evidence('order-service');
    e.graph = dependencyGraph([{ from: 'order-service', to: 'payment-service', errorRate: 0.02 }]);
    e.edgeMetrics = [
      { id: 'edge:order-service>payment-service/errors', from: 'order-service', to: 'payment-service', metric: 'errors', current: 0.45, baseline: 0.003 },
    ];
    e.metrics.push(metric('order-service', 'error_rate', 0.3, 0.003, AT), metric('payment-service', 'error_rate', 0.003, 0.003));
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'CallFailures', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].evidence).toContain('edge:order-service>payment-service/errors');
  });
});
