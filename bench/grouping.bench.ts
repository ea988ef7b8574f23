/**
 * Grouping replay (issue 20): overlapping and back-to-back faults on two clusters' `shop` services, replayed
 * through the real AlertPipeline (in-memory AlertStore, test/support/fakes) at a 10-s pull. Per pull the
 * simulator's mesh model (sim/mesh.ts `propagate`, the code behind its Istio metrics) turns the active faults
 * into per-service error ratio and latency and per-edge evidence (with each edge's lowest reading over the last
 * minute, as the pull's subquery reads it); a detection model turns those into the alerts
 * the pull raises (AnomalyDetected started / worsened on a new signal, a higher severity or a request signal grown past
 * its last sent value / resolved after 2 quiet pulls, with the
 * signals it fired on; kube-state conditions for image pulls, crash loops and OOM kills). One fault type evolves:
 * a memory leak's memory signal comes first, its OOM kills minutes later. Each firing alert is
 * labelled with its true fault: the service's own fault when it has one that shows in that signal, else the
 * active fault downstream that its degraded edges lead to.
 *
 * Prints JSON lines per mode: pairwise precision and recall of the incident each firing alert landed in against
 * its true fault, incidents per fault, hidden faults (no incident holding its alerts names its service), and
 * for text-similarity clustering (core/alerts/similarity.ts) alone and added to topology. BENCH_SEED, BENCH_FAULTS.
 */
import { AlertPipeline, signalOnsetSecondsFor, flapSecondsFor, newKindAfterSecondsFor, upwardJoinSecondsFor } from '../functions/core/alerts/pipeline.ts';
import { groupBySimilarity } from '../functions/core/alerts/similarity.ts';
import { dedupFingerprint, instanceId } from '../functions/core/alerts/fingerprint.ts';
import type { NormalizedAlert } from '../functions/core/alerts/types.ts';
import { DEFAULT_GROUPING_CONFIG } from '../functions/core/alerts/grouping.ts';
import { sustainedEdgeSecondsFor, type EdgeHealth } from '../functions/core/mesh/evidence.ts';
import { Rng } from '../functions/core/anomaly/random.ts';
import { DEFAULT_BASELINE_OPTIONS } from '../functions/core/detection/baseline.ts';
import { DEFAULT_GUARDRAILS } from '../functions/core/detection/guardrails.ts';
import { propagate, SHOP_CALL_GRAPH, type OwnService } from '../sim/mesh.ts';
import { InMemoryAlertStore } from '../test/support/fakes/alert-store.ts';

const SEED = Number(process.env.BENCH_SEED ?? 1);
const FAULTS = Number(process.env.BENCH_FAULTS ?? 80);
const PULL_S = 10;
/** The span of the pull's sustained edge reading, as the wiring sets it. */
const SUSTAINED_S = sustainedEdgeSecondsFor(PULL_S);
const CLUSTERS = ['dev', 'prod'];
const NOMINAL: Record<string, { rps: number; latency: number }> = {
  frontend: { rps: 20, latency: 0.02 },
  'user-service': { rps: 11, latency: 0.025 },
  'order-service': { rps: 7.5, latency: 0.03 },
  'payment-service': { rps: 4.5, latency: 0.09 },
};
const SERVICES = Object.keys(NOMINAL);
/** Call depth in `shop` (callees deeper). */
const DEPTH: Record<string, number> = { frontend: 0, 'user-service': 1, 'order-service': 1, 'payment-service': 2 };
const GRAPH: Record<string, string[]> = {};
for (const e of SHOP_CALL_GRAPH) (GRAPH[e.from] ??= []).push(e.to);
type FaultType = 'error-burst' | 'latency-spike' | 'cpu-spike' | 'image-pull-backoff' | 'crash-loop' | 'oom-killed' | 'memory-leak';
const TYPES: FaultType[] = ['error-burst', 'latency-spike', 'cpu-spike', 'image-pull-backoff', 'crash-loop', 'oom-killed', 'memory-leak'];
const KUBE: Partial<Record<FaultType, string>> = {
  'image-pull-backoff': 'KubePodImagePullBackOff',
  'crash-loop': 'KubePodCrashLooping',
  'oom-killed': 'KubePodOOMKilled',
  'memory-leak': 'KubePodOOMKilled',
};

interface Fault {
  id: string;
  cluster: string;
  service: string;
  type: FaultType;
  start: number;
  end: number;
}

