/**
 * Fallback MetricSource for clusters without Prometheus: cpu and memory from metrics.k8s.io/v1beta1
 * pod metrics (metrics-server), summed per service. The request signals (error_rate, latency_p95,
 * request_rate) are null: metrics-server does not know them. No history: rangeSignals returns [].
 */
import { serviceOfPod, type PodServiceOptions } from '../../core/metrics/pod-service.ts';
import { tryParseQuantity } from '../../core/metrics/quantity.ts';
import { emptySignals, type MetricSource, type MetricTarget, type ServiceSignals, type SignalSeries } from '../../core/metrics/types.ts';

/** The shape the kube adapter's podMetrics() returns. */
export interface PodMetricsItem {
  name: string;
  namespace: string;
  timestamp?: string;
  containers: { name: string; cpu: string; memory: string }[];
}

export interface MetricsApiSourceOptions {
  cluster: string;
  podMetrics: (namespace: string) => Promise<PodMetricsItem[]>;
  /** Explicit pod → service assignments (otherwise the `<service>-<hash>-<suffix>` naming convention). */
  podToService?: PodServiceOptions['podToService'];
  now?: () => Date;
}

export class MetricsApiSource implements MetricSource {
  readonly #opts: MetricsApiSourceOptions;

  constructor(opts: MetricsApiSourceOptions) {
    this.#opts = opts;
  }

  async currentSignals(target: MetricTarget): Promise<ServiceSignals[]> {
    const pods = await this.#opts.podMetrics(target.namespace);
    const at = (this.#opts.now ?? (() => new Date()))().toISOString();
    const byService = new Map<string, ServiceSignals>();
    const entry = (service: string): ServiceSignals => {
      let e = byService.get(service);
      if (!e) {
        e = { cluster: this.#opts.cluster, namespace: target.namespace, service, at, features: emptySignals(), source: 'metrics-api' };
        byService.set(service, e);
      }
      return e;
    };
    for (const s of target.services ?? []) entry(s);
    for (const pod of pods) {
      if (pod.namespace && pod.namespace !== target.namespace) continue;
      const service = serviceOfPod(pod.name, { services: target.services, podToService: this.#opts.podToService });
      if (!service) continue;
      if (target.services?.length && !target.services.includes(service)) continue;
      const f = entry(service).features;
      for (const c of pod.containers) {
        const cpu = tryParseQuantity(c.cpu);
        const mem = tryParseQuantity(c.memory);
        if (cpu !== undefined) f.cpu_usage = (f.cpu_usage ?? 0) + cpu;
        if (mem !== undefined) f.memory_usage = (f.memory_usage ?? 0) + mem;
      }
    }
    return [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  /** metrics.k8s.io keeps no history. */
  async rangeSignals(): Promise<SignalSeries[]> {
    return [];
  }
}
