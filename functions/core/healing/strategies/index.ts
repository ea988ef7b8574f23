/**
 * THE list of healing strategies. Adding one: a file in this folder implementing HealingStrategy,
 * and one line below. Order matters only between strategies for the same issue type: the first
 * whose `applies` holds plans the case.
 */
import type { ActionPlan, IssueType } from '../types.ts';
import { badDeployRollback } from './bad-deploy.ts';
import { crashLoopHandover } from './crash-loop.ts';
import { errorRateRollback } from './error-rate-rollback.ts';
import { memoryLimitBump } from './memory-limit-bump.ts';
import { restartPod } from './restart-pod.ts';
import { scaleOut } from './scale-out.ts';
import type { HealingStrategy, PlanContext } from './types.ts';

export const STRATEGIES: readonly HealingStrategy<any>[] = [scaleOut, memoryLimitBump, restartPod, crashLoopHandover, errorRateRollback, badDeployRollback];

/** Issue types with a strategy; RCA results of other types do not start a healing run. */
export const HEALABLE_ISSUE_TYPES = [...new Set(STRATEGIES.flatMap((s) => s.issueTypes))] as [IssueType, ...IssueType[]];

export const isHealable = (issueType: string): issueType is IssueType => (HEALABLE_ISSUE_TYPES as readonly string[]).includes(issueType);

/** The strategy that plans this case: the first for its issue type that applies. */
export function strategyFor(ctx: PlanContext): HealingStrategy | undefined {
  const candidates = STRATEGIES.filter((s) => s.issueTypes.includes(ctx.request.issueType));
  return candidates.find((s) => !s.applies || s.applies(ctx)) ?? undefined;
}

/** The first strategy for an issue type (verification's symptom and its words). */
export function strategyForIssue(issueType: IssueType): HealingStrategy | undefined {
  return STRATEGIES.find((s) => s.issueTypes.includes(issueType));
}

/** The strategy that executes and undoes a plan of this kind. */
export function strategyForPlan(plan: Pick<ActionPlan, 'kind'>): HealingStrategy {
  const strategy = STRATEGIES.find((s) => (s.planKinds as readonly string[]).includes(plan.kind));
  if (!strategy) throw new Error(`No strategy executes plans of kind ${plan.kind}`);
  return strategy;
}

/** What fleetops can do, one line per strategy: for people and for the model's prompt. */
export function strategyCatalogue(): string[] {
  return STRATEGIES.map((s) => `${s.id}: ${s.summary}`);
}

export type { ActContext, ExecuteResult, HealingStrategy, PlanContext } from './types.ts';
