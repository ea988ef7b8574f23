/**
 * Detection replay: a week of the simulator's metric model (sim/metrics.ts, the same code the demo
 * scrapes), fast-forwarded at the AWS schedule (one pull every 5 minutes, 5-minute rate window),
 * for 2 clusters × 4 services, with faults of every metric-visible type injected at seeded random
 * times through the simulator's own fault code (sim/faults.ts). Every pull runs the real MetricPull
 * (core/pull/metric-pull.ts → core/detection) against an in-memory MetricsStore; its events feed
 * a model of the alert pipeline's incident rules (one incident per service; resolve when all alerts
 * resolved; reopen within 30 min) with and without dependency grouping (core/alerts/grouping.ts).
 *
 * Prints JSON lines: detection delay (median, p95, in pulls), recall per fault type, false incidents
 * per service-day on healthy stretches, incidents per fault with and without grouping, resolve delay.
 * BENCH_DAYS (default 7) and BENCH_SEED (default 1) change the replay.
 */
import { DEFAULT_GROUPING_CONFIG, findCorrelatedIncident } from '../functions/core/alerts/grouping.ts';
import type { Incident } from '../functions/core/alerts/types.ts';
import type { ClusterRecord } from '../functions/core/clusters/cluster-record.ts';
import type { GoldenSignals, MetricSource, ServiceSignals } from '../functions/core/metrics/types.ts';
import { MetricPull } from '../functions/core/pull/metric-pull.ts';
import type { BusEvent } from '../functions/ports.ts';
import { Cluster } from '../sim/cluster.ts';
import { isPodReady } from '../sim/controller.ts';
import { injectFault, removeFault, type FaultType } from '../sim/faults.ts';
import { SHOP_CALL_GRAPH } from '../sim/mesh.ts';
import { SHOP_SERVICES, seedWorkloads } from '../sim/seed-workloads.ts';
import { MemoryMetricsStore } from './support/memory-metrics-store.ts';

const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const PULL_MS = 5 * 60_000;
const RATE_WINDOW_MS = 5 * 60_000;
const RATE_STEP_MS = 60_000;
/** Faults that change what Prometheus sees (the Kubernetes-state ones are detected from pod/node state instead). */
const METRIC_FAULTS: FaultType[] = ['error-burst', 'latency-spike', 'cpu-spike', 'memory-leak'];
/** After a fault ends, its tail (resolution, baseline) is neither a fault nor a healthy stretch. */
const TAIL_MS = 60 * 60_000;
const REOPEN_MS = 30 * 60_000;
/** The graph the pipeline gets from the mesh metrics (istio_requests_total): the simulator's call graph, caller → callees. */
const SHOP_GRAPH: Record<string, string[]> = {};
for (const edge of SHOP_CALL_GRAPH) (SHOP_GRAPH[edge.from] ??= []).push(edge.to);
const SIGMA = 0.45; // the model's latency spread (sim/metrics.ts): p95 = median × e^(1.645 σ)

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const between = (lo: number, hi: number) => lo + (hi - lo) * rand();

// --- the simulated fleet -------------------------------------------------------------------------
const clusters = ['dev', 'prod'].map((name, i) => {
  const c = new Cluster(name, 1000 + i * 7 + SEED);
  seedWorkloads(c, 'bench-ca');
  return c;
});
for (let attempt = 0; attempt < 100; attempt++) {
  for (const c of clusters) c.reconcile();
  if (clusters.every((c) => c.store.list('pods', 'shop').length > 0 && c.store.list('pods', 'shop').every(isPodReady))) break;
  await new Promise((r) => setTimeout(r, 100));
}
const start = Math.ceil(Date.now() / PULL_MS) * PULL_MS + PULL_MS;
const pulls = Math.floor((DAYS * 86_400_000) / PULL_MS);

