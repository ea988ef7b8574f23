/**
 * Which resource runs out next, per container: each pull appends the highest memory/limit fraction
 * among a workload's pods to a short series, forecasts the next hour, and fires a `PredictedBreach`
 * when the forecast reaches the limit (resolved once it has stopped doing so for `resolveAfterPulls`).
 * Pure: the pull reads the previous state and writes the next.
 */
import { dedupFingerprint, instanceId } from '../alerts/fingerprint.ts';
import type { NormalizedAlert } from '../alerts/types.ts';
import { EVENT_SOURCES } from '../platform/events.ts';
import type { BusEvent } from '../platform/ports.ts';
import { memoryForecaster, predictBreach, type Forecaster, type Point } from './breach.ts';
import type { ContainerSample } from './types.ts';

export const PREDICTED_BREACH_DETAIL_TYPE = 'PredictedBreach';
const MI = 1024 ** 2;

export interface CapacitySeries {
  key: string; // <namespace>#<workload>#<container>
  namespace: string;
  workload: string;
  container: string;
  signal: 'memory';
  /** Bytes of the limit (the lowest among the pods). */
  limit: number;
  /** Highest usage/limit fraction among the pods, per pull. */
  points: Point[];
  breach?: { since: string; predictedBreachAt: string; quietPulls: number; lastSentAt: string };
}

export interface PredictedBreachDetail {
  cluster: string;
  clusterId: string;
  namespace: string;
  service: string;
  container: string;
  signal: 'memory';
  limit: string;
  status: 'firing' | 'resolved';
  predictedBreachAt: string;
  message: string;
  since: string;
  at: string;
}

export interface CapacityOptions {
  horizonMs: number;
  maxPoints: number;
  minPoints: number;
  resolveAfterPulls: number;
  /** A still-firing breach is sent again when its predicted time moved by more than this, or after `refireMs`. */
  moveMs: number;
  refireMs: number;
  forecaster?: Forecaster;
}

/** Memory: Holt-Winters on hours of history, the trend line on minutes (bench/forecast-compare.bench.ts; see memoryForecaster). */
export const DEFAULT_CAPACITY: CapacityOptions = {
  horizonMs: 3_600_000,
  maxPoints: 180,
  minPoints: 5,
  resolveAfterPulls: 2,
  moveMs: 5 * 60_000,
  refireMs: 3_600_000,
  forecaster: memoryForecaster(),
};

export function formatLimit(bytes: number): string {
  return bytes % (1024 * MI) === 0 ? `${bytes / (1024 * MI)}Gi` : `${Math.round(bytes / MI)}Mi`;
}

export function breachMessage(d: { workload: string; container: string; limit: number; predictedBreachAt: string }): string {
  return `Predicted breach: memory of ${d.workload}/${d.container} reaches its limit ${formatLimit(d.limit)} at ${d.predictedBreachAt}`;
}

