// Metrics model: diurnal load per service shared across ready replicas, per-pod cpu/memory, integrated counters,
// Prometheus text exposition and metrics.k8s.io objects.
import type { Cluster } from './cluster.ts';
import { isPodReady } from './controller.ts';
import { nodeReady } from './scheduler.ts';
import { selectorToRequirements, matchLabels } from './selectors.ts';
import { INGRESS, LATENCY_SIGMA, lognormCdf, propagate, SHOP_CALL_GRAPH, type MeshEdge, type OwnService } from './mesh.ts';
import { cpuMilli, memMi, nowIso, parseQuantity, rand01, smoothNoise, type Obj } from './util.ts';

const MI = 1024 ** 2;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BASE_RPS: Record<string, number> = { frontend: 80, 'user-service': 45, 'order-service': 30, 'payment-service': 18 };
// Time spent in the service itself; calls to its dependencies add to it (mesh.ts): frontend ≈ 65 ms, order-service ≈ 85 ms at the median.
const BASE_LATENCY: Record<string, number> = { frontend: 0.02, 'user-service': 0.025, 'order-service': 0.03, 'payment-service': 0.09 };
// Istio's default request-duration buckets (milliseconds).
const ISTIO_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
const SIGMA = LATENCY_SIGMA;

export interface ServiceSnapshot {
  namespace: string;
  name: string;
  rps: number;
  errorRatio: number;
  unavailable: boolean;
  medianLatency: number;
}
export interface ContainerUsage {
  name: string;
  cpu: number; // cores
  memory: number; // bytes
}
export interface PodUsage {
  pod: Obj;
  containers: ContainerUsage[];
}
/** One mesh edge of a namespace; `fromNamespace` only when the caller lives elsewhere (the ingress gateway). */
/** `hiddenErrorRatio`: the share of attempts that fail only as the caller sees them (error-burst with scope "caller"). */
export type NamespacedEdge = MeshEdge & { namespace: string; fromNamespace?: string; hiddenErrorRatio?: number };
interface Snapshot {
  services: ServiceSnapshot[];
  pods: PodUsage[];
  edges: NamespacedEdge[];
}

const esc = (v: unknown): string => String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, unknown>): string =>
  '{' +
  Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',') +
  '}';
const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''));

export class MetricsModel {
  private readonly c: Cluster;
  private lastT: number;
  private readonly cpuCounters = new Map<string, { labels: Obj; value: number }>();
  private readonly httpCounters = new Map<string, { labels: Obj; value: number }>();
  private readonly hist = new Map<string, { labels: Obj; buckets: number[]; sum: number; count: number }>();
  private readonly istioCounters = new Map<string, { labels: Obj; value: number }>();
  private readonly istioHist = new Map<string, { labels: Obj; buckets: number[]; sum: number; count: number }>();

  /** When set, the daily rhythm stays at this UTC hour (tests that must hold at any time of day). */
  diurnalHourUtc: number | undefined;

  constructor(c: Cluster) {
    this.c = c;
    this.lastT = Date.now();
  }

  private key(...parts: string[]): string {
    return `${this.c.seed}:${this.c.name}:${parts.join(':')}`;
  }

  /** Requests per second arriving at a service: daily sine rhythm (peak 14:00 UTC) plus smooth noise. */
  serviceLoad(ns: string, name: string, t: number): number {
    const base = BASE_RPS[name] ?? 5 + rand01(this.key('rps', ns, name)) * 20;
    const hour = this.diurnalHourUtc ?? (t / 3_600_000) % 24;
    const diurnal = 1 + 0.45 * Math.sin((2 * Math.PI * (hour - 8)) / 24);
    const noise = 1 + 0.08 * smoothNoise(this.key('load', ns, name), t / 1000, 60);
    return Math.max(0.1, base * diurnal * noise);
  }

  private faults(ns: string, dep: string | undefined): Set<string> {
    return new Set(this.c.faultsFor(ns, dep).map((f) => f.type as string));
  }

