/**
 * A rollout shortly before the symptoms ("bad deploy"): named by revision, time and what changed in
 * the pod template. It is a cause when the new revision's pods fail or the service's signals turned
 * bad after it; otherwise a contributing factor worth knowing.
 */
import type { Evidence } from '../evidence.ts';
import { type Analyzer, type Finding } from './types.ts';

/** A rollout this long before the symptoms still counts as "shortly before". */
export const ROLLOUT_WINDOW_MS = 30 * 60_000;

const STARTING = /^(ContainerCreating|PodInitializing)$/;
/** How long a new pod may take to become ready before the rollout counts as failing. */
const STARTUP_GRACE_MS = 60_000;

function failingAfter(evidence: Evidence, deployment: string, at: number): boolean {
  const pods = evidence.pods.filter((p) => p.deployment === deployment && Date.parse(p.createdAt ?? '') >= at - 5_000);
  // a pod still starting (created, pulling, initialising, not yet past its readiness delay) is not failing
  const starting = (p: (typeof pods)[number], c: (typeof pods)[number]['containers'][number]): boolean =>
    !c.ready && c.restarts === 0 && (c.reason === undefined || STARTING.test(c.reason)) && Date.now() - Date.parse(p.createdAt ?? '') < STARTUP_GRACE_MS;
  const podsFail = pods.some((p) => p.containers.some((c) => (!c.ready || c.restarts > 0) && !starting(p, c)));
  // turned bad, not merely moved (less traffic from a failing caller makes latency drop, too)
  const worse = (m: (typeof evidence.metrics)[number]): boolean =>
    m.current !== null && (m.baseline === undefined || m.current > 1.5 * m.baseline + (m.signal === 'error_rate' ? 0.01 : 0));
  const signalsTurned = evidence.metrics.some(
    (m) =>
      m.service === deployment && m.changedAt && Date.parse(m.changedAt) >= at - 5_000 && (m.signal === 'error_rate' || m.signal === 'latency_p95') && worse(m),
  );
  return podsFail || signalsTurned;
}

export const badDeploy: Analyzer = (evidence) => {
  const symptomsAt = Date.parse(evidence.target.at);
  return evidence.rollouts
    .filter((r) => r.changes.length > 0)
    .filter((r) => {
      const at = Date.parse(r.at);
      return at >= symptomsAt - ROLLOUT_WINDOW_MS && at <= Math.max(symptomsAt, Date.now()) + 60_000;
    })
    .map((r): Finding => {
      const cause = failingAfter(evidence, r.deployment, Date.parse(r.at));
      return {
        analyzer: 'rollout',
        category: 'BadDeploy',
        kind: cause ? 'cause' : 'factor',
        service: r.deployment,
        resource: `deployment/${r.deployment}`,
        description: `Deployment ${r.deployment} rolled out revision ${r.revision} at ${r.at} (from ${r.previousRevision}): ${r.changes.slice(0, 4).join('; ')}`,
        evidence: [r.id],
        strength: cause ? 0.8 : 0.3,
        at: r.at,
        issueType: 'bad_deploy',
        remediation: [`Roll back: kubectl rollout undo -n ${evidence.target.namespace} deployment/${r.deployment} --to-revision=${r.previousRevision}`],
        prevention: ['Progressive delivery: canary with automatic rollback on error rate', 'Verify after each deploy wave before the next'],
      };
    });
};
