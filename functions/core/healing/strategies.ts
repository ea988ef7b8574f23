/**
 * Deciding what to do: the registry's strategy for the case (strategies/index.ts), or a hand-over
 * when the policy says so or no strategy handles the failure. Pure: from what the cluster shows (and
 * what the RCA found) to an action or a hand-over with suggestions.
 */
import type { ServicePolicy } from './policy.ts';
import { handover, manualSuggestions, recentRollout } from './strategies/common.ts';
import { strategyFor } from './strategies/index.ts';
import type { Decision, HealingRequest, WorkloadState } from './types.ts';

export { previousRevision, recentRollout } from './strategies/common.ts';

export function decide(request: HealingRequest, state: WorkloadState, policy: ServicePolicy, now: Date, failingReplicaSets?: ReadonlySet<string>): Decision {
  if (policy.strategies[request.issueType as keyof ServicePolicy['strategies']] === 'handover') {
    return handover(
      `${request.issueType} is configured for manual handling on this service`,
      manualSuggestions(request, state, recentRollout(state, request.hints, policy, now)),
    );
  }
  const ctx = { request, state, policy, now, ...(failingReplicaSets ? { failingReplicaSets } : {}) };
  const strategy = strategyFor(ctx);
  if (!strategy)
    return handover(`No automatic strategy for ${request.issueType}`, manualSuggestions(request, state, recentRollout(state, request.hints, policy, now)));
  return strategy.plan(ctx);
}
