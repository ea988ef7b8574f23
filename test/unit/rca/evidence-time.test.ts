import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import { changeTimeline } from '../../../functions/core/rca/changes.ts';
import { buildReport } from '../../../functions/core/rca/report.ts';
import { AT, evidence, pod } from './fixtures.ts';

/** Issue 21: evidence has a time. A terminated state older than the incident is history, not a cause. */
describe('evidence has a time', () => {
  const staleOom = { restarts: 1, lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-01T11:45:00Z' } };

  it('an OOM kill long over (pods running and ready) does not outrank the active FailedScheduling, and shows as history', () => {
    const e = evidence('payment-service');
    e.pods.push(pod('payment-service', 'a', staleOom));
    e.pods.push(
      pod(
        'payment-service',
        'p',
        { ready: false, state: 'waiting', reason: 'ContainerCreating' },
        {
          phase: 'Pending',
          node: undefined,
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
        },
      ),
    );
    e.events.push({
      id: 'event:1',
      type: 'Warning',
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
      object: { kind: 'Pod', name: 'payment-service-abc123-p' },
      count: 3,
      lastSeen: AT,
    });
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
    e.rollouts.push({
      id: 'rollout:b/3',
      deployment: 'b',
      revision: '3',
      previousRevision: '2',
      at: '2026-12-01T11:58:00Z',
      changes: ['image app: b:1 → b:2'],
    });
    e.rollouts.push({
      id: 'rollout:a/7',
      deployment: 'a',
      revision: '7',
      previousRevision: '6',
      at: '2026-12-01T11:50:00Z',
      changes: ['image app: a:1 → a:2'],
    });
    e.rollouts.push({
      id: 'rollout:old/2',
      deployment: 'old',
      revision: '2',
      previousRevision: '1',
      at: '2026-11-30T11:00:00Z',
      changes: ['image app: o:1 → o:2'],
    });
    e.rollouts.push({ id: 'rollout:same/2', deployment: 'same', revision: '2', previousRevision: '1', at: '2026-12-01T11:59:00Z', changes: [] });
    expect(changeTimeline(e)).toEqual([
      { node: 'a', at: Date.parse('2026-12-01T11:50:00Z') / 1000, kind: 'rollout', detail: 'revision 7: image app: a:1 → a:2' },
      { node: 'b', at: Date.parse('2026-12-01T11:58:00Z') / 1000, kind: 'rollout', detail: 'revision 3: image app: b:1 → b:2' },
    ]);
  });
});

describe('calls that fail only at the caller (issue 21: silent roots)', () => {
  const withEdges = (calleeRate: number) => {
    const e = evidence('order-service');
    e.graph = {
      id: 'graph:dependencies',
      sources: ['istio'],
      edges: [
        { from: 'frontend', to: 'order-service', errorRate: 0.2 },
        { from: 'order-service', to: 'payment-service', errorRate: 0.25 },
      ],
    };
    e.metrics.push({
      id: 'metric:order-service/error_rate',
      service: 'order-service',
      signal: 'error_rate',
      current: 0.3,
      baseline: 0.003,
      changedAt: AT,
      source: 'prometheus',
    });
    e.metrics.push({
      id: 'metric:frontend/error_rate',
      service: 'frontend',
      signal: 'error_rate',
      current: 0.2,
      baseline: 0.003,
      changedAt: AT,
      source: 'prometheus',
    });
    e.metrics.push({
      id: 'metric:payment-service/error_rate',
      service: 'payment-service',
      signal: 'error_rate',
      current: calleeRate,
      baseline: 0.003,
      source: 'prometheus',
    });
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
    e.pods.push(
      pod(
        'payment-service',
        'p',
        { ready: false, state: 'waiting', reason: 'ContainerCreating' },
        { phase: 'Pending', node: undefined, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
      ),
    );
    e.events.push({
      id: 'event:1',
      type: 'Warning',
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
      object: { kind: 'Pod', name: 'payment-service-abc123-p' },
      count: 3,
      lastSeen: AT,
    });
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('FailedScheduling');
    expect(report.rootCauses.map((c) => c.category)).not.toContain('OOMKilled');
  });

  it('a crash loop just over does not outrank a latency regression that is happening now', () => {
    const e = evidence('order-service');
    e.pods.push(pod('order-service', 'a', { restarts: 4, lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2026-12-01T11:59:40Z' } }));
    e.metrics.push({
      id: 'metric:order-service/latency_p95',
      service: 'order-service',
      signal: 'latency_p95',
      current: 1.2,
      baseline: 0.05,
      changedAt: AT,
      source: 'prometheus',
    });
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0].category).toBe('LatencyRegression');
  });
});

describe('per-edge signals (the callers view, now against before)', () => {
  it('blame the callee from the edge series when the 5-minute edge ratio is still diluted', () => {
    const e = evidence('order-service');
    e.graph = { id: 'graph:dependencies', sources: ['istio'], edges: [{ from: 'order-service', to: 'payment-service', errorRate: 0.02 }] };
    e.edgeMetrics = [
      { id: 'edge:order-service>payment-service/errors', from: 'order-service', to: 'payment-service', metric: 'errors', current: 0.45, baseline: 0.003 },
    ];
    e.metrics.push({
      id: 'metric:order-service/error_rate',
      service: 'order-service',
      signal: 'error_rate',
      current: 0.3,
      baseline: 0.003,
      changedAt: AT,
      source: 'prometheus',
    });
    e.metrics.push({
      id: 'metric:payment-service/error_rate',
      service: 'payment-service',
      signal: 'error_rate',
      current: 0.003,
      baseline: 0.003,
      source: 'prometheus',
    });
    const report = buildReport(e, analyze(e));
    expect(report.rootCauses[0]).toMatchObject({ category: 'CallFailures', resource: 'deployment/payment-service' });
    expect(report.rootCauses[0].evidence).toContain('edge:order-service>payment-service/errors');
  });
});
