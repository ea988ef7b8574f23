/**
 * The MetricsStore port in memory, for the fast-forward detection replay only: a week of 5-minute
 * pulls through DynamoDB Local would take hours. Same semantics as the DynamoDB adapter (records
 * keyed by at#pullId and written once, newest-wins latest samples, latest model per kind).
 */
import type { AnomalyRecord, MetricsStore, ModelRecord, SampleRecord, SeriesRef } from '../../functions/core/pull/records.ts';

const key = (clusterId: string, namespace: string, service: string) => `${clusterId}#${namespace}#${service}`;

export class MemoryMetricsStore implements MetricsStore {
  private readonly sampleSeries = new Map<string, SampleRecord[]>();
  private readonly latest = new Map<string, Map<string, SampleRecord>>();
  private readonly anomalies = new Map<string, AnomalyRecord[]>();
  private readonly models = new Map<string, ModelRecord>();
  /** Older samples are dropped (the pull reads 24 hours): keeps a week's replay linear. */
  private readonly keepMs: number;

  constructor(options: { keepHours?: number } = {}) {
    this.keepMs = (options.keepHours ?? 25) * 3_600_000;
  }

  async seriesSince(clusterId: string, since: Date): Promise<SeriesRef[]> {
    const cutoff = since.toISOString();
    return [...this.sampleSeries.values()]
      .filter((list) => list[0]?.clusterId === clusterId && (list.at(-1)?.at ?? '') >= cutoff)
      .map((list) => ({ clusterId, namespace: list[0]!.namespace, service: list[0]!.service }));
  }

  async putSamples(samples: SampleRecord[]): Promise<void> {
    for (const s of samples) {
      const k = key(s.clusterId, s.namespace, s.service);
      const list = this.sampleSeries.get(k) ?? [];
      if (list.at(-1)?.at !== s.at) list.push(s);
      const cutoff = new Date(Date.parse(s.at) - this.keepMs).toISOString();
      while (list.length && list[0].at < cutoff) list.shift();
      this.sampleSeries.set(k, list);
    }
  }

  async putLatest(samples: SampleRecord[]): Promise<void> {
    for (const s of samples) {
      const peers = this.latest.get(`${s.namespace}#${s.service}`) ?? new Map<string, SampleRecord>();
      const current = peers.get(s.clusterId);
      if (!current || current.at <= s.at) peers.set(s.clusterId, s);
      this.latest.set(`${s.namespace}#${s.service}`, peers);
    }
  }

  async latestAcrossClusters(namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    const cutoff = since.toISOString();
    return [...(this.latest.get(`${namespace}#${service}`)?.values() ?? [])].filter((s) => s.at >= cutoff);
  }

  async samples(clusterId: string, namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    const cutoff = since.toISOString();
    return (this.sampleSeries.get(key(clusterId, namespace, service)) ?? []).filter((s) => s.at >= cutoff);
  }

  async putAnomaly(record: AnomalyRecord): Promise<boolean> {
    const k = key(record.clusterId, record.namespace, record.service);
    const list = this.anomalies.get(k) ?? [];
    if (list.some((r) => r.at === record.at && r.pullId === record.pullId)) return false;
    list.push(record);
    // Only the newest records matter to the pull (previousAnomaly).
    if (list.length > 16) list.shift();
    this.anomalies.set(k, list);
    return true;
  }

  async previousAnomaly(clusterId: string, namespace: string, service: string, before: string): Promise<AnomalyRecord | undefined> {
    const list = this.anomalies.get(key(clusterId, namespace, service)) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (`${list[i].at}#${list[i].pullId}` < before) return list[i];
    return undefined;
  }

  async listAnomalies(filter: { clusterIds: string[]; service?: string; status?: 'anomaly' | 'normal'; limit?: number }): Promise<AnomalyRecord[]> {
    return [...this.anomalies.values()]
      .flat()
      .filter(
        (r) => filter.clusterIds.includes(r.clusterId) && (!filter.service || r.service === filter.service) && (!filter.status || r.status === filter.status),
      )
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, filter.limit ?? 100);
  }

  async putModel(model: ModelRecord): Promise<void> {
    this.models.set(`${key(model.clusterId, model.namespace, model.service)}#${model.kind}`, model);
  }

  async latestModel(clusterId: string, namespace: string, service: string, kind: ModelRecord['kind']): Promise<ModelRecord | undefined> {
    return this.models.get(`${key(clusterId, namespace, service)}#${kind}`);
  }
}