/**
 * When a fault's Kubernetes condition starts: at once, except for a fault that evolves. A memory leak grows (the
 * memory signal) until the kernel kills the pods 45 s to 3 min in (OOMKilled, and the requests the killed pods
 * drop): one fault, one incident, however late its second stage comes.
 */
function conditionStarts(f: Fault): number {
  return f.type === 'memory-leak' ? f.start + Math.min(f.end - f.start - 30, 45 + ((f.start * 7 + f.end) % 135)) : f.start;
}

const leaking = (f: Fault, now: number) => f.type === 'memory-leak' && now >= f.start + 30;
const killing = (f: Fault, now: number) => (f.type === 'oom-killed' || f.type === 'memory-leak') && now >= conditionStarts(f);

/** Faults per cluster: a chain of back-to-back ones (15 s apart) with others started inside them (overlaps). */
function schedule(rng: Rng): Fault[] {
  const faults: Fault[] = [];
  for (const cluster of CLUSTERS) {
    let t = 120;
    for (let i = 0; i < FAULTS / CLUSTERS.length; i++) {
      const type = TYPES[rng.nextInt(TYPES.length)];
      const service = SERVICES[rng.nextInt(SERVICES.length)];
      const duration = 120 + rng.nextInt(300);
      const overlap = rng.nextFloat() < 0.4 && faults.length > 0 && faults[faults.length - 1].cluster === cluster;
      const start = overlap ? faults[faults.length - 1].start + 30 + rng.nextInt(90) : t;
      const f = { id: `${cluster}-${i}`, cluster, service, type, start, end: start + duration };
      faults.push(f);
      t = Math.max(t, f.end + 15 + (rng.nextFloat() < 0.5 ? 0 : 240));
    }
  }
  return faults;
}

interface ServiceView {
  errorRatio: number;
  rps: number;
  p95: number;
  cpu: boolean;
  memory: boolean;
}

function meshAt(active: Fault[], now: number): { services: Map<string, ServiceView>; edges: EdgeHealth[] } {
  const own: OwnService[] = SERVICES.map((name) => {
    let errorRatio = 0.003;
    let medianLatency = NOMINAL[name].latency;
    let unavailable = false;
    for (const f of active.filter((x) => x.service === name)) {
      if (f.type === 'error-burst') errorRatio = Math.max(errorRatio, 0.4);
      if (f.type === 'latency-spike') medianLatency *= 20;
      if (f.type === 'cpu-spike') {
        errorRatio += 0.01;
        medianLatency *= 2.5;
      }
      if (f.type === 'crash-loop') unavailable = true;
      if (killing(f, now)) errorRatio = Math.max(errorRatio, 0.15);
    }
    return { name, rps: NOMINAL[name].rps, errorRatio, medianLatency, unavailable };
  });
  const mesh = propagate(own);
  const base = propagate(
    SERVICES.map((name) => ({ name, rps: NOMINAL[name].rps, errorRatio: 0.003, medianLatency: NOMINAL[name].latency, unavailable: false })),
  );
  const services = new Map<string, ServiceView>();
  for (const s of mesh.services) {
    const cpu = active.some((f) => f.service === s.name && f.type === 'cpu-spike');
    const memory = active.some((f) => f.service === s.name && leaking(f, now));
    services.set(s.name, { errorRatio: s.unavailable ? 1 : s.errorRatio, rps: s.rps, p95: s.medianLatency * Math.exp(1.645 * 0.45), cpu, memory });
  }
  const edges = mesh.edges.map((e) => {
    const b = base.edges.find((x) => x.from === e.from && x.to === e.to)!;
    const mean = (m: number, t: number) => Math.min(m * Math.exp((0.45 * 0.45) / 2), t) * 1000;
    return {
      from: e.from,
      to: e.to,
      rps: e.rps,
      errorRatio: e.unavailable ? 1 : Math.min(1, e.errorRatio + e.timeoutRatio),
      baselineErrorRatio: b.errorRatio + b.timeoutRatio,
      latencyMs: e.unavailable ? 1 : mean(e.medianLatency, e.timeoutSeconds),
      baselineLatencyMs: mean(b.medianLatency, b.timeoutSeconds),
    };
  });
  return { services, edges };
}

const NOMINAL_P95 = new Map(
  propagate(
    SERVICES.map((name) => ({ name, rps: NOMINAL[name].rps, errorRatio: 0.003, medianLatency: NOMINAL[name].latency, unavailable: false })),
  ).services.map((s) => [s.name, s.medianLatency * Math.exp(1.645 * 0.45)]),
);

