/**
 * The healing port over the registry's pooled Kubernetes clients: one deployment's state (with
 * its ReplicaSets, HPA, pods and their metrics) and the few writes healing makes.
 */
import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ClusterRecord } from '../../core/clusters/cluster-record.ts';
import type { KubeClusterClient } from '../../ports.ts';
import type { HealingCluster } from '../../core/healing/ports.ts';
import type { PodState, WorkloadState } from '../../core/healing/types.ts';
import { tryParseQuantity } from '../../core/metrics/index.ts';
import { NotFoundError } from '../../core/errors.ts';
import { healingRefusal } from '../../core/clusters/permissions.ts';

const REVISION = 'deployment.kubernetes.io/revision';

export interface HealingClusterDeps {
  record(clusterId: string): Promise<ClusterRecord | undefined>;
  client(record: ClusterRecord): Promise<KubeClusterClient>;
}

function selectorOf(deployment: V1Deployment): string | undefined {
  const labels = deployment.spec?.selector?.matchLabels;
  return labels && Object.keys(labels).length
    ? Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined;
}

function sumQuantities(values: (string | undefined)[]): number | undefined {
  const parsed = values.map((v) => tryParseQuantity(v));
  return parsed.some((v) => v === undefined) ? undefined : parsed.reduce<number>((a, b) => a + (b ?? 0), 0);
}

/**
 * The template as plain JSON (the client hands out Date instances): storable in DynamoDB, and
 * without creationTimestamp it goes back through the client's serializer unchanged.
 */
function plainTemplate(template: V1PodTemplateSpec | undefined): unknown {
  const plain = JSON.parse(JSON.stringify(template ?? {})) as { metadata?: Record<string, unknown> };
  if (plain.metadata) delete plain.metadata.creationTimestamp;
  return plain;
}

export class KubeHealingCluster implements HealingCluster {
  private readonly deps: HealingClusterDeps;

  constructor(deps: HealingClusterDeps) {
    this.deps = deps;
  }

  private async clientFor(clusterId: string): Promise<KubeClusterClient> {
    const record = await this.deps.record(clusterId);
    if (!record) throw new NotFoundError(`Cluster ${clusterId} not found`);
    return this.deps.client(record);
  }

  async clusterName(clusterId: string): Promise<string | undefined> {
    return (await this.deps.record(clusterId))?.name;
  }

  async permissionRefusal(clusterId: string): Promise<string | undefined> {
    const record = await this.deps.record(clusterId);
    return record ? healingRefusal(record) : undefined;
  }

  async clusterServer(clusterId: string): Promise<string | undefined> {
    return (await this.deps.record(clusterId))?.server;
  }

  async workload(clusterId: string, namespace: string, name: string): Promise<WorkloadState> {
    const client = await this.clientFor(clusterId);
    const deployment = await client.getDeployment(namespace, name);
    const selector = selectorOf(deployment);
    const [pods, replicaSets, hpas, metrics] = await Promise.all([
      client.listPods(namespace, selector),
      client.listReplicaSets(namespace, selector),
      client.listHorizontalPodAutoscalers(namespace),
      client.podMetrics(namespace).catch(() => []),
    ]);
    const uid = deployment.metadata?.uid;
    const owned = replicaSets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === name)));
    const ownedNames = new Set(owned.map((rs) => rs.metadata?.name));
    const usage = new Map(metrics.map((m) => [m.name, m.containers]));
    const containers = deployment.spec?.template?.spec?.containers ?? [];
    const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === name);
    const podStates: PodState[] = pods
      .filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && ownedNames.has(o.name)) && !p.metadata?.deletionTimestamp)
      .map((p) => {
        const statuses = p.status?.containerStatuses ?? [];
        const used = usage.get(p.metadata?.name ?? '');
        const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r && r !== 'ContainerCreating' && r !== 'PodInitializing');
        return {
          name: p.metadata?.name ?? '',
          ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          phase: p.status?.phase ?? 'Unknown',
          restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
          ...(waiting ? { waitingReason: waiting } : {}),
          ...(p.metadata?.creationTimestamp ? { createdAt: new Date(p.metadata.creationTimestamp).toISOString() } : {}),
          ...(used ? { cpuCores: sumQuantities(used.map((c) => c.cpu)), memoryBytes: sumQuantities(used.map((c) => c.memory)) } : {}),
        };
      });
    const cpuLimit = sumQuantities(containers.map((c) => c.resources?.limits?.cpu as string | undefined));
    const memoryLimit = sumQuantities(containers.map((c) => c.resources?.limits?.memory as string | undefined));
    return {
      deployment: name,
      replicas: deployment.spec?.replicas ?? 1,
      readyReplicas: deployment.status?.readyReplicas ?? 0,
      revision: deployment.metadata?.annotations?.[REVISION] ?? '0',
      labels: deployment.metadata?.labels ?? {},
      annotations: deployment.metadata?.annotations ?? {},
      template: plainTemplate(deployment.spec?.template),
      ...(cpuLimit ? { cpuLimitCores: cpuLimit } : {}),
      ...(memoryLimit ? { memoryLimitBytes: memoryLimit } : {}),
      replicaSets: owned.map((rs) => ({
        name: rs.metadata?.name ?? '',
        revision: rs.metadata?.annotations?.[REVISION] ?? '0',
        ...(rs.metadata?.creationTimestamp ? { createdAt: new Date(rs.metadata.creationTimestamp).toISOString() } : {}),
        replicas: rs.spec?.replicas ?? 0,
      })),
      ...(hpa ? { hpa: { name: hpa.metadata?.name ?? '', minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? 1 } } : {}),
      pods: podStates,
    };
  }

  async scale(clusterId: string, namespace: string, deployment: string, replicas: number): Promise<void> {
    await (await this.clientFor(clusterId)).scaleDeployment(namespace, deployment, replicas);
  }

  async setHpaBounds(clusterId: string, namespace: string, hpa: string, bounds: { minReplicas: number; maxReplicas: number }): Promise<void> {
    await (await this.clientFor(clusterId)).patchHorizontalPodAutoscaler(namespace, hpa, bounds);
  }

  async deletePod(clusterId: string, namespace: string, pod: string): Promise<void> {
    await (await this.clientFor(clusterId)).deletePod(namespace, pod);
  }

  async rollback(clusterId: string, namespace: string, deployment: string, toRevision?: string): Promise<{ revision: string }> {
    return (await this.clientFor(clusterId)).rolloutUndo(namespace, deployment, toRevision);
  }

  async restoreTemplate(clusterId: string, namespace: string, deployment: string, template: unknown): Promise<void> {
    await (await this.clientFor(clusterId)).replaceDeploymentTemplate(namespace, deployment, template as V1PodTemplateSpec);
  }
}