/** The golden signals the pull's PromQL would return at time t: rates averaged over the window, memory now. */
function signalsAt(c: Cluster, t: number): Map<string, GoldenSignals> {
  const acc = new Map<string, { rps: number; errors: number; latency: number; cpu: number; steps: number }>();
  for (let s = t - RATE_WINDOW_MS + RATE_STEP_MS; s <= t; s += RATE_STEP_MS) {
    const snap = c.metrics.snapshot(s);
    for (const svc of snap.services) {
      if (svc.namespace !== 'shop') continue;
      const a = acc.get(svc.name) ?? { rps: 0, errors: 0, latency: 0, cpu: 0, steps: 0 };
      a.rps += svc.rps;
      a.errors += svc.rps * (svc.unavailable ? 1 : svc.errorRatio);
      a.latency += svc.rps * svc.medianLatency * Math.exp(1.645 * SIGMA);
      a.steps++;
      acc.set(svc.name, a);
    }
    for (const pod of snap.pods) {
      const service = c.deploymentOfPod(pod.pod);
      const a = service ? acc.get(service) : undefined;
      if (a) a.cpu += pod.containers.reduce((n, ct) => n + ct.cpu, 0);
    }
  }
  const memory = new Map<string, number>();
  for (const pod of c.metrics.snapshot(t).pods) {
    const service = c.deploymentOfPod(pod.pod);
    if (service) memory.set(service, (memory.get(service) ?? 0) + pod.containers.reduce((n, ct) => n + ct.memory, 0));
  }
  const out = new Map<string, GoldenSignals>();
  for (const [service, a] of acc) {
    out.set(service, {
      cpu_usage: a.cpu / a.steps,
      memory_usage: memory.get(service) ?? null,
      error_rate: a.rps > 0 ? a.errors / a.rps : 0,
      latency_p95: a.rps > 0 ? a.latency / a.rps : null,
      request_rate: a.rps / a.steps,
    });
  }
  return out;
}

// --- seeded fault schedule -------------------------------------------------------------------------
interface PlannedFault {
  cluster: string;
  service: string;
  type: FaultType;
  start: number;
  end: number;
  id?: string;
}
const faults: PlannedFault[] = [];
const types = [...METRIC_FAULTS];
let typeIndex = 0;
for (const c of clusters) {
  let t = start + between(30, 6 * 60) * 60_000;
  while (t < start + pulls * PULL_MS - 2 * 3_600_000) {
    if (typeIndex % types.length === 0) types.sort(() => rand() - 0.5);
    const type = types[typeIndex++ % types.length];
    const duration = between(15, 60) * 60_000;
    faults.push({ cluster: c.name, service: SHOP_SERVICES[Math.floor(rand() * SHOP_SERVICES.length)], type, start: t, end: t + duration });
    t += duration + between(2, 12) * 3_600_000;
  }
}

// --- the real pull, against the model --------------------------------------------------------------
const records: Record<string, ClusterRecord> = Object.fromEntries(
  clusters.map((c) => [
    `c-${c.name}`,
    {
      id: `c-${c.name}`,
      name: c.name,
      environment: c.name,
      labels: {},
      server: 'https://sim',
      version: 'sim',
      status: 'active',
      createdAt: new Date(start).toISOString(),
      updatedAt: new Date(start).toISOString(),
      source: 'kubeconfig',
      credentialsVersion: 'x',
      namespaces: ['shop'],
    } satisfies ClusterRecord,
  ]),
);
let now = start;
const events: { pull: number; at: number; event: BusEvent }[] = [];
let pullIndex = 0;
const pull = new MetricPull({
  clusters: { get: async (id) => records[id] },
  sourceFor: async (record): Promise<MetricSource> => ({
    currentSignals: async ({ namespace }) => {
      const c = clusters.find((x) => x.name === record.name)!;
      return [...signalsAt(c, now)].map(([service, features]): ServiceSignals => ({
        cluster: c.name,
        namespace,
        service,
        at: new Date(now).toISOString(),
        features,
        source: 'prometheus',
      }));
    },
    rangeSignals: async () => [],
  }),
  store: new MemoryMetricsStore(),
  events: { publish: async (batch) => void events.push(...batch.map((event) => ({ pull: pullIndex, at: now, event }))) },
  clock: { now: () => new Date(now) },
  config: { defaultNamespaces: ['shop'], concurrency: 1 },
});

