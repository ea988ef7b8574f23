import { describe, expect, it } from 'vitest';
import { nextDegradedState, type DegradedState } from '../../../functions/core/fleet/degraded.ts';
import { ClusterHealthRecorder } from '../../../functions/core/fleet/health-service.ts';
import { clusterHealthAlert } from '../../../functions/core/fleet/health-alert.ts';
import type { ClusterHealthRecord } from '../../../functions/core/fleet/health-record.ts';
import type { ClusterHealthStore } from '../../../functions/core/fleet/ports.ts';
import type { BusEvent } from '../../../functions/core/platform/ports.ts';

const SETTINGS = { threshold: 0.7, windowMinutes: 15 };
const t0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** Runs scores at 5-minute pulls through the window logic; returns each pull's transition. */
function run(scores: (number | null)[], settings = SETTINGS) {
  let previous: (DegradedState & { at: string }) | undefined;
  return scores.map((score, i) => {
    if (score === null) return 'gap';
    const step = nextDegradedState(previous, { score, at: at(i * 5) }, settings);
    previous = { belowSince: step.belowSince, degraded: step.degraded, at: at(i * 5) };
    return step.transition;
  });
}

describe('ClusterHealthDegraded window', () => {
  it('fires once the score has stayed below the threshold for the whole window, once, and resolves on recovery', () => {
    // below at 0, 5, 10, 15 min: 15 min below at the fourth pull
    expect(run([0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.69, 0.7, 0.9])).toEqual([null, null, null, null, 'fire', null, null, 'resolve', null]);
  });

  it('does not fire when the run below is interrupted by one pull at or above the threshold', () => {
    expect(run([0.5, 0.5, 0.5, 0.7, 0.5, 0.5, 0.5])).toEqual([null, null, null, null, null, null, null]);
  });

  it('starts the run again after a gap longer than the window, but keeps a firing alert until recovery', () => {
    // pulls 4..6 missing (the previous item is then 20 min old): the run restarts at pull 7
    const scores = [0.5, 0.5, 0.5, 0.5, null, null, null, 0.5, 0.5, 0.5, 0.5];
    let previous: (DegradedState & { at: string }) | undefined;
    const out: (string | null)[] = [];
    scores.forEach((score, i) => {
      if (score === null) return;
      const step = nextDegradedState(previous, { score, at: at(i * 5) }, SETTINGS);
      previous = { ...step, at: at(i * 5) };
      out.push(step.transition);
    });
    expect(out).toEqual([null, null, null, 'fire', null, null, null, null]);
    const restarted = nextDegradedState({ belowSince: at(0), degraded: false, at: at(0) }, { score: 0.5, at: at(20) }, SETTINGS);
    expect(restarted).toEqual({ belowSince: at(20), degraded: false, transition: null });
    const stillFiring = nextDegradedState({ belowSince: at(0), degraded: true, at: at(0) }, { score: 0.5, at: at(60) }, SETTINGS);
    expect(stillFiring.transition).toBeNull();
    expect(stillFiring.degraded).toBe(true);
  });

  it('counts a window shorter than the pull gap as covered by two consecutive low pulls', () => {
    const short = { threshold: 0.7, windowMinutes: 0.2, maxGapMinutes: 0.5 };
    const first = nextDegradedState(undefined, { score: 0.5, at: at(0) }, short);
    const second = nextDegradedState({ ...first, at: at(0) }, { score: 0.5, at: new Date(t0 + 13_000).toISOString() }, short);
    expect(second).toEqual({ belowSince: at(0), degraded: true, transition: 'fire' });
    const late = nextDegradedState({ ...first, at: at(0) }, { score: 0.5, at: new Date(t0 + 31_000).toISOString() }, short);
    expect(late.transition).toBeNull();
  });

  it('fires at the first low pull with a zero-minute window, and never for a score at the threshold', () => {
    expect(run([0.5, 0.9], { threshold: 0.7, windowMinutes: 0 })).toEqual(['fire', 'resolve']);
    expect(run([0.7, 0.7, 0.7, 0.7, 0.7])).toEqual([null, null, null, null, null]);
  });
});