  /** 1 while as many replicas are ready as when the spike started; less as more replicas share it. */
  private cpuSpikeShare(pod: Obj): number {
    const dep = this.c.deploymentOfPod(pod);
    const fault = this.c.faultsFor(pod.metadata.namespace, dep).find((f) => f.type === 'cpu-spike');
    if (!fault?.sharedBy) return 1;
    const ready = this.c.store
      .list('pods')
      .filter((p) => p.metadata.namespace === pod.metadata.namespace && isPodReady(p) && this.c.deploymentOfPod(p) === dep).length;
    return Math.min(1, fault.sharedBy / Math.max(1, ready));
  }

  private leakRate(ns: string, dep: string | undefined): { rate: number; since: number } | undefined {
    const f = this.c.faultsFor(ns, dep).find((x) => x.type === 'memory-leak');
    if (!f) return undefined;
    return { rate: Number(f.params.rateMiBPerSecond ?? 3) * MI, since: f.createdAt };
  }

  /** Working-set memory of one container at time t (includes a memory leak since the container last started). */
  containerMemoryBytes(pod: Obj, container: string, t: number, perPodRps = 0): number {
    const base = 96 * MI + 60 * MI * rand01(this.key('mem', pod.metadata.uid, container));
    let mem = base + perPodRps * 0.6 * MI + 4 * MI * smoothNoise(this.key('memn', pod.metadata.uid, container), t / 1000, 45);
    const leak = this.leakRate(pod.metadata.namespace, this.c.deploymentOfPod(pod));
    if (leak) {
      const started = this.c.runtime.get(pod.metadata.uid)?.containers.get(container)?.startedAt ?? t;
      mem += (leak.rate * Math.max(0, t - Math.max(started, leak.since))) / 1000;
    }
    return Math.max(16 * MI, mem);
  }

  private servicesFor(pod: Obj, services: Obj[]): Obj[] {
    return services.filter(
      (s) =>
        s.metadata.namespace === pod.metadata.namespace &&
        s.spec?.selector &&
        Object.keys(s.spec.selector).length &&
        matchLabels(selectorToRequirements({ matchLabels: s.spec.selector }), pod.metadata.labels),
    );
  }