const began = performance.now();
for (pullIndex = 0; pullIndex < pulls; pullIndex++) {
  now = start + pullIndex * PULL_MS;
  for (const f of faults) {
    const c = clusters.find((x) => x.name === f.cluster)!;
    if (!f.id && f.start <= now && f.end > now) {
      const injected = injectFault(c, { type: f.type, namespace: 'shop', deployment: f.service });
      injected.createdAt = f.start; // the model's clock is the replay's, not the wall clock
      f.id = injected.id;
    } else if (f.id && f.end <= now && c.faults.has(f.id)) {
      removeFault(c, f.id);
    }
  }
  const results = await pull.pullBatch({ pullId: `p${pullIndex}`, at: new Date(now).toISOString(), clusterIds: Object.keys(records) });
  const failed = results.find((r) => r.error);
  if (failed) throw new Error(`pull ${pullIndex} failed: ${failed.error}`);
}
const replayMs = performance.now() - began;
if (process.env.BENCH_DEBUG)
  for (const e of events.filter((x) => (x.event.detail as any).layer === 'learned').slice(0, 15))
    console.error(
      e.pull,
      (e.event.detail as any).service,
      (e.event.detail as any).severity,
      (e.event.detail as any).score,
      JSON.stringify((e.event.detail as any).reasons),
    );

// --- incidents from the events, as the alert pipeline forms them -------------------------------------
type Tracked = Incident & { firing: Set<string>; openedPull: number; openedLayer?: string };
function incidentsFrom(grouping: boolean): Tracked[] {
  const all: Tracked[] = [];
  const config = { ...DEFAULT_GROUPING_CONFIG, ...(grouping ? { dependencies: SHOP_GRAPH } : {}) };
  for (const { pull: p, at, event } of events) {
    const d = event.detail as { cluster: string; namespace: string; service: string; severity: Incident['severity']; layer?: string };
    const alert = `${d.cluster}/${d.service}`;
    const iso = new Date(at).toISOString();
    if (event.detailType === 'AnomalyResolved') {
      const incident = all.find((i) => i.status === 'open' && i.firing.has(alert));
      if (!incident) continue;
      incident.firing.delete(alert);
      if (incident.firing.size === 0) Object.assign(incident, { status: 'resolved', resolvedAt: iso });
      continue;
    }
    const joined = all.find((i) => i.status === 'open' && (i.firing.has(alert) || (i.cluster === d.cluster && i.service === d.service)));
    if (joined) {
      joined.firing.add(alert);
      joined.lastSeen = iso;
      continue;
    }
    const reopen = all.find((i) => i.status === 'resolved' && i.cluster === d.cluster && i.service === d.service && at - Date.parse(i.resolvedAt!) < REOPEN_MS);
    if (reopen) {
      Object.assign(reopen, { status: 'open', lastSeen: iso });
      reopen.firing.add(alert);
      continue;
    }
    if (grouping) {
      const correlated = findCorrelatedIncident({ cluster: d.cluster, service: d.service, type: 'AnomalyDetected', message: '' }, all, new Date(at), config) as
        Tracked | undefined;
      if (correlated) {
        correlated.firing.add(alert);
        correlated.services = [...new Set([...(correlated.services ?? [correlated.service]), d.service])];
        correlated.lastSeen = iso;
        continue;
      }
    }
    all.push({
      id: `i${all.length}`,
      cluster: d.cluster,
      namespace: d.namespace,
      service: d.service,
      type: 'AnomalyDetected',
      severity: d.severity,
      status: 'open',
      alertCount: 1,
      firstSeen: iso,
      lastSeen: iso,
      services: [d.service],
      firing: new Set([alert]),
      openedPull: p,
      openedLayer: d.layer,
    });
  }
  return all;
}