export function advanceCapacity(input: {
  clusterId: string;
  cluster: string;
  pullId: string;
  at: Date;
  intervalSeconds: number;
  previous: CapacitySeries[];
  samples: ContainerSample[];
  options?: Partial<CapacityOptions>;
}): { next: CapacitySeries[]; events: BusEvent<PredictedBreachDetail>[] } {
  const o = { ...DEFAULT_CAPACITY, ...input.options };
  const t = input.at.getTime();
  const now = input.at.toISOString();
  const current = new Map<string, { namespace: string; workload: string; container: string; frac: number; limit: number }>();
  for (const s of input.samples) {
    if (!s.measured || !s.limits.memory) continue;
    const key = `${s.namespace}#${s.workload}#${s.container}`;
    const frac = s.memory / s.limits.memory;
    const c = current.get(key);
    if (!c || frac > c.frac)
      current.set(key, { namespace: s.namespace, workload: s.workload, container: s.container, frac, limit: Math.min(s.limits.memory, c?.limit ?? Infinity) });
  }
  const prev = new Map(input.previous.map((p) => [p.key, p]));
  const next: CapacitySeries[] = [];
  const events: BusEvent<PredictedBreachDetail>[] = [];
  const event = (s: CapacitySeries, status: 'firing' | 'resolved', predictedBreachAt: string, since: string): BusEvent<PredictedBreachDetail> => ({
    id: `${input.clusterId}:${s.key}:predicted:${status}:${input.pullId}`,
    source: EVENT_SOURCES.metrics,
    detailType: PREDICTED_BREACH_DETAIL_TYPE,
    detail: {
      cluster: input.cluster,
      clusterId: input.clusterId,
      namespace: s.namespace,
      service: s.workload,
      container: s.container,
      signal: 'memory',
      limit: formatLimit(s.limit),
      status,
      predictedBreachAt,
      message:
        status === 'firing'
          ? breachMessage({ ...s, predictedBreachAt })
          : `Memory of ${s.workload}/${s.container} no longer forecast to reach its limit ${formatLimit(s.limit)}`,
      since,
      at: now,
    },
  });

  for (const key of new Set([...prev.keys(), ...current.keys()])) {
    const p = prev.get(key);
    const c = current.get(key);
    const base: CapacitySeries = p ?? {
      key,
      namespace: c!.namespace,
      workload: c!.workload,
      container: c!.container,
      signal: 'memory',
      limit: c!.limit,
      points: [],
    };
    // A retried pull replaces its own point instead of adding one.
    const points = base.points.filter((x) => x.t !== t);
    if (c) points.push({ t, v: c.frac });
    const s: CapacitySeries = { ...base, limit: c?.limit ?? base.limit, points: points.slice(-o.maxPoints) };
    const at = c
      ? predictBreach({
          points: s.points,
          limit: 1,
          horizonMs: o.horizonMs,
          stepMs: input.intervalSeconds * 1000,
          minPoints: o.minPoints,
          ...(o.forecaster ? { forecaster: o.forecaster } : {}),
        })
      : undefined;
    if (at !== undefined) {
      const predictedBreachAt = new Date(at).toISOString();
      const b = s.breach;
      if (!b) {
        s.breach = { since: now, predictedBreachAt, quietPulls: 0, lastSentAt: now };
        events.push(event(s, 'firing', predictedBreachAt, now));
      } else {
        const moved = Math.abs(Date.parse(b.predictedBreachAt) - at) > o.moveMs;
        const stale = t - Date.parse(b.lastSentAt) > o.refireMs;
        s.breach = { ...b, predictedBreachAt, quietPulls: 0, ...(moved || stale ? { lastSentAt: now } : {}) };
        if (moved || stale) events.push(event(s, 'firing', predictedBreachAt, b.since));
      }
    } else if (s.breach) {
      const quiet = s.breach.quietPulls + 1;
      if (quiet >= o.resolveAfterPulls) {
        events.push(event(s, 'resolved', s.breach.predictedBreachAt, s.breach.since));
        delete s.breach;
      } else s.breach = { ...s.breach, quietPulls: quiet };
    }
    // A workload gone for a whole series length is forgotten.
    if (s.points.length && t - s.points[s.points.length - 1]!.t > o.maxPoints * input.intervalSeconds * 1000 && !s.breach) continue;
    next.push(s);
  }
  return { next, events };
}

/** A `PredictedBreach` event as an alert of the pipeline: one instance per (cluster, namespace, service, container). */
export function predictedBreachAlert(detail: PredictedBreachDetail): NormalizedAlert {
  const subject = {
    cluster: detail.cluster,
    namespace: detail.namespace,
    service: detail.service,
    type: PREDICTED_BREACH_DETAIL_TYPE,
    labels: { signal: detail.signal, container: detail.container, source: 'forecast' },
  };
  return {
    ...subject,
    fingerprint: dedupFingerprint(subject),
    alertId: instanceId(subject),
    source: 'forecast',
    // An hour of warning is not an outage: high when the breach is due within 15 minutes.
    severity: Date.parse(detail.predictedBreachAt) - Date.parse(detail.at) <= 15 * 60_000 ? 'high' : 'medium',
    status: detail.status,
    message: detail.message,
    labels: { ...subject.labels, limit: detail.limit, predicted_breach_at: detail.predictedBreachAt },
    startsAt: detail.since,
    ...(detail.status === 'resolved' ? { endsAt: detail.at } : {}),
    // What grouping reads it as: the workload's own memory (no callee explains it), which builds up to an OOM kill.
    signals: [`${detail.signal}_usage`],
  };
}
