/** Healing test fixtures: deployment `api` in shop on cluster prod, requests to heal it, who asks, and what the RCA hands healing. */
import type { HealingCluster } from '../../functions/core/healing/ports.ts';
import type { HealingRequest, PodState, WorkloadState } from '../../functions/core/healing/types.ts';
import { HealingSteps, type HealingDeps } from '../../functions/core/healing/workflow.ts';
import type { Identity } from '../../functions/core/identity/identity.ts';
import { emptyEvidence, type DeploymentEvidence, type Evidence, type RcaTarget } from '../../functions/core/rca/evidence.ts';
import type { RcaReport } from '../../functions/core/rca/report.ts';
import { InMemoryHealingStore } from './fakes/healing-store.ts';

export const NOW = new Date('2026-12-01T12:00:00Z');

export const approver: Identity = { kind: 'oidc', subject: 'https://idp.example|u-1', displayName: 'Ada Approver', role: 'approver' };
export const operator: Identity = { kind: 'oidc', subject: 'https://idp.example|u-2', displayName: 'Olly Operator', role: 'operator' };

/** Ready, running pods api-c-1, api-c-2, ... of replica set api-c: one a usage given. */
export function apiPods(...usage: Partial<PodState>[]): PodState[] {
  return usage.map((u, i) => ({ name: `api-c-${i + 1}`, ready: true, phase: 'Running', restarts: 0, ...u }));
}

/** Deployment api at revision 3, both replicas ready (replica set api-c), no limits, labels or template unless `over` sets them. */
export function apiWorkload(over: Partial<WorkloadState> = {}): WorkloadState {
  return {
    deployment: 'api',
    replicas: 2,
    readyReplicas: 2,
    revision: '3',
    labels: {},
    annotations: {},
    template: {},
    replicaSets: [{ name: 'api-c', revision: '3', replicas: 2 }],
    pods: apiPods({}, {}),
    ...over,
  };
}

/** A low-severity high_cpu heal of api in shop, asked for over the API by `test`, unless `over` says otherwise. */
export function healingRequest(over: Partial<HealingRequest> = {}): HealingRequest {
  return { clusterId: 'c1', namespace: 'shop', service: 'api', issueType: 'high_cpu', severity: 'low', trigger: 'api', requestedBy: 'test', ...over };
}

/** Cluster prod, whose deployment is `workload`; it takes no action. */
export function workloadCluster(workload: WorkloadState): HealingCluster {
  return { clusterName: async () => 'prod', workload: async () => structuredClone(workload) } as unknown as HealingCluster;
}

/**
 * The healing workflow's steps on `cluster` over an in-memory store, at NOW: no critical dependents, notifiers or
 * events, default policy; `over` replaces any other dependency.
 */
export function healingSteps(
  cluster: HealingCluster,
  over: Partial<Omit<HealingDeps, 'store' | 'cluster'>> = {},
): { store: InMemoryHealingStore; steps: HealingSteps } {
  const store = new InMemoryHealingStore();
  const steps = new HealingSteps({
    store,
    cluster,
    incidents: { link: async () => {}, addNote: async () => {} },
    graph: { criticalDependents: async () => [] },
    notifiers: [],
    events: { publish: async () => {} },
    clock: { now: () => NOW },
    settings: { policy: {}, disabled: false, verifyWaitSeconds: 1 },
    ...over,
  });
  return { store, steps };
}

/** An RCA of frontend in shop, whose findings decide what healing may act on. */
export const RCA_TARGET: RcaTarget = {
  rcaId: 'rca-1',
  clusterId: 'c-1',
  cluster: 'dev',
  namespace: 'shop',
  service: 'frontend',
  severity: 'medium',
  at: '2026-12-01T12:00:00Z',
};

/** RCA evidence of the deployments given, on RCA_TARGET. */
export function rcaEvidence(...deployments: DeploymentEvidence[]): Evidence {
  const e = emptyEvidence(RCA_TARGET);
  e.deployments.push(...deployments);
  return e;
}

/** Deployment `name` at `revision` with `ready` of its 2 replicas ready (and available; the rest unavailable). */
export function deploymentEvidence(name: string, revision: string, ready: number): DeploymentEvidence {
  return { id: `deployment:${name}`, name, desired: 2, ready, available: ready, updated: 2, unavailable: 2 - ready, revision, selector: {}, conditions: [] };
}

/** A report by `engine` whose one root cause is a BadRollout of `resource`. */
export function rcaReport(engine: 'rules' | 'bedrock', resource: string, issueType?: RcaReport['issueType']): RcaReport {
  return {
    summary: 's',
    symptoms: [],
    rootCauses: [{ category: 'BadRollout', resource, description: 'd', evidence: ['deployment:frontend'], confidence: 0.9 }],
    contributingFactors: [],
    timeline: [],
    remediation: [],
    prevention: [],
    engine,
    ...(issueType ? { issueType } : {}),
  } as RcaReport;
}
