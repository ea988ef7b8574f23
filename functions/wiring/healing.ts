import { DynamoHealingStore } from '../adapters/aws/dynamodb/healing-store.ts';
import { DynamoIncidentHealingLinks } from '../adapters/aws/dynamodb/incident-healing-links.ts';
import { KubeHealingCluster } from '../adapters/kube/healing-cluster.ts';
import { answerApproval, type ApprovalAnswer } from '../core/healing/approval.ts';
import { parseHealingPolicy, type HealingPolicyConfig } from '../core/healing/policy.ts';
import type { DependencyGraph } from '../core/healing/ports.ts';
import { criticalDependents } from '../core/healing/safety.ts';
import type { HealingRecord } from '../core/healing/types.ts';
import { HealingSteps } from '../core/healing/workflow.ts';
import { wiring } from '../wiring.ts';
import { alertPipeline, notifiersFromConfig } from './alerts.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';

/** The dependency graph from the healing policy (the same caller → callees shape the alert grouping uses). */
class PolicyDependencyGraph implements DependencyGraph {
  private readonly policy: HealingPolicyConfig;

  constructor(policy: HealingPolicyConfig) {
    this.policy = policy;
  }

  async criticalDependents(target: { service: string }): Promise<string[]> {
    return criticalDependents(target.service, this.policy.dependencies ?? {}, this.policy.criticalServices ?? []);
  }
}

let built: { base: unknown; steps: HealingSteps; store: DynamoHealingStore } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const policy = parseHealingPolicy(base.config.FLEETOPS_HEALING_POLICY);
  const store = new DynamoHealingStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  const steps = new HealingSteps({
    store,
    cluster: new KubeHealingCluster({ record: (id) => clusterStore().get(id), client: (record) => clusterRegistry().client(record) }),
    incidents: new DynamoIncidentHealingLinks({ client: base.documentClient, tableName: base.config.TABLE_NAME }),
    escalation: { escalate: (id) => alertPipeline().escalate(id) },
    graph: new PolicyDependencyGraph(policy),
    notifiers: notifiersFromConfig(base.config),
    events: base.events,
    clock: base.clock,
    workflows: base.workflows,
    settings: { policy, disabled: base.config.FLEETOPS_HEALING_DISABLED ?? false, verifyWaitSeconds: base.config.healingVerifyWaitSeconds },
  });
  built = { base, steps, store };
  return built;
}

export const healingSteps = (): HealingSteps => build().steps;
export const healingStore = (): DynamoHealingStore => build().store;

/**
 * Approve or reject a healing waiting in PENDING_APPROVAL: what `POST /v1/healing/{id}/approve`
 * and `/reject` call, and what a Slack interaction handler should call with the Slack user.
 */
export function answerHealingApproval(answer: ApprovalAnswer): Promise<HealingRecord> {
  const base = wiring();
  return answerApproval({ store: healingStore(), callbacks: base.taskCallbacks, clock: base.clock }, answer);
}