  snapshot(t: number): Snapshot {
    const services = this.c.store.list('services').filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length && s.metadata.namespace !== 'default');
    const nodes = new Map(this.c.store.list('nodes').map((n) => [n.metadata.name, n] as const));
    const pods = this.c.store.list('pods');
    const own: (OwnService & { namespace: string; ready: Obj[]; hidden: number })[] = [];
    for (const s of services) {
      const ns = s.metadata.namespace;
      const reqs = selectorToRequirements({ matchLabels: s.spec.selector });
      const backing = pods.filter((p) => p.metadata.namespace === ns && matchLabels(reqs, p.metadata.labels));
      const ready = backing.filter(isPodReady);
      const deps = new Set(backing.map((p) => this.c.deploymentOfPod(p)).filter((x): x is string => !!x));
      if (!deps.size) deps.add(s.metadata.name);
      const ft = new Set<string>();
      for (const d of deps) for (const f of this.faults(ns, d)) ft.add(f);
      const rps = this.serviceLoad(ns, s.metadata.name, t);
      const noise = smoothNoise(this.key('err', ns, s.metadata.name), t / 1000, 30);
      let errorRatio = Math.max(0, 0.003 + 0.002 * noise);
      let hidden = 0;
      if (ft.has('error-burst')) {
        const burst = this.c.faultsFor(ns, [...deps][0]).find((f) => f.type === 'error-burst');
        const r = Number(burst?.params.ratio ?? 0.4);
        const base = errorRatio;
        errorRatio = Math.min(0.95, Math.max(0.05, r + 0.05 * noise));
        // scope "caller": the calls fail between the caller and the service (network, mesh policy, its proxy);
        // the caller sees them fail, the service itself counts nothing
        if (burst?.params.scope === 'caller') hidden = Math.max(0, errorRatio - base);
      }
      if (ft.has('cpu-spike')) errorRatio += 0.01;
      // Fewer ready replicas than usual: the remaining ones shed some load.
      const desired = Math.max(1, backing.length);
      if (ready.length > 0 && ready.length < desired) errorRatio += 0.05 * (1 - ready.length / desired);
      let median =
        (BASE_LATENCY[s.metadata.name] ?? 0.03 + 0.04 * rand01(this.key('lat', ns, s.metadata.name))) *
        (1 + 0.1 * smoothNoise(this.key('latn', ns, s.metadata.name), t / 1000, 40));
      if (ready.length) {
        const perPod = rps / ready.length;
        const util = (0.01 + 0.0022 * perPod) / 0.5;
        median *= 1 + 2 * Math.max(0, util - 0.6) ** 2;
      }
      if (ft.has('cpu-spike')) median *= 2.5;
      if (ft.has('latency-spike')) median *= Number(this.c.faultsFor(ns, [...deps][0]).find((f) => f.type === 'latency-spike')?.params.factor ?? 20);
      own.push({
        namespace: ns,
        name: s.metadata.name,
        rps,
        errorRatio: Math.min(1, errorRatio),
        unavailable: ready.length === 0,
        medianLatency: median,
        ready,
        hidden,
      });
    }
    // Callers feel their callees: errors, timeouts and latency travel up the call graph, retries add load downstream.
    const svcSnaps: ServiceSnapshot[] = [];
    const edges: NamespacedEdge[] = [];
    const perPodRps = new Map<string, number>();
    for (const ns of new Set(own.map((o) => o.namespace))) {
      const inNs = own.filter((o) => o.namespace === ns);
      const mesh = propagate(inNs.map(({ name, rps, errorRatio, medianLatency, unavailable }) => ({ name, rps, errorRatio, medianLatency, unavailable })));
      mesh.services.forEach((m, i) => {
        const ready = inNs[i].ready;
        for (const p of ready) perPodRps.set(p.metadata.uid, (perPodRps.get(p.metadata.uid) ?? 0) + m.rps / ready.length);
        svcSnaps.push({ namespace: ns, ...m, errorRatio: Math.max(0, m.errorRatio - inNs[i].hidden) });
      });
      for (const e of mesh.edges) edges.push({ namespace: ns, ...e, hiddenErrorRatio: inNs.find((o) => o.name === e.to)?.hidden ?? 0 });
      for (const m of mesh.services) {
        if (!SHOP_CALL_GRAPH.some((e) => e.from === m.name) || SHOP_CALL_GRAPH.some((e) => e.to === m.name)) continue;
        edges.push({
          namespace: ns,
          from: INGRESS.workload,
          fromNamespace: INGRESS.namespace,
          to: m.name,
          rps: m.rps,
          errorRatio: m.unavailable ? 1 : m.errorRatio,
          timeoutRatio: 0,
          medianLatency: m.unavailable ? 0.001 : m.medianLatency,
          timeoutSeconds: 15,
          unavailable: m.unavailable,
        });
      }
    }
    const podUsage: PodUsage[] = [];
    for (const p of pods) {
      const node = nodes.get(p.spec.nodeName);
      if (!node || !nodeReady(node)) continue;
      const rt = this.c.runtime.get(p.metadata.uid);
      if (!rt) continue;
      const ft = this.faults(p.metadata.namespace, this.c.deploymentOfPod(p));
      const rps = perPodRps.get(p.metadata.uid) ?? 0;
      const containers: ContainerUsage[] = [];
      (p.spec.containers ?? []).forEach((ct: Obj, i: number) => {
        if (rt.containers.get(ct.name)?.state !== 'running') return;
        const noise = smoothNoise(this.key('cpu', p.metadata.uid, ct.name), t / 1000, 20);
        const limit = parseQuantity(ct.resources?.limits?.cpu ?? 0) || 0;
        let cpu = (0.008 + (i === 0 ? 0.0022 * rps : 0.001)) * (1 + 0.08 * noise);
        // The spike is extra work shared by the ready replicas: sized to peg the replicas present at
        // injection time, so scaling out spreads it (and restarting a pod does not).
        if (ft.has('cpu-spike')) cpu = (limit || 1.5) * (0.9 + 0.06 * noise) * this.cpuSpikeShare(p);
        if (limit) cpu = Math.min(cpu, limit);
        containers.push({ name: ct.name, cpu: Math.max(0.001, cpu), memory: this.containerMemoryBytes(p, ct.name, t, i === 0 ? rps : 0) });
      });
      if (containers.length) podUsage.push({ pod: p, containers });
    }
    return { services: svcSnaps, pods: podUsage, edges };
  }

  /** Integrates counters from the last advance up to `now` (piecewise-constant rates, ≤5 s steps). */
  advance(now: number): void {
    let t = this.lastT;
    if (now <= t) return;
    const livePods = new Set<string>();
    while (t < now) {
      const step = Math.min(5000, now - t);
      const snap = this.snapshot(t + step);
      const dt = step / 1000;
      for (const pu of snap.pods) {
        livePods.add(pu.pod.metadata.uid);
        for (const ct of pu.containers) {
          const k = `${pu.pod.metadata.uid}/${ct.name}`;
          const e = this.cpuCounters.get(k) ?? { labels: { namespace: pu.pod.metadata.namespace, pod: pu.pod.metadata.name, container: ct.name }, value: 0 };
          e.value += ct.cpu * dt;
          this.cpuCounters.set(k, e);
        }
      }
      for (const s of snap.services) {
        const n = s.rps * dt;
        const split: Record<string, number> = s.unavailable
          ? { '200': 0, '404': 0, '500': 0, '503': n }
          : { '200': n * (1 - s.errorRatio - 0.01), '404': n * 0.01, '500': n * s.errorRatio * 0.85, '503': n * s.errorRatio * 0.15 };
        for (const [status, v] of Object.entries(split)) {
          const k = `${s.namespace}/${s.name}/${status}`;
          const e = this.httpCounters.get(k) ?? { labels: { namespace: s.namespace, service: s.name, status }, value: 0 };
          e.value += Math.max(0, v);
          this.httpCounters.set(k, e);
        }
        const hk = `${s.namespace}/${s.name}`;
        const h = this.hist.get(hk) ?? { labels: { namespace: s.namespace, service: s.name }, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
        const served = s.unavailable ? n : n;
        const median = s.unavailable ? 0.002 : s.medianLatency;
        BUCKETS.forEach((le, i) => {
          h.buckets[i] += served * lognormCdf(le, median, SIGMA);
        });
        h.count += served;
        h.sum += served * median * Math.exp((SIGMA * SIGMA) / 2);
        this.hist.set(hk, h);
      }
      for (const e of snap.edges) this.integrateEdge(e, dt);
      t += step;
    }
    this.lastT = now;
    // Drop series of pods that no longer exist.
    const existing = new Set(this.c.store.list('pods').map((p) => p.metadata.uid));
    for (const k of this.cpuCounters.keys()) if (!existing.has(k.split('/')[0])) this.cpuCounters.delete(k);
  }

  /** Istio's standard labels for one edge as one reporter (the client-side or server-side proxy) sees it. */
  private istioLabels(e: NamespacedEdge, reporter: 'source' | 'destination', code: string, flags: string): Obj {
    const srcNs = e.fromNamespace ?? e.namespace;
    const sa = (ns: string, name: string) => `spiffe://cluster.local/ns/${ns}/sa/${name}`;
    return {
      reporter,
      source_workload: e.from,
      source_workload_namespace: srcNs,
      source_principal: sa(srcNs, e.from),
      source_app: e.from,
      source_version: 'v1',
      source_canonical_service: e.from,
      source_canonical_revision: 'v1',
      source_cluster: this.c.name,
      destination_workload: e.to,
      destination_workload_namespace: e.namespace,
      destination_principal: sa(e.namespace, e.to),
      destination_app: e.to,
      destination_version: 'v1',
      destination_service: `${e.to}.${e.namespace}.svc.cluster.local`,
      destination_service_name: e.to,
      destination_service_namespace: e.namespace,
      destination_canonical_service: e.to,
      destination_canonical_revision: 'v1',
      destination_cluster: this.c.name,
      request_protocol: 'http',
      response_code: code,
      grpc_response_status: '',
      response_flags: flags,
      connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown',
    };
  }

  /**
   * Adds `dt` seconds of one edge to the Istio counters and histograms. The caller's proxy (reporter=source)
   * sees 504 for attempts it abandoned at its timeout and 503/UH when no callee pod is ready; the callee's
   * proxy (reporter=destination) sees what the callee answered, and nothing when it has no pod.
   */
  private integrateEdge(e: NamespacedEdge, dt: number): void {
    const n = e.rps * dt;
    const ok = Math.max(0, 1 - e.errorRatio - e.timeoutRatio);
    const views: { reporter: 'source' | 'destination'; code: string; flags: string; count: number; dist: (le: number) => number; mean: number }[] = [];
    const ms = e.medianLatency * 1000;
    const meanMs = ms * Math.exp((SIGMA * SIGMA) / 2);
    const timeoutMs = e.timeoutSeconds * 1000;
    const below = (le: number) => Math.min(1, lognormCdf(le, ms, SIGMA) / Math.max(1e-9, lognormCdf(timeoutMs, ms, SIGMA)));
    const step = (at: number) => (le: number) => (le >= at ? 1 : 0);
    if (e.unavailable) {
      views.push({ reporter: 'source', code: '503', flags: 'UH', count: n, dist: step(1), mean: 0.6 });
    } else {
      const failMs = Math.max(1, ms * 0.2);
      views.push(
        { reporter: 'source', code: '200', flags: '-', count: n * ok, dist: below, mean: Math.min(meanMs, timeoutMs) + 0.4 },
        { reporter: 'source', code: '500', flags: '-', count: n * e.errorRatio * 0.85, dist: step(failMs), mean: failMs + 0.4 },
        { reporter: 'source', code: '503', flags: 'URX', count: n * e.errorRatio * 0.15, dist: step(failMs), mean: failMs + 0.4 },
        { reporter: 'source', code: '504', flags: 'UT', count: n * e.timeoutRatio, dist: step(timeoutMs), mean: timeoutMs },
        { reporter: 'destination', code: '200', flags: '-', count: n * (1 - e.errorRatio), dist: (le) => lognormCdf(le, ms, SIGMA), mean: meanMs },
        {
          reporter: 'destination',
          code: '500',
          flags: '-',
          count: n * Math.max(0, e.errorRatio - (e.hiddenErrorRatio ?? 0)) * 0.85,
          dist: step(failMs),
          mean: failMs,
        },
        {
          reporter: 'destination',
          code: '503',
          flags: '-',
          count: n * Math.max(0, e.errorRatio - (e.hiddenErrorRatio ?? 0)) * 0.15,
          dist: step(failMs),
          mean: failMs,
        },
      );
    }
    for (const v of views) {
      if (v.count <= 0 && v.code !== '200') continue;
      const labels = this.istioLabels(e, v.reporter, v.code, v.flags);
      const key = `${e.namespace}|${e.from}|${e.to}|${v.reporter}|${v.code}|${v.flags}`;
      const c = this.istioCounters.get(key) ?? { labels, value: 0 };
      c.value += Math.max(0, v.count);
      this.istioCounters.set(key, c);
      const h = this.istioHist.get(key) ?? { labels, buckets: ISTIO_BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      ISTIO_BUCKETS_MS.forEach((le, i) => {
        h.buckets[i] += Math.max(0, v.count) * v.dist(le);
      });
      h.count += Math.max(0, v.count);
      h.sum += Math.max(0, v.count) * v.mean;
      this.istioHist.set(key, h);
    }
  }

  podMetrics(namespace?: string): Obj[] {
    const t = Date.now();
    return this.snapshot(t)
      .pods.filter((pu) => namespace === undefined || pu.pod.metadata.namespace === namespace)
      .map((pu) => ({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: { name: pu.pod.metadata.name, namespace: pu.pod.metadata.namespace, creationTimestamp: nowIso(t), labels: pu.pod.metadata.labels ?? {} },
        timestamp: nowIso(t - 5000),
        window: '15s',
        containers: pu.containers.map((ct) => ({ name: ct.name, usage: { cpu: cpuMilli(ct.cpu), memory: memMi(ct.memory) } })),
      }));
  }

  nodeMetrics(): Obj[] {
    const t = Date.now();
    const snap = this.snapshot(t);
    return this.c.store
      .list('nodes')
      .filter(nodeReady)
      .map((n) => {
        const on = snap.pods.filter((pu) => pu.pod.spec.nodeName === n.metadata.name);
        const cpu =
          0.12 +
          0.02 * smoothNoise(this.key('nodecpu', n.metadata.name), t / 1000, 30) +
          on.reduce((a, pu) => a + pu.containers.reduce((b, c) => b + c.cpu, 0), 0);
        const mem = 1.1 * 1024 ** 3 + on.reduce((a, pu) => a + pu.containers.reduce((b, c) => b + c.memory, 0), 0);
        return {
          kind: 'NodeMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: { name: n.metadata.name, creationTimestamp: nowIso(t), labels: n.metadata.labels ?? {} },
          timestamp: nowIso(t - 5000),
          window: '20s',
          usage: { cpu: cpuMilli(cpu), memory: memMi(mem) },
        };
      });
  }

  /** Prometheus text exposition (version 0.0.4). */
  prometheusText(): string {
    const now = Date.now();
    this.advance(now);
    const snap = this.snapshot(now);
    const out: string[] = [];
    const family = (name: string, type: string, help: string, samples: [Record<string, unknown>, number][]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [l, v] of samples) out.push(`${name}${labels(l)} ${num(v)}`);
    };
    family(
      'container_cpu_usage_seconds_total',
      'counter',
      'Cumulative cpu time consumed by the container in core-seconds',
      [...this.cpuCounters.values()].map((e) => [e.labels, e.value]),
    );
    family(
      'container_memory_working_set_bytes',
      'gauge',
      'Current working set of the container in bytes',
      snap.pods.flatMap((pu) =>
        pu.containers.map(
          (ct) => [{ namespace: pu.pod.metadata.namespace, pod: pu.pod.metadata.name, container: ct.name }, Math.round(ct.memory)] as [Obj, number],
        ),
      ),
    );
    family(
      'http_requests_total',
      'counter',
      'Total number of HTTP requests served, by status code',
      [...this.httpCounters.values()].map((e) => [e.labels, e.value]),
    );
    out.push('# HELP http_request_duration_seconds HTTP request latency in seconds', '# TYPE http_request_duration_seconds histogram');
    for (const h of this.hist.values()) {
      BUCKETS.forEach((le, i) =>
        out.push(`http_request_duration_seconds_bucket${labels({ ...h.labels, le: String(le) })} ${num(Math.min(h.buckets[i], h.count))}`),
      );
      out.push(`http_request_duration_seconds_bucket${labels({ ...h.labels, le: '+Inf' })} ${num(h.count)}`);
      out.push(`http_request_duration_seconds_sum${labels(h.labels)} ${num(h.sum)}`);
      out.push(`http_request_duration_seconds_count${labels(h.labels)} ${num(h.count)}`);
    }
    family(
      'istio_requests_total',
      'counter',
      'Requests between workloads, as reported by the Envoy proxies (Istio standard metrics).',
      [...this.istioCounters.values()].map((e) => [e.labels, e.value]),
    );
    out.push(
      '# HELP istio_request_duration_milliseconds Request duration between workloads (Istio standard metrics).',
      '# TYPE istio_request_duration_milliseconds histogram',
    );
    for (const h of this.istioHist.values()) {
      ISTIO_BUCKETS_MS.forEach((le, i) =>
        out.push(`istio_request_duration_milliseconds_bucket${labels({ ...h.labels, le: String(le) })} ${num(Math.min(h.buckets[i], h.count))}`),
      );
      out.push(`istio_request_duration_milliseconds_bucket${labels({ ...h.labels, le: '+Inf' })} ${num(h.count)}`);
      out.push(`istio_request_duration_milliseconds_sum${labels(h.labels)} ${num(h.sum)}`);
      out.push(`istio_request_duration_milliseconds_count${labels(h.labels)} ${num(h.count)}`);
    }
    const pods = this.c.store.list('pods');
    family(
      'kube_pod_status_ready',
      'gauge',
      'Describes whether the pod is ready to serve requests.',
      pods.flatMap((p) => {
        const r = (p.status?.conditions ?? []).find((x: Obj) => x.type === 'Ready')?.status ?? 'Unknown';
        return ['true', 'false', 'unknown'].map(
          (cond) =>
            [{ namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, condition: cond }, r.toLowerCase() === cond ? 1 : 0] as [
              Obj,
              number,
            ],
        );
      }),
    );
    family(
      'kube_pod_status_phase',
      'gauge',
      'The pods current phase.',
      pods.flatMap((p) =>
        ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].map(
          (ph) => [{ namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, phase: ph }, p.status?.phase === ph ? 1 : 0] as [Obj, number],
        ),
      ),
    );
    const cstat = pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((cs: Obj) => ({ p, cs })));
    family(
      'kube_pod_container_status_restarts_total',
      'counter',
      'The number of container restarts per container.',
      cstat.map(({ p, cs }) => [{ namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, container: cs.name }, cs.restartCount ?? 0]),
    );
    family(
      'kube_pod_container_status_ready',
      'gauge',
      'Describes whether the containers readiness check succeeded.',
      cstat.map(({ p, cs }) => [{ namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, container: cs.name }, cs.ready ? 1 : 0]),
    );
    family(
      'kube_pod_container_status_waiting_reason',
      'gauge',
      'Describes the reason the container is currently in waiting state.',
      cstat
        .filter(({ cs }) => cs.state?.waiting)
        .map(({ p, cs }) => [
          { namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, container: cs.name, reason: cs.state.waiting.reason },
          1,
        ]),
    );
    family(
      'kube_pod_container_status_last_terminated_reason',
      'gauge',
      'Describes the last reason the container was in terminated state.',
      cstat
        .filter(({ cs }) => cs.lastState?.terminated)
        .map(({ p, cs }) => [
          { namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, container: cs.name, reason: cs.lastState.terminated.reason },
          1,
        ]),
    );
    const limits = pods.flatMap((p) =>
      (p.spec.containers ?? []).flatMap((ct: Obj) => {
        const l = ct.resources?.limits ?? {};
        const base = { namespace: p.metadata.namespace, pod: p.metadata.name, uid: p.metadata.uid, container: ct.name, node: p.spec.nodeName ?? '' };
        const r: [Obj, number][] = [];
        if (l.cpu) r.push([{ ...base, resource: 'cpu', unit: 'core' }, parseQuantity(l.cpu)]);
        if (l.memory) r.push([{ ...base, resource: 'memory', unit: 'byte' }, parseQuantity(l.memory)]);
        return r;
      }),
    );
    family('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.', limits);
    const nodes = this.c.store.list('nodes');
    family(
      'kube_node_status_condition',
      'gauge',
      'The condition of a cluster node.',
      nodes.flatMap((n) =>
        (n.status?.conditions ?? []).flatMap((cond: Obj) =>
          ['true', 'false', 'unknown'].map(
            (st) => [{ node: n.metadata.name, condition: cond.type, status: st }, String(cond.status).toLowerCase() === st ? 1 : 0] as [Obj, number],
          ),
        ),
      ),
    );
    const deps = this.c.store.list('deployments');
    family(
      'kube_deployment_spec_replicas',
      'gauge',
      'Number of desired pods for a deployment.',
      deps.map((d) => [{ namespace: d.metadata.namespace, deployment: d.metadata.name }, d.spec.replicas ?? 0]),
    );
    family(
      'kube_deployment_status_replicas',
      'gauge',
      'The number of replicas per deployment.',
      deps.map((d) => [{ namespace: d.metadata.namespace, deployment: d.metadata.name }, d.status?.replicas ?? 0]),
    );
    family(
      'kube_deployment_status_replicas_available',
      'gauge',
      'The number of available replicas per deployment.',
      deps.map((d) => [{ namespace: d.metadata.namespace, deployment: d.metadata.name }, d.status?.availableReplicas ?? 0]),
    );
    family(
      'kube_deployment_status_replicas_unavailable',
      'gauge',
      'The number of unavailable replicas per deployment.',
      deps.map((d) => [{ namespace: d.metadata.namespace, deployment: d.metadata.name }, d.status?.unavailableReplicas ?? 0]),
    );
    return out.join('\n') + '\n';
  }
}