// --- scoring ---------------------------------------------------------------------------------------
const pullAt = (t: number) => Math.ceil((t - start) / PULL_MS); // first pull at or after t
const quantile = (values: number[], q: number) => {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const detected = (f: PlannedFault, e: (typeof events)[number]) => {
  const d = e.event.detail as { cluster: string; service: string };
  return d.cluster === f.cluster && d.service === f.service;
};
const delays: number[] = [];
const resolveDelays: number[] = [];
const perType = new Map<string, { faults: number; detected: number; delays: number[] }>();
for (const f of faults) {
  const first = events.find((e) => e.event.detailType === 'AnomalyDetected' && detected(f, e) && e.at >= f.start && e.at <= f.end);
  const stats = perType.get(f.type) ?? { faults: 0, detected: 0, delays: [] };
  stats.faults++;
  if (first) {
    stats.detected++;
    const delay = first.pull - pullAt(f.start) + 1;
    stats.delays.push(delay);
    delays.push(delay);
    const resolved = events.find((e) => e.event.detailType === 'AnomalyResolved' && detected(f, e) && e.at >= f.end);
    if (resolved) resolveDelays.push(resolved.pull - pullAt(f.end) + 1);
  }
  perType.set(f.type, stats);
}

const unhealthy = (cluster: string, t: number) => faults.some((f) => f.cluster === cluster && t >= f.start && t < f.end + TAIL_MS);
let healthyServiceDays = 0;
for (let p = 0; p < pulls; p++)
  for (const c of clusters) if (!unhealthy(c.name, start + p * PULL_MS)) healthyServiceDays += (SHOP_SERVICES.length * PULL_MS) / 86_400_000;

const summary = (grouping: boolean) => {
  const incidents = incidentsFrom(grouping);
  const opened = (i: Tracked) => Date.parse(i.firstSeen);
  const falseIncidents = incidents.filter((i) => !unhealthy(i.cluster, opened(i)));
  const perFault = faults.map((f) => incidents.filter((i) => i.cluster === f.cluster && opened(i) >= f.start && opened(i) < f.end + TAIL_MS).length);
  return { incidents, falseIncidents, perFault };
};
const without = summary(false);
const withGrouping = summary(true);
const byLayer = (list: Tracked[]) =>
  list.reduce<Record<string, number>>((m, i) => ((m[i.openedLayer ?? 'none'] = (m[i.openedLayer ?? 'none'] ?? 0) + 1), m), {});
const round = (v: number | null, d = 3) => (v === null ? null : Number(v.toFixed(d)));
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

const base = { bench: 'detection-replay', days: DAYS, seed: SEED, clusters: clusters.length, services: SHOP_SERVICES.length, pullMinutes: PULL_MS / 60_000 };
console.log(JSON.stringify({ ...base, metric: 'replay', pulls, faults: faults.length, events: events.length, replaySeconds: round(replayMs / 1000, 1) }));
console.log(
  JSON.stringify({
    ...base,
    metric: 'detection_delay_pulls',
    median: quantile(delays, 0.5),
    p95: quantile(delays, 0.95),
    detected: delays.length,
    faults: faults.length,
  }),
);
for (const [type, s] of [...perType].sort()) {
  console.log(
    JSON.stringify({
      ...base,
      metric: 'recall',
      faultType: type,
      recall: round(s.detected / s.faults),
      detected: s.detected,
      faults: s.faults,
      delayMedianPulls: quantile(s.delays, 0.5),
    }),
  );
}
console.log(
  JSON.stringify({
    ...base,
    metric: 'false_incidents_per_service_day',
    value: round(without.falseIncidents.length / healthyServiceDays, 4),
    falseIncidents: without.falseIncidents.length,
    healthyServiceDays: round(healthyServiceDays, 1),
    byLayer: byLayer(without.falseIncidents),
  }),
);
console.log(
  JSON.stringify({
    ...base,
    metric: 'incidents_per_fault',
    withoutGrouping: round(mean(without.perFault)),
    withGrouping: round(mean(withGrouping.perFault)),
    maxWithout: Math.max(0, ...without.perFault),
    maxWith: Math.max(0, ...withGrouping.perFault),
  }),
);
console.log(
  JSON.stringify({
    ...base,
    metric: 'resolve_delay_pulls',
    median: quantile(resolveDelays, 0.5),
    p95: quantile(resolveDelays, 0.95),
    resolved: resolveDelays.length,
  }),
);
