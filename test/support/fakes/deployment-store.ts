/** An in-memory DeploymentStore (core/deploy/store.ts) with the DynamoDB adapter's semantics: conditional create, newest first, history newest first. */
import type { DeploymentStore, DeploymentView } from '../../../functions/core/deploy/store.ts';
import type { DeployTriggerSpec } from '../../../functions/core/deploy/triggers.ts';
import type { ClusterDeployRecord, DeploymentRecord, ReleaseHistoryEntry, WaveRecord } from '../../../functions/core/deploy/types.ts';

export class InMemoryDeploymentStore implements DeploymentStore {
  readonly views = new Map<string, DeploymentView>();
  readonly history: ReleaseHistoryEntry[] = [];
  readonly triggers = new Map<string, DeployTriggerSpec>();
  readonly #failureReported = new Set<string>();

  async create(record: DeploymentRecord): Promise<boolean> {
    if (this.views.has(record.id)) return false;
    this.views.set(record.id, { record: structuredClone(record), waves: [], clusters: [] });
    return true;
  }

  async get(id: string): Promise<DeploymentView | undefined> {
    const view = this.views.get(id);
    return view && structuredClone(view);
  }

  async list(options: { status?: DeploymentRecord['status']; limit: number }): Promise<DeploymentView[]> {
    return [...this.views.values()]
      .filter((v) => !options.status || v.record.status === options.status)
      .sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt) || b.record.id.localeCompare(a.record.id))
      .slice(0, options.limit)
      .map((v) => structuredClone(v));
  }

  async savePlan(id: string, waves: WaveRecord[]): Promise<WaveRecord[]> {
    const view = this.#view(id);
    if (view.waves.length === 0) {
      view.waves = structuredClone(waves);
      view.clusters = waves.flatMap((w) =>
        w.clusters.map((c): ClusterDeployRecord => ({ waveIndex: w.index, clusterId: c.clusterId, cluster: c.cluster, status: 'PENDING', updatedAt: '' })),
      );
    }
    return structuredClone(view.waves);
  }

  async setStatus(id: string, status: DeploymentRecord['status'], at: string, message?: string): Promise<void> {
    const view = this.#view(id);
    view.record = { ...view.record, status, updatedAt: at, ...(status !== 'RUNNING' ? { finishedAt: at } : {}), ...(message ? { message } : {}) };
  }

  async setWaveStatus(id: string, index: number, status: WaveRecord['status']): Promise<void> {
    const wave = this.#view(id).waves.find((w) => w.index === index);
    if (wave) wave.status = status;
  }

  async setClusterStatus(
    id: string,
    waveIndex: number,
    clusterId: string,
    changes: Partial<Omit<ClusterDeployRecord, 'waveIndex' | 'clusterId'>> & { status: ClusterDeployRecord['status']; updatedAt: string },
  ): Promise<void> {
    const view = this.#view(id);
    view.clusters = view.clusters.map((c) => (c.waveIndex === waveIndex && c.clusterId === clusterId ? { ...c, ...changes } : c));
  }

  async claimFailureReport(id: string): Promise<boolean> {
    if (this.#failureReported.has(id)) return false;
    this.#failureReported.add(id);
    return true;
  }

  async appendHistory(entry: ReleaseHistoryEntry): Promise<void> {
    this.history.push(structuredClone(entry));
  }

  async releaseHistory(clusterId: string, namespace: string, release: string, limit = 20): Promise<ReleaseHistoryEntry[]> {
    return this.history
      .filter((h) => h.clusterId === clusterId && h.namespace === namespace && h.release === release)
      .sort((a, b) => `${b.at}#${b.deploymentId}`.localeCompare(`${a.at}#${a.deploymentId}`))
      .slice(0, limit);
  }

  async putTrigger(id: string, trigger: DeployTriggerSpec): Promise<void> {
    this.triggers.set(id, structuredClone(trigger));
  }

  async listTriggers(): Promise<(DeployTriggerSpec & { id: string })[]> {
    return [...this.triggers.entries()].map(([id, t]) => ({ ...structuredClone(t), id }));
  }

  async deleteTrigger(id: string): Promise<boolean> {
    return this.triggers.delete(id);
  }

  #view(id: string): DeploymentView {
    const view = this.views.get(id);
    if (!view) throw new Error(`no deployment ${id}`);
    return view;
  }
}
