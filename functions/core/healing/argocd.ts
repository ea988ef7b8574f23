/**
 * Rolling back through Argo CD instead of behind its back: which Application manages a workload,
 * whether Argo CD can roll it back, and to which history entry. Pure: the application's state comes
 * from the ArgoCdTarget port (functions/adapters/argocd/argocd-client.ts).
 */
import type { ArgoRollbackPlan } from './types.ts';

/** How Argo CD's API names an Application: apps in any namespace carry `appNamespace`. */
export interface ArgoAppRef {
  name: string;
  appNamespace?: string;
}

/** What healing reads from `GET /api/v1/applications/{name}`. */
export interface ArgoCdApplication {
  name: string;
  appNamespace?: string;
  /** `spec.syncPolicy.automated` is set: Argo CD refuses a rollback then. */
  autoSync: boolean;
  sync: { status?: string; revision?: string };
  health?: string;
  /** `status.history`, in the order Argo CD keeps it (oldest first). */
  history: { id: number; revision?: string; revisions?: string[]; deployedAt?: string }[];
  /** `status.resources`: what the Application manages. */
  resources: { group?: string; kind: string; namespace?: string; name: string }[];
  /** `spec.destination`: the cluster (by API server URL or Argo CD cluster name) and namespace it deploys to. */
  destination?: { server?: string; name?: string; namespace?: string };
}

/** Argo CD's names for the cluster it runs in. */
const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
const IN_CLUSTER_NAME = 'in-cluster';

/** Where the workload runs, as healing knows it, and which registered cluster Argo CD itself runs in (if one). */
export interface ArgoWorkloadTarget {
  namespace: string;
  deployment: string;
  /** The fleetops cluster: its registered name and API server URL. */
  cluster: { name: string; server?: string };
  /** The registered cluster this Argo CD instance runs in (its `in-cluster` destination), when known. */
  inCluster?: string;
}

const sameServer = (a: string | undefined, b: string | undefined): boolean =>
  !!a && !!b && a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** Whether the Application deploys to the workload's cluster: its server URL, its name, or Argo CD's own cluster. */
export function destinationMatches(destination: ArgoCdApplication['destination'], target: ArgoWorkloadTarget): boolean {
  if (!destination) return false;
  if (sameServer(destination.server, target.cluster.server)) return true;
  if (destination.name && destination.name === target.cluster.name) return true;
  const inCluster = destination.server ? sameServer(destination.server, IN_CLUSTER_SERVER) : destination.name === IN_CLUSTER_NAME;
  return inCluster && target.inCluster === target.cluster.name;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The Application named by the `argocd.argoproj.io/instance` label or the tracking id's `<app>`
 * part. With apps in any namespace Argo CD writes `<namespace>_<name>` there (`_` is not allowed in
 * either name, so the split is unambiguous). Undefined when it is not a valid name.
 */
export function argoAppRef(app: string): ArgoAppRef | undefined {
  const [first, second, ...rest] = app.split('_');
  if (rest.length) return undefined;
  if (second === undefined) return K8S_NAME.test(first) ? { name: first } : undefined;
  return K8S_NAME.test(first) && K8S_NAME.test(second) ? { name: second, appNamespace: first } : undefined;
}

export type ArgoRollbackDecision = { ok: true; plan: ArgoRollbackPlan } | { ok: false; reason: string };

const appLabel = (app: Pick<ArgoCdApplication, 'name' | 'appNamespace'>): string =>
  `Argo CD application ${app.appNamespace ? `${app.appNamespace}/` : ''}${app.name}`;

/**
 * Whether the Application verifiably manages the workload: it deploys to the workload's cluster and namespace and lists
 * the deployment among its resources. A label naming another team's (or another environment's) Application proves
 * nothing; the reason says which check failed.
 */
export function argoManages(app: ArgoCdApplication, target: ArgoWorkloadTarget): { ok: true } | { ok: false; reason: string } {
  const name = appLabel(app);
  if (!destinationMatches(app.destination, target)) {
    const d = app.destination;
    return { ok: false, reason: `${name} deploys to ${d?.name ?? d?.server ?? 'an unknown cluster'}, not to cluster ${target.cluster.name}` };
  }
  if (app.destination?.namespace && app.destination.namespace !== target.namespace)
    return { ok: false, reason: `${name} deploys to namespace ${app.destination.namespace}, not ${target.namespace}` };
  const listed = app.resources.some(
    (r) =>
      r.kind === 'Deployment' &&
      (r.group ?? 'apps') === 'apps' &&
      r.name === target.deployment &&
      (r.namespace ?? app.destination?.namespace) === target.namespace,
  );
  if (!listed) {
    return {
      ok: false,
      reason: `${name} does not list deployment ${target.namespace}/${target.deployment} (cluster ${target.cluster.name}) among its resources${app.resources.length ? '' : ' (it lists none)'}`,
    };
  }
  return { ok: true };
}

/**
 * The history entry before the deployed one (the newest entry), when Argo CD can roll back to it:
 * the Application manages the workload (argoManages), automated sync off, a single-source revision.
 */
export function argoRollback(app: ArgoCdApplication, target: ArgoWorkloadTarget): ArgoRollbackDecision {
  const name = appLabel(app);
  const managed = argoManages(app, target);
  if (!managed.ok) return { ok: false, reason: `${managed.reason}: not rolled back through it` };
  if (app.autoSync) {
    return {
      ok: false,
      reason: `${name} syncs automatically, and Argo CD refuses a rollback while automated sync is on: revert the change in Git (or turn auto-sync off and heal again)`,
    };
  }
  const history = [...app.history].filter((h) => Number.isSafeInteger(h.id)).sort((a, b) => a.id - b.id);
  if (history.length < 2) return { ok: false, reason: `${name} has no earlier history entry to roll back to` };
  const current = history[history.length - 1];
  const previous = history[history.length - 2];
  if (!previous.revision || !current.revision) {
    return { ok: false, reason: `${name} has several sources (no single revision per history entry): roll back through Argo CD or Git by hand` };
  }
  return {
    ok: true,
    plan: {
      application: app.name,
      ...(app.appNamespace ? { appNamespace: app.appNamespace } : {}),
      historyId: previous.id,
      revision: previous.revision,
      fromHistoryId: current.id,
      fromRevision: current.revision,
    },
  };
}

export function argoRefOf(plan: Pick<ArgoRollbackPlan, 'application' | 'appNamespace'>): ArgoAppRef {
  return { name: plan.application, ...(plan.appNamespace ? { appNamespace: plan.appNamespace } : {}) };
}

const appName = (plan: Pick<ArgoRollbackPlan, 'application' | 'appNamespace'>): string =>
  `${plan.appNamespace ? `${plan.appNamespace}/` : ''}${plan.application}`;

/** The words the record and the audit use: "rolled back through Argo CD application X to history id N (revision R)". */
export function describeArgoRollback(plan: ArgoRollbackPlan): string {
  return `rolled back through Argo CD application ${appName(plan)} to history id ${plan.historyId} (revision ${plan.revision})`;
}

export function describeArgoUndo(target: { application: string; appNamespace?: string; revision: string }): string {
  return `synced Argo CD application ${appName(target)} back to revision ${target.revision}`;
}