/** The detection layers' thresholds, roughly (baseline: error ratio ×3 and +2 %, latency ×1.8 and +0.1 s). */
function signalsOf(service: string, v: ServiceView): string[] {
  const out: string[] = [];
  if (v.errorRatio >= 0.009 && v.errorRatio - 0.003 >= 0.02) out.push('error_rate');
  const p = NOMINAL_P95.get(service)!;
  if (v.p95 >= 1.8 * p && v.p95 - p >= 0.1) out.push('latency_p95');
  if (v.cpu) out.push('cpu_usage');
  if (v.memory) out.push('memory_usage');
  return out;
}

const valueOf = (v: ServiceView, signal: string) => (signal === 'error_rate' ? v.errorRatio : signal === 'latency_p95' ? v.p95 : 0);

/** A request signal past its value when last sent by the baseline layer's ratio and excess (detect.ts grownSinceSent). */
function grewPast(signal: string, value: number, sent: number | undefined): boolean {
  const rule = signal === 'error_rate' || signal === 'latency_p95' ? DEFAULT_BASELINE_OPTIONS.rules[signal] : undefined;
  return sent !== undefined && rule !== undefined && value >= rule.ratio * sent && value - sent >= rule.minExcess;
}

/**
 * How severe a signal is, as detection grades it (core/detection): the worst of the baseline layer's (10× its median
 * or more: high, else medium) and the guardrails' (5 % errors, 1 s p95: 5× the limit critical, 2× high, else medium);
 * 1 medium, 2 high, 3 critical. Detection sends the anomaly again (`worsened`) when its severity rises past its peak.
 */
function severityOf(service: string, v: ServiceView, signal: string): number {
  const guardrail = (value: number, limit: number) => (value < limit ? 0 : value >= 5 * limit ? 3 : value >= 2 * limit ? 2 : 1);
  if (signal === 'error_rate') return Math.max(v.errorRatio >= 10 * 0.003 ? 2 : 1, guardrail(v.errorRatio, DEFAULT_GUARDRAILS.errorRate));
  if (signal === 'latency_p95') return Math.max(v.p95 >= 10 * NOMINAL_P95.get(service)! ? 2 : 1, guardrail(v.p95, DEFAULT_GUARDRAILS.latencyP95Seconds));
  return 1;
}

/** The fault a service's signal comes from: its own when it has one that shows there, else one downstream its edges lead to. */
function causeOf(
  cluster: string,
  service: string,
  signal: string,
  active: Fault[],
  edges: EdgeHealth[],
  now: number,
  seen = new Set<string>(),
): Fault | undefined {
  seen.add(service);
  const own = active.filter((f) => f.service === service && f.cluster === cluster);
  const shows = (f: Fault) =>
    signal === 'cpu_usage'
      ? f.type === 'cpu-spike'
      : signal === 'memory_usage'
        ? leaking(f, now)
        : signal === 'error_rate'
          ? ['error-burst', 'crash-loop', 'cpu-spike'].includes(f.type) || killing(f, now)
          : ['latency-spike', 'cpu-spike'].includes(f.type);
  // The service's own fault that the signal would not fire without, else one that fires it alone; a fault that shows in the
  // signal but can fire it neither way (a CPU spike's extra 1 % of errors beside a callee's failure) caused none of it.
  const showing = own.filter(shows).sort((a, b) => a.start - b.start);
  const mine =
    showing.find(
      (f) =>
        !signalFires(
          cluster,
          service,
          signal,
          active.filter((x) => x !== f),
          now,
        ),
    ) ?? showing.find((f) => signalFires(cluster, service, signal, [f], now));
  if (mine) return mine;
  for (const e of edges.filter((x) => x.from === service && !seen.has(x.to))) {
    const bad =
      signal === 'latency_p95'
        ? (e.latencyMs ?? 0) >= 1.5 * (e.baselineLatencyMs ?? 0) + 25 || e.errorRatio > 0.05
        : e.errorRatio - (e.baselineErrorRatio ?? 0) >= 0.02;
    if (!bad) continue;
    const below =
      causeOf(cluster, e.to, signal === 'latency_p95' ? 'latency_p95' : 'error_rate', active, edges, now, seen) ??
      causeOf(cluster, e.to, 'error_rate', active, edges, now, seen);
    if (below) return below;
  }
  return showing[0] ?? own[0];
}

/** Whether the service's signal fires with only these faults of its cluster active. */
function signalFires(cluster: string, service: string, signal: string, active: Fault[], now: number): boolean {
  const { services } = meshAt(
    active.filter((f) => f.cluster === cluster),
    now,
  );
  return signalsOf(service, services.get(service)!).includes(signal);
}