class MemoryHealthStore implements ClusterHealthStore {
  readonly items = new Map<string, ClusterHealthRecord>();
  async put(r: ClusterHealthRecord) {
    this.items.set(`${r.clusterId}#${r.at}#${r.pullId}`, r);
  }
  async previous(clusterId: string, before: string) {
    return [...this.items.values()].filter((r) => r.clusterId === clusterId && r.at < before).sort((a, b) => b.at.localeCompare(a.at))[0];
  }
  async latest(): Promise<Map<string, ClusterHealthRecord>> {
    return new Map();
  }
}

describe('ClusterHealthRecorder', () => {
  const cluster = { id: 'c1', name: 'prod-eu', environment: 'prod' };
  const series = [
    { namespace: 'shop', service: 'frontend', features: { cpu_usage: 0.4, memory_usage: 2 ** 30, error_rate: 0.01, latency_p95: 0.2, request_rate: 10 } },
  ];
  const ready = [
    { ready: true, cpu: '4', memory: '16Gi' },
    { ready: true, cpu: '4', memory: '16Gi' },
    { ready: true, cpu: '4', memory: '16Gi' },
  ];
  const oneDown = [{ ...ready[0], ready: false }, ready[1], ready[2]];

  it('stores the score per pull and emits firing then resolved events with ids that name the pull (a retry sends the same)', async () => {
    const store = new MemoryHealthStore();
    const events: BusEvent[] = [];
    const recorder = new ClusterHealthRecorder({
      store,
      events: { publish: async (e) => void events.push(...e) },
      settings: { threshold: 0.7, windowMinutes: 10 },
    });
    const pull = (i: number, nodes: typeof ready) => recorder.record({ cluster, pullId: `p${i}`, at: at(i * 5), series, nodes });

    const healthy = await pull(0, ready);
    // 3 nodes ready, 0.4 of 12 cores, 1 GiB of 48 GiB: (1)(1 − 0.0333)(1 − 0.0208)
    expect(healthy.score).toBeCloseTo((1 - 0.4 / 12) * (1 - 1 / 48), 3);
    expect(healthy).toMatchObject({ readyNodes: 3, totalNodes: 3, errorRate: 0.01, requestRate: 10, degraded: false, belowSince: null });
    for (const i of [1, 2]) expect((await pull(i, oneDown)).transition).toBeNull();
    const fired = await pull(3, oneDown);
    expect(fired.transition).toBe('fire');
    expect((await pull(3, oneDown)).transition).toBe('fire'); // a retry of pull 3: same event again, same item
    expect(store.items.size).toBe(4);
    expect((await pull(4, ready)).transition).toBe('resolve');

    expect(events.map((e) => e.id)).toEqual([
      'c1:ClusterHealthDegraded:firing:p3',
      'c1:ClusterHealthDegraded:firing:p3',
      'c1:ClusterHealthDegraded:resolved:p4',
    ]);
    expect(events[0]).toMatchObject({
      source: 'fleetops.metrics',
      detailType: 'ClusterHealthDegraded',
      detail: { cluster: 'prod-eu', clusterId: 'c1', environment: 'prod', status: 'firing', threshold: 0.7, windowMinutes: 10, since: at(5), at: at(15) },
    });
  });

  it('makes one alert identity for the firing and the resolved form, cluster-scoped with cluster and environment labels', () => {
    const base = { cluster: 'prod-eu', clusterId: 'c1', environment: 'prod', score: 0.6, threshold: 0.7, windowMinutes: 15, since: at(0), at: at(15) };
    const firing = clusterHealthAlert({ ...base, status: 'firing' });
    const resolved = clusterHealthAlert({ ...base, status: 'resolved', score: 0.95, since: at(30), at: at(30) });
    expect(firing).toMatchObject({
      type: 'ClusterHealthDegraded',
      cluster: 'prod-eu',
      namespace: 'kube-system',
      service: 'cluster',
      severity: 'medium',
      status: 'firing',
    });
    expect(firing.labels).toMatchObject({ cluster: 'prod-eu', environment: 'prod' });
    expect(firing.message).toContain('60/100');
    expect(resolved.alertId).toBe(firing.alertId);
    expect(resolved.fingerprint).toBe(firing.fingerprint);
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: at(30) });
    expect(clusterHealthAlert({ ...base, cluster: 'other', status: 'firing' }).fingerprint).not.toBe(firing.fingerprint);
  });
});
