/**
 * MetricSource on Prometheus-compatible backends: one query per signal for the whole namespace
 * (five HTTP calls per pull, in parallel), results joined per service.
 * Missing series → null (never 0). error_rate is 0 when the service has request series but no 5xx.
 */
import { ValidationError } from '../../core/errors.ts';
import { namespaceSignalQueries, type GroupedSignalQuery, type SignalQueryOptions } from '../../core/metrics/golden-signals.ts';
import { serviceOfPod, type PodServiceOptions } from '../../core/metrics/pod-service.ts';
import {
  emptySignals,
  SIGNAL_NAMES,
  type MetricSource,
  type MetricTarget,
  type RangeOptions,
  type ServiceSignals,
  type SignalName,
  type SignalSeries,
} from '../../core/metrics/types.ts';
import type { PrometheusClient, PromData, TimeInput } from './prometheus-client.ts';

export type PrometheusQueryApi = Pick<PrometheusClient, 'query' | 'queryRange'>;

export interface PrometheusMetricSourceOptions extends SignalQueryOptions {
  client: PrometheusQueryApi;
  /** Cluster name stamped on every result. */
  cluster: string;
  /** Explicit pod → service assignments (otherwise the `<service>-<hash>-<suffix>` naming convention). */
  podToService?: PodServiceOptions['podToService'];
  now?: () => Date;
  /** Points per series per range query (Prometheus refuses > 11 000); longer ranges are split. Default 10 000. */
  maxPointsPerQuery?: number;
}

function toMs(t: TimeInput, what: string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new ValidationError(`Invalid ${what} time`);
  return ms;
}

export class PrometheusMetricSource implements MetricSource {
  readonly #opts: PrometheusMetricSourceOptions;
  readonly #client: PrometheusQueryApi;
  readonly #now: () => Date;

  constructor(opts: PrometheusMetricSourceOptions) {
    this.#opts = opts;
    this.#client = opts.client;
    this.#now = opts.now ?? (() => new Date());
    // Fail fast on bad options (window vs scrape interval, matchers, label names).
    namespaceSignalQueries('default', opts);
  }

  #queries(target: MetricTarget): Record<SignalName, GroupedSignalQuery> {
    return namespaceSignalQueries(target.namespace, { ...this.#opts, services: target.services });
  }

  /** The service a result series belongs to, or undefined when it cannot be told. */
  #serviceOf(q: GroupedSignalQuery, metric: Record<string, string>, target: MetricTarget): string | undefined {
    const name = metric[q.groupLabel];
    if (!name) return undefined;
    if (q.grouping === 'service') return !target.services?.length || target.services.includes(name) ? name : undefined;
    return serviceOfPod(name, { services: target.services, podToService: this.#opts.podToService });
  }

  async currentSignals(target: MetricTarget): Promise<ServiceSignals[]> {
    const queries = this.#queries(target);
    const at = this.#now();
    const results = await Promise.all(SIGNAL_NAMES.map((s) => this.#client.query(queries[s].query, { time: at })));
    const byService = new Map<string, ServiceSignals>();
    const entry = (service: string): ServiceSignals => {
      let e = byService.get(service);
      if (!e) {
        e = { cluster: this.#opts.cluster, namespace: target.namespace, service, at: at.toISOString(), features: emptySignals(), source: 'prometheus' };
        byService.set(service, e);
      }
      return e;
    };
    for (const s of target.services ?? []) entry(s);
    SIGNAL_NAMES.forEach((signal, i) => {
      const q = queries[signal];
      const data: PromData = results[i].data;
      const samples = data.resultType === 'vector' ? data.result : [];
      for (const sample of samples) {
        const service = this.#serviceOf(q, sample.metric, target);
        if (!service) continue;
        const e = entry(service);
        if (!Number.isFinite(sample.value)) continue;
        const prev = e.features[signal];
        // Pod-grouped signals add up over the service's pods; service-grouped ones have one sample.
        e.features[signal] = q.grouping === 'pod' && prev !== null ? prev + sample.value : sample.value;
      }
    });
    return [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  async rangeSignals(target: MetricTarget, range: RangeOptions): Promise<SignalSeries[]> {
    const queries = this.#queries(target);
    const start = toMs(range.start, 'start');
    const end = toMs(range.end, 'end');
    const step = range.stepSeconds;
    if (!(step > 0) || !Number.isFinite(step)) throw new ValidationError('stepSeconds must be a positive number');
    if (end < start) throw new ValidationError('end must not be before start');
    const maxPoints = Math.max(1, Math.min(11_000, this.#opts.maxPointsPerQuery ?? 10_000));
    const acc = new Map<string, Map<SignalName, Map<number, number>>>();
    const series = (service: string, signal: SignalName): Map<number, number> => {
      let bySignal = acc.get(service);
      if (!bySignal) acc.set(service, (bySignal = new Map()));
      let pts = bySignal.get(signal);
      if (!pts) bySignal.set(signal, (pts = new Map()));
      return pts;
    };
    for (const s of target.services ?? []) for (const sig of SIGNAL_NAMES) series(s, sig);
    const spanMs = (maxPoints - 1) * step * 1000;
    for (let chunkStart = start; chunkStart <= end; chunkStart += spanMs + step * 1000) {
      const chunkEnd = Math.min(end, chunkStart + spanMs);
      const results = await Promise.all(
        SIGNAL_NAMES.map((s) => this.#client.queryRange(queries[s].query, { start: chunkStart, end: chunkEnd, stepSeconds: step })),
      );
      SIGNAL_NAMES.forEach((signal, i) => {
        const q = queries[signal];
        const data = results[i].data;
        if (data.resultType !== 'matrix') return;
        for (const s of data.result) {
          const service = this.#serviceOf(q, s.metric, target);
          if (!service) continue;
          const pts = series(service, signal);
          for (const p of s.points) {
            if (!Number.isFinite(p.value)) continue;
            const prev = pts.get(p.ts);
            pts.set(p.ts, q.grouping === 'pod' && prev !== undefined ? prev + p.value : p.value);
          }
        }
      });
      if (chunkEnd >= end) break;
    }
    const out: SignalSeries[] = [];
    for (const service of [...acc.keys()].sort((a, b) => a.localeCompare(b))) {
      const bySignal = acc.get(service)!;
      for (const signal of SIGNAL_NAMES) {
        const pts = bySignal.get(signal);
        if (!pts) continue;
        out.push({ service, signal, points: [...pts.entries()].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value })) });
      }
    }
    return out;
  }
}