interface Fired {
  cluster: string;
  service: string;
  fault: string;
  incident: string;
  /** Where the alert ended up: the incident holding it when it stopped firing or fired again (splits and moves). */
  final: string;
  alertId: string;
  text: string;
  at: number;
}

async function replay(mode: 'topology+time' | 'evidence' | 'evidence+similarity', faults: Fault[]) {
  const store = new InMemoryAlertStore();
  let now = 0;
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const edgesNow = new Map<string, EdgeHealth[]>();
  const pipeline = new AlertPipeline({
    store,
    publisher: { publish: async () => {} },
    notifiers: [],
    clock: { now: () => new Date(t0 + now * 1000) },
    config: {
      causeWaitSeconds: 0,
      splitWaitSeconds: 0,
      evidenceCacheSeconds: 0,
      graphCacheSeconds: 0,
      flapSeconds: flapSecondsFor(PULL_S),
      upwardJoinSeconds: upwardJoinSecondsFor(PULL_S),
      newKindAfterSeconds: newKindAfterSecondsFor(PULL_S),
      signalOnsetSeconds: signalOnsetSecondsFor(PULL_S),
      ...(mode === 'evidence+similarity' ? { grouping: { ...DEFAULT_GROUPING_CONFIG, similarityThreshold: 0.6 } } : {}),
    },
    graphs: { forCluster: async () => GRAPH },
    ...(mode === 'topology+time'
      ? {}
      : { evidence: { forCluster: async (c: string) => ({ at: new Date(t0 + now * 1000).toISOString(), edges: edgesNow.get(c) ?? [] }) } }),
  });
  const rng = new Rng(SEED * 7919);
  const state = new Map<string, { signals: Set<string>; quiet: number; active: boolean; peak: number; sent: Map<string, number> }>();
  const kubeOn = new Set<string>();
  const fired: Fired[] = [];
  const latestByAlertId = new Map<string, Fired>();
  const end = Math.max(...faults.map((f) => f.end)) + 300;
  const alertOf = (
    cluster: string,
    service: string,
    type: string,
    source: string,
    status: 'firing' | 'resolved',
    signals: string[] = [],
    view?: ServiceView,
  ): NormalizedAlert => {
    const base = {
      source,
      cluster,
      namespace: 'shop',
      service,
      type,
      severity: 'high' as const,
      status,
      message:
        type === 'AnomalyDetected'
          ? `Anomaly on ${service}: ${signals.map((s) => `baseline: ${s} ${(1 + rng.nextFloat() * 9).toFixed(1)}× its recent median`).join('; ')}`
          : `${type} on ${service}`,
      labels: {},
      startsAt: new Date(t0 + now * 1000).toISOString(),
      ...(signals.length ? { signals } : {}),
      ...(view ? { observed: { errorRatio: view.errorRatio, requestsPerSecond: view.rps, latencyP95Seconds: view.p95 } } : {}),
    };
    return { ...base, fingerprint: dedupFingerprint(base), alertId: instanceId(base) };
  };
  for (now = 0; now <= end; now += PULL_S) {
    const batch: { alert: NormalizedAlert; fault?: string }[] = [];
    for (const cluster of CLUSTERS) {
      const activeAt = (t: number) => faults.filter((f) => f.cluster === cluster && f.start <= t && t < f.end);
      const active = activeAt(now);
      const { services, edges } = meshAt(active, now);
      // The pull's sustained reading of each edge (EdgeHealth.sustained*): its lowest over the last minute.
      const span: EdgeHealth[][] = [];
      for (let t = now - SUSTAINED_S; t < now; t += PULL_S) span.push(meshAt(activeAt(t), t).edges);
      span.push(edges);
      edgesNow.set(
        cluster,
        edges.map((e) => {
          const same = span.map((x) => x.find((y) => y.from === e.from && y.to === e.to)!);
          return {
            ...e,
            sustainedErrorRatio: Math.min(...same.map((x) => x.errorRatio)),
            sustainedLatencyMs: Math.min(...same.map((x) => x.latencyMs ?? Infinity)),
          };
        }),
      );
      for (const service of SERVICES) {
        const key = `${cluster}/${service}`;
        // kube-state: a condition fires one pull after it starts and resolves one pull after it ends
        const kubeFault = faults.find(
          (f) => f.cluster === cluster && f.service === service && KUBE[f.type] && conditionStarts(f) + PULL_S <= now && now < f.end + PULL_S,
        );
        for (const type of new Set(Object.values(KUBE))) {
          const k = `${key}/${type}`;
          const on = kubeFault !== undefined && KUBE[kubeFault.type] === type;
          if (on && !kubeOn.has(k)) {
            kubeOn.add(k);
            batch.push({ alert: alertOf(cluster, service, type, 'kube-state', 'firing'), fault: kubeFault!.id });
          } else if (!on && kubeOn.has(k)) {
            kubeOn.delete(k);
            batch.push({ alert: alertOf(cluster, service, type, 'kube-state', 'resolved') });
          }
        }
        // anomaly detection, one pull behind the mesh
        const signals = signalsOf(service, services.get(service)!);
        const s = state.get(key) ?? { signals: new Set<string>(), quiet: 0, active: false, peak: 0, sent: new Map<string, number>() };
        state.set(key, s);
        if (signals.length) {
          const view = services.get(service)!;
          const severity = Math.max(...signals.map((x) => severityOf(service, view, x)));
          const fresh = signals.filter((x) => !s.signals.has(x));
          const escalated = s.active && severity > s.peak ? signals.filter((x) => severityOf(service, view, x) === severity) : [];
          const grown = s.active ? signals.filter((x) => grewPast(x, valueOf(view, x), s.sent.get(x))) : [];
          s.quiet = 0;
          if (!s.active || fresh.length || escalated.length || grown.length) {
            s.active = true;
            s.peak = Math.max(s.peak, severity);
            for (const x of signals) s.sent.set(x, valueOf(view, x));
            for (const x of signals) s.signals.add(x);
            const focus = fresh.length ? fresh : escalated.length ? escalated : grown.length ? grown : signals;
            const cause = causeOf(
              cluster,
              service,
              focus.find((x) => x === 'cpu_usage' || x === 'memory_usage') ??
                (focus.includes('latency_p95') && !focus.includes('error_rate') ? 'latency_p95' : focus[0]),
              active,
              edges,
              now,
            );
            batch.push({ alert: alertOf(cluster, service, 'AnomalyDetected', 'anomaly', 'firing', signals, services.get(service)), fault: cause?.id });
          }
        } else if (s.active && ++s.quiet >= 2) {
          s.active = false;
          s.peak = 0;
          s.sent.clear();
          s.signals.clear();
          batch.push({ alert: alertOf(cluster, service, 'AnomalyDetected', 'anomaly', 'resolved') });
        }
      }
    }
    // One pull's events reach the pipeline in no particular order, except that a caller's symptom waits for a
    // callee anomalous in the same pull (the pipeline's cause wait, `alsoAnomalous`): callees are decided first.
    for (let i = batch.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [batch[i], batch[j]] = [batch[j], batch[i]];
    }
    const anomalous = new Map<string, string[]>();
    for (const { alert } of batch)
      if (alert.status === 'firing' && alert.type === 'AnomalyDetected')
        (anomalous.get(alert.cluster) ?? anomalous.set(alert.cluster, []).get(alert.cluster)!).push(alert.service);
    for (const b of batch) {
      const related = (anomalous.get(b.alert.cluster) ?? []).filter((x) => x !== b.alert.service);
      if (b.alert.type === 'AnomalyDetected' && b.alert.status === 'firing' && related.length) b.alert.related = related;
    }
    batch.sort((a, b) => DEPTH[b.alert.service] - DEPTH[a.alert.service]);
    for (const { alert, fault } of batch) {
      const result = await pipeline.ingest([alert]);
      if (alert.status === 'firing' && fault) {
        const f = {
          cluster: alert.cluster,
          service: alert.service,
          fault,
          incident: result.incidents[0],
          final: result.incidents[0],
          alertId: alert.alertId,
          text: `${alert.type} ${alert.message}`,
          at: now,
        };
        fired.push(f);
        latestByAlertId.set(alert.alertId, f);
      } else if (alert.status === 'firing') latestByAlertId.delete(alert.alertId);
    }
    const holder = new Map<string, string>();
    for (const [incident, alerts] of store.alerts) for (const id of alerts.keys()) holder.set(id, incident);
    for (const [id, f] of latestByAlertId) {
      const at = holder.get(id);
      if (at) f.final = at;
      else latestByAlertId.delete(id);
    }
  }
  return { fired, incidents: store.incidents };
}

