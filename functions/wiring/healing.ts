import { DynamoIncidentHealingLinks } from '../adapters/aws/dynamodb/incident-healing-links.ts';
import { KubeHealingCluster } from '../adapters/kube/healing-cluster.ts';
import { parseHealingPolicy, type HealingPolicyConfig } from '../core/healing/policy.ts';
import type { DependencyGraph } from '../core/healing/ports.ts';
import { criticalDependents } from '../core/healing/safety.ts';
import { HealingSteps } from '../core/healing/workflow.ts';
import { wiring } from '../wiring.ts';
import { argoCd } from './argocd.ts';
import { healingStore, openIncidents } from './healing-approvals.ts';
import { alertPipeline, notifiersFromConfig } from './alerts.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';
import { dependencyGraphStore } from './dependency-graphs.ts';
import { mergeGraphs } from '../core/mesh/graph.ts';

/**
 * Critical dependents from the graph the alert pipeline reads (the mesh graph per cluster, stored by
 * the pull) merged with the policy's own `dependencies`; which services are critical is policy.
 */
class CriticalDependents implements DependencyGraph {
  private readonly policy: HealingPolicyConfig;

  constructor(policy: HealingPolicyConfig) {
    this.policy = policy;
  }

  async criticalDependents(target: { cluster: string; service: string }): Promise<string[]> {
    const critical = this.policy.criticalServices ?? [];
    if (!critical.length) return [];
    const mesh = await dependencyGraphStore()
      .get(target.cluster)
      .catch(() => undefined);
    return criticalDependents(target.service, mergeGraphs([this.policy.dependencies ?? {}, mesh ?? {}]), critical);
  }
}

let built: { base: unknown; steps: HealingSteps } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const policy = parseHealingPolicy(base.config.FLEETOPS_HEALING_POLICY);
  const argocd = argoCd();
  const store = healingStore();
  const steps = new HealingSteps({
    store,
    cluster: new KubeHealingCluster({ record: (id) => clusterStore().get(id), client: (record) => clusterRegistry().client(record) }),
    incidents: new DynamoIncidentHealingLinks({ client: base.documentClient, tableName: base.config.TABLE_NAME }),
    escalation: { escalate: (id) => alertPipeline().escalate(id) },
    graph: new CriticalDependents(policy),
    openIncidents: openIncidents(),
    notifiers: notifiersFromConfig(base.config),
    events: base.events,
    clock: base.clock,
    workflows: base.workflows,
    ...(argocd ? { argocd } : {}),
    settings: { policy, disabled: base.config.FLEETOPS_HEALING_DISABLED ?? false, verifyWaitSeconds: base.config.healingVerifyWaitSeconds },
  });
  built = { base, steps };
  return built;
}

export const healingSteps = (): HealingSteps => build().steps;
