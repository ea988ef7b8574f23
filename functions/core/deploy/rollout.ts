/**
 * Rollout health of a release's Deployments, the way `kubectl rollout status` judges it, plus pod
 * states that will not fix themselves. Pure: takes the objects, returns a verdict.
 */

export interface DeploymentView {
  metadata?: { name?: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string }[];
  };
}

export interface PodView {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: {
    containerStatuses?: { name?: string; restartCount?: number; state?: { waiting?: { reason?: string; message?: string } } }[];
  };
}

export type RolloutVerdict = { state: 'ready' } | { state: 'progressing'; reason: string } | { state: 'failed'; reason: string };

/** Waiting reasons that mean the pod will not become ready without a change. */
const STUCK_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

export function releaseDeployments<T extends DeploymentView>(deployments: T[], release: string): T[] {
  return deployments.filter((d) => d.metadata?.annotations?.['meta.helm.sh/release-name'] === release);
}

function podsOf(deployment: DeploymentView, pods: PodView[]): PodView[] {
  const match = deployment.spec?.selector?.matchLabels ?? {};
  const entries = Object.entries(match);
  if (!entries.length) return [];
  return pods.filter((p) => entries.every(([k, v]) => p.metadata?.labels?.[k] === v));
}

function stuckPod(pods: PodView[]): string | undefined {
  for (const pod of pods) {
    for (const c of pod.status?.containerStatuses ?? []) {
      const reason = c.state?.waiting?.reason;
      if (reason && STUCK_REASONS.has(reason)) return `pod ${pod.metadata?.name ?? '?'} container ${c.name ?? '?'}: ${reason}`;
    }
  }
  return undefined;
}

export function evaluateRollout(deployments: DeploymentView[], pods: PodView[]): RolloutVerdict {
  const waiting: string[] = [];
  for (const d of deployments) {
    const name = d.metadata?.name ?? '?';
    const stuck = stuckPod(podsOf(d, pods));
    if (stuck) return { state: 'failed', reason: `deployment ${name}: ${stuck}` };
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') return { state: 'failed', reason: `deployment ${name} exceeded its progress deadline` };
    const want = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) waiting.push(`${name}: spec update not yet observed`);
    else if ((s.updatedReplicas ?? 0) < want) waiting.push(`${name}: ${s.updatedReplicas ?? 0} of ${want} updated`);
    else if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
      waiting.push(`${name}: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination`);
    else if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) waiting.push(`${name}: ${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} available`);
  }
  return waiting.length ? { state: 'progressing', reason: waiting.join('; ') } : { state: 'ready' };
}

/** The next step of the rollout gate, given the verdict and the deadline. */
export function rolloutDecision(verdict: RolloutVerdict, now: number, deadline: number): RolloutVerdict {
  if (verdict.state === 'progressing' && now >= deadline) return { state: 'failed', reason: `rollout timed out (${verdict.reason})` };
  return verdict;
}