function pairwise(items: { fault: string; group: string; cluster: string }[]) {
  let tp = 0;
  let sameGroup = 0;
  let sameFault = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (items[i].cluster !== items[j].cluster) continue;
      const g = items[i].group === items[j].group;
      const f = items[i].fault === items[j].fault;
      if (g) sameGroup++;
      if (f) sameFault++;
      if (g && f) tp++;
    }
  }
  return { precision: sameGroup ? tp / sameGroup : 1, recall: sameFault ? tp / sameFault : 1 };
}

const round = (x: number, d = 3) => Number(x.toFixed(d));
const faults = schedule(new Rng(SEED));
const base = { bench: 'grouping', seed: SEED, faults: faults.length, clusters: CLUSTERS.length, pullSeconds: PULL_S };
for (const mode of ['topology+time', 'evidence', 'evidence+similarity'] as const) {
  const started = performance.now();
  const { fired, incidents } = await replay(mode, faults);
  const { precision, recall } = pairwise(fired.map((f) => ({ fault: f.fault, group: f.incident, cluster: f.cluster })));
  const final = pairwise(fired.map((f) => ({ fault: f.fault, group: f.final, cluster: f.cluster })));
  // Where precision goes: wrongly merged pairs of one service (its incident key spans faults) vs of two services.
  let sameService = 0;
  let crossService = 0;
  for (let i = 0; i < fired.length; i++)
    for (let j = i + 1; j < fired.length; j++) {
      const a = fired[i];
      const b = fired[j];
      if (a.cluster !== b.cluster || a.incident !== b.incident || a.fault === b.fault) continue;
      if (a.service === b.service) sameService++;
      else crossService++;
    }
  const detected = faults.filter((f) => fired.some((a) => a.fault === f.id));
  const perFault = detected.map((f) => new Set(fired.filter((a) => a.fault === f.id).map((a) => a.incident)).size);
  const hidden = detected.filter((f) => !fired.some((a) => a.fault === f.id && incidents.get(a.incident)?.service === f.service));
  const evolving = detected.filter((f) => f.type === 'memory-leak');
  const evolvingSplit = evolving.filter((f) => new Set(fired.filter((a) => a.fault === f.id).map((a) => a.incident)).size > 1);
  const hiddenAtEnd = detected.filter((f) => !fired.some((a) => a.fault === f.id && incidents.get(a.final)?.service === f.service));
  console.log(
    JSON.stringify({
      ...base,
      mode,
      metric: 'grouping',
      alerts: fired.length,
      precision: round(precision),
      recall: round(recall),
      incidents: incidents.size,
      incidentsPerFault: round(perFault.reduce((a, b) => a + b, 0) / Math.max(1, perFault.length)),
      detectedFaults: detected.length,
      // No alert came of these: a second fault that shows, on a service already anomalous, as nothing new in any signal
      // (the same signal at about the same level), or one inside another of its own service's: hidden from everyone.
      undetectedFaults: faults.length - detected.length,
      hiddenFaults: hidden.length,
      falsePairs: { sameService, crossService },
      hidden: hidden.slice(0, 5).map((f) => `${f.type}@${f.service}`),
      evolvingFaults: { detected: evolving.length, split: evolvingSplit.length },
      afterSplits: { precision: round(final.precision), recall: round(final.recall), hiddenFaults: hiddenAtEnd.length },
      replaySeconds: round((performance.now() - started) / 1000, 1),
    }),
  );
  if (mode === 'evidence') {
    // The seed's similarity clustering alone: single-link TF-IDF over the alert texts within a 10-minute window per cluster.
    for (const threshold of [0.5, 0.7, 0.9]) {
      const groups: { fault: string; group: string; cluster: string }[] = [];
      for (const cluster of CLUSTERS) {
        const mine = fired.filter((f) => f.cluster === cluster);
        const windows = new Map<number, Fired[]>();
        for (const f of mine) (windows.get(Math.floor(f.at / 600)) ?? windows.set(Math.floor(f.at / 600), []).get(Math.floor(f.at / 600))!).push(f);
        for (const [w, items] of windows) {
          const ids = groupBySimilarity(
            items.map((i) => i.text),
            threshold,
          );
          items.forEach((item, i) => groups.push({ fault: item.fault, group: `${cluster}/${w}/${ids[i]}`, cluster }));
        }
      }
      const pr = pairwise(groups);
      console.log(
        JSON.stringify({
          ...base,
          mode: 'similarity-only',
          threshold,
          metric: 'grouping',
          alerts: groups.length,
          precision: round(pr.precision),
          recall: round(pr.recall),
        }),
      );
    }
  }
}
