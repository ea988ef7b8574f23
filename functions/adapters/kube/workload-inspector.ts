import type { V1Deployment } from '@kubernetes/client-node';
import type { ClusterRecord } from '../../core/clusters/cluster-record.ts';
import type { WorkloadInspector } from '../../core/catalog/ports.ts';
import type { ClusterFacts } from '../../core/catalog/scorecard.ts';
import type { KubeClusterClient } from '../../ports.ts';

export interface WorkloadInspectorOptions {
  clusters(): Promise<ClusterRecord[]>;
  client(record: ClusterRecord): Promise<KubeClusterClient>;
}

const subset = (want: Record<string, string>, have: Record<string, string>) =>
  Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => have[k] === v);

/**
 * Scorecard facts from every registered cluster: the workload's Deployment (by name, in the
 * catalog's namespace when it names one), a Service selecting its pods (or named like it), and a
 * ServiceMonitor selecting that Service. One cluster-wide Deployment list per cluster per
 * instance: a fleet summary asks many questions of the same lists.
 */
export class KubeWorkloadInspector implements WorkloadInspector {
  readonly #options: WorkloadInspectorOptions;
  readonly #deployments = new Map<string, Promise<V1Deployment[]>>();

  constructor(options: WorkloadInspectorOptions) {
    this.#options = options;
  }

  async #one(record: ClusterRecord, workload: { name: string; namespace?: string }): Promise<ClusterFacts> {
    const client = await this.#options.client(record);
    if (!this.#deployments.has(record.id)) this.#deployments.set(record.id, client.listAllDeployments());
    const deployments = await this.#deployments.get(record.id)!;
    const found = deployments.find((d) => d.metadata?.name === workload.name && (!workload.namespace || d.metadata?.namespace === workload.namespace));
    if (!found) return { cluster: record.name };
    const namespace = found.metadata!.namespace!;
    const podLabels = found.spec?.template?.metadata?.labels ?? {};
    const services = await client.listServices(namespace, 500);
    const service = services.find((s) => subset(s.spec?.selector ?? {}, podLabels)) ?? services.find((s) => s.metadata?.name === workload.name);
    const monitors = await client.listServiceMonitors(namespace);
    const serviceLabels = service?.metadata?.labels ?? {};
    const monitor = monitors?.find((m) => (service && subset(m.matchLabels, serviceLabels)) || m.name === workload.name);
    return {
      cluster: record.name,
      deployment: { namespace, name: workload.name, readyReplicas: found.status?.readyReplicas ?? 0, replicas: found.spec?.replicas ?? 0 },
      ...(service ? { service: { name: service.metadata!.name! } } : {}),
      ...(monitors === undefined ? { serviceMonitor: 'absent' as const } : monitor ? { serviceMonitor: { name: monitor.name } } : {}),
    };
  }

  async inspect(workload: { name: string; namespace?: string }): Promise<ClusterFacts[]> {
    const records = await this.#options.clusters();
    const facts = await Promise.all(
      records.map((record) =>
        this.#one(record, workload).catch((error: unknown) => ({
          cluster: record.name,
          error: error instanceof Error ? error.message.slice(0, 200) : 'unreachable',
        })),
      ),
    );
    return facts.sort((a, b) => a.cluster.localeCompare(b.cluster));
  }
}
