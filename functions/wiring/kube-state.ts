import { DynamoKubeStateStore } from '../adapters/aws/dynamodb/kube-state-store.ts';
import { KubeStatePull } from '../core/kube-state/pull.ts';
import type { KubeDeploymentState, KubeNodeState, KubePodState } from '../core/kube-state/types.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';
import { rememberNodes } from './fleet.ts';

/** API objects always carry metadata.name; the client's types say optional, so the rare one without is skipped. */
function named<T>(items: { metadata?: { name?: string } }[]): T[] {
  return items.filter((i) => typeof i.metadata?.name === 'string') as T[];
}

let built: { base: unknown; pull: KubeStatePull } | undefined;

/** Kube-state detection as the pull runs it: one list of pods, deployments and nodes per cluster. */
export function kubeStatePull(): KubeStatePull | undefined {
  const base = wiring();
  if (base.config.FLEETOPS_KUBE_STATE === false) return undefined;
  if (built?.base === base) return built.pull;
  const config = base.config;
  const pull = new KubeStatePull({
    clusters: clusterStore(),
    snapshot: async (record) => {
      const client = await clusterRegistry().client(record);
      const [pods, deployments, nodes] = await Promise.all([client.listAllPods(), client.listAllDeployments(), client.listNodes()]);
      rememberNodes(record, nodes); // the pull's health score uses this list instead of listing again
      return { pods: named<KubePodState>(pods), deployments: named<KubeDeploymentState>(deployments), nodes: named<KubeNodeState>(nodes) };
    },
    store: new DynamoKubeStateStore({ client: base.documentClient, tableName: config.TABLE_NAME }),
    events: base.events,
    clock: base.clock,
    defaultNamespaces: config.pullNamespaces,
    config: {
      resolveAfterPulls: config.FLEETOPS_KUBE_STATE_RESOLVE_PULLS,
      unschedulableGraceSeconds: config.FLEETOPS_KUBE_STATE_UNSCHEDULABLE_GRACE_SECONDS,
      pendingGraceSeconds: config.FLEETOPS_KUBE_STATE_PENDING_GRACE_SECONDS,
      nodeNotReadyGraceSeconds: config.FLEETOPS_KUBE_STATE_NODE_GRACE_SECONDS,
    },
  });
  built = { base, pull };
  return pull;
}
