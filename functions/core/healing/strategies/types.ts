/**
 * The one interface every healing strategy implements (one file per strategy in this folder,
 * registered in index.ts). The rules (which strategy handles a failure), the workflow (plan,
 * execute, undo), verification (the symptom and its target), the policy (which issue types exist)
 * and the model's prompt (what fleetops can do) all read the registry, never a switch.
 */
import type { HealingCluster } from '../ports.ts';
import type { ActionPlan, Decision, HealingRequest, IssueType, Snapshot, WorkloadState } from '../types.ts';

/**
 * The parts of the service's healing policy (policy.ts ServicePolicy) strategies read. Declared here,
 * not imported, so the policy can read the registry without an import cycle.
 */
export interface StrategyPolicy {
  scaleStep: number;
  maxReplicas: number;
  recentRolloutMinutes: number;
  cpuUtilisationTarget: number;
  memoryUtilisationTarget: number;
}

export interface PlanContext {
  request: HealingRequest;
  state: WorkloadState;
  policy: StrategyPolicy;
  now: Date;
  /** ReplicaSets fleetops or the cluster saw failing: a rollback never goes to one of them. */
  failingReplicaSets?: ReadonlySet<string>;
}

export interface ActContext {
  cluster: HealingCluster;
  clusterId: string;
  namespace: string;
  /** Re-reads the workload the plan targets (for checks at the moment of acting). */
  workload(): Promise<WorkloadState>;
}

/** `changed: false`: nothing was done (the reason is in `skipped`). `after`: what the audit shows. */
export type ExecuteResult = { changed: true; after?: unknown } | { changed: false; skipped: string; before?: unknown };

export interface HealingStrategy<P extends ActionPlan = ActionPlan> {
  /** Stable name (audit, docs). */
  id: string;
  /** The failures it handles. Several strategies may handle one type: the first that applies wins. */
  issueTypes: readonly IssueType[];
  /** The plan kinds it produces, executes and undoes. */
  planKinds: readonly P['kind'][];
  /** The words for humans and for the model's prompt: what it does. */
  summary: string;
  /** What verification measures, as a person reads it ("CPU/limit"). */
  symptomName: string;
  /** Whether it applies to this case; a later strategy for the same type gets it otherwise. Default: yes. */
  applies?(ctx: PlanContext): boolean;
  /** An action, or a hand-over with suggestions. */
  plan(ctx: PlanContext): Decision;
  execute(plan: P, ctx: ActContext): Promise<ExecuteResult>;
  /** Puts back what the snapshot holds; `undone: false` when it cannot (the result says why). */
  undo(plan: P, snapshot: Snapshot, ctx: ActContext): Promise<{ undone: boolean; result: string }>;
  /** The plan in the audit's words ("scale api 2 → 4 replicas"). */
  describe(plan: P): string;
  /** High while the symptom is there. */
  symptom(state: WorkloadState): number;
  /** At or below this, the symptom is gone. */
  symptomTarget(policy: StrategyPolicy): number;
}
