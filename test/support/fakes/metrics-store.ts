/** In-memory MetricsStore with the DynamoDB store's keys and rules (put-if-absent anomalies, `sk < before` reads). */
import type { AnomalyRecord, MetricsStore, ModelRecord, SampleRecord, SeriesRef } from '../../../functions/core/pull/records.ts';

const seriesKey = (clusterId: string, namespace: string, service: string) => `${clusterId}#${namespace}#${service}`;
const clone = <T>(x: T): T => structuredClone(x);

export class InMemoryMetricsStore implements MetricsStore {
  readonly samplesBySeries = new Map<string, Map<string, SampleRecord>>();
  readonly latest = new Map<string, SampleRecord>();
  readonly anomalies = new Map<string, Map<string, AnomalyRecord>>();
  readonly models = new Map<string, ModelRecord>();

  async putSamples(samples: SampleRecord[]): Promise<void> {
    for (const s of samples) {
      const key = seriesKey(s.clusterId, s.namespace, s.service);
      const m = this.samplesBySeries.get(key) ?? new Map<string, SampleRecord>();
      m.set(s.at, clone(s));
      this.samplesBySeries.set(key, m);
    }
  }
  async putLatest(samples: SampleRecord[]): Promise<void> {
    for (const s of samples) {
      const key = `${s.namespace}#${s.service}#${s.clusterId}`;
      const current = this.latest.get(key);
      if (!current || current.at <= s.at) this.latest.set(key, clone(s));
    }
  }
  async latestAcrossClusters(namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    return [...this.latest.values()].filter((s) => s.namespace === namespace && s.service === service && s.at >= since.toISOString()).map(clone);
  }
  async samples(clusterId: string, namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    const m = this.samplesBySeries.get(seriesKey(clusterId, namespace, service));
    return [...(m?.values() ?? [])]
      .filter((s) => s.at >= since.toISOString())
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(clone);
  }
  async putAnomaly(record: AnomalyRecord): Promise<boolean> {
    const key = seriesKey(record.clusterId, record.namespace, record.service);
    const m = this.anomalies.get(key) ?? new Map<string, AnomalyRecord>();
    const sk = `${record.at}#${record.pullId}`;
    if (m.has(sk)) return false;
    m.set(sk, clone(record));
    this.anomalies.set(key, m);
    return true;
  }
  async previousAnomaly(clusterId: string, namespace: string, service: string, before: string): Promise<AnomalyRecord | undefined> {
    const m = this.anomalies.get(seriesKey(clusterId, namespace, service));
    const sk = [...(m?.keys() ?? [])]
      .filter((k) => k < before)
      .sort()
      .at(-1);
    return sk ? clone(m!.get(sk)!) : undefined;
  }
  async listAnomalies(filter: { clusterIds: string[]; service?: string; status?: 'anomaly' | 'normal'; limit?: number }): Promise<AnomalyRecord[]> {
    return [...this.anomalies.values()]
      .flatMap((m) => [...m.values()])
      .filter(
        (r) => filter.clusterIds.includes(r.clusterId) && (!filter.service || r.service === filter.service) && (!filter.status || r.status === filter.status),
      )
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, filter.limit ?? 100)
      .map(clone);
  }
  async seriesSince(clusterId: string, since: Date): Promise<SeriesRef[]> {
    return [...this.samplesBySeries.values()]
      .map((m) => [...m.values()].filter((s) => s.clusterId === clusterId && s.at >= since.toISOString()).at(-1))
      .filter((s): s is SampleRecord => s !== undefined)
      .map(({ clusterId: c, namespace, service }) => ({ clusterId: c, namespace, service }));
  }
  async putModel(model: ModelRecord): Promise<void> {
    this.models.set(`${seriesKey(model.clusterId, model.namespace, model.service)}#${model.kind}`, clone(model));
  }
  async latestModel(clusterId: string, namespace: string, service: string, kind: ModelRecord['kind']): Promise<ModelRecord | undefined> {
    const m = this.models.get(`${seriesKey(clusterId, namespace, service)}#${kind}`);
    return m && clone(m);
  }
}
