/**
 * Deploys respect GitOps: a release whose workloads Argo CD or Flux manages is never upgraded by helm behind its back
 * (the tool would revert it at its next sync, or fight it). Ownership is judged as healing judges it (healing/gitops.ts
 * reads the labels; healing/argocd.ts verifies that the Application really manages the workload).
 */
import { NotFoundError } from '../errors.ts';
import { argoAppRef, argoManages, type ArgoAppRef, type ArgoCdApplication } from '../healing/argocd.ts';
import { describeOwner, gitOpsOwner } from '../healing/gitops.ts';
import type { ArgoCdReader } from './ports.ts';

export const GITOPS_MANAGED = 'GITOPS_MANAGED';

export interface LabelledDeployment {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface GitOpsCheck {
  release: string;
  namespace: string;
  /** The registered cluster: its name and API server URL (what an Application's destination names). */
  cluster: { name: string; server?: string };
  /** The namespace's Deployments, as the cluster lists them. */
  deployments: readonly LabelledDeployment[];
  /** The Argo CD instance to verify a claim with, when one is configured. */
  argocd?: ArgoCdReader;
}

/**
 * The release's Deployments however they were installed: helm's release annotation, the chart's instance label, or
 * the chart's name pattern (`<release>` or `<release>-<chart>`) for charts Argo CD renders with `helm template`
 * (no helm annotation; Argo CD's label tracking rewrites the instance label to the Application's name). A workload
 * annotated as another helm release's is not this release's.
 */
export function releaseWorkloads<T extends LabelledDeployment>(deployments: readonly T[], release: string): T[] {
  return deployments.filter((d) => {
    const helmRelease = d.metadata?.annotations?.['meta.helm.sh/release-name'];
    if (helmRelease) return helmRelease === release;
    const name = d.metadata?.name ?? '';
    return d.metadata?.labels?.['app.kubernetes.io/instance'] === release || name === release || name.startsWith(`${release}-`);
  });
}

const refusal = (check: GitOpsCheck, what: string, through: string) =>
  `${GITOPS_MANAGED}: ${check.release} on ${check.cluster.name} ${what}; change it in Git (or ${through}), not with a fleetops deploy`;

/**
 * Why helm must not run for this release on this cluster, or undefined when no GitOps tool manages it.
 * - Flux's labels (written by its controllers) are enough.
 * - Argo CD's own label or tracking id: verified with the Application when an Argo CD instance covers the cluster (a
 *   stale label naming an Application that does not manage the workload does not block); unverifiable → refused.
 * - Only `app.kubernetes.io/instance` (Argo CD's default tracking label, and also every Helm chart's): refused only
 *   when the Application of that name verifiably manages the workload.
 */
export async function gitOpsRefusal(check: GitOpsCheck): Promise<string | undefined> {
  const apps = new Map<string, Promise<ArgoCdApplication | undefined>>();
  const read = (ref: ArgoAppRef) => {
    const key = `${ref.appNamespace ?? ''}/${ref.name}`;
    if (!apps.has(key))
      apps.set(
        key,
        check.argocd!.application(ref).catch((e) => (e instanceof NotFoundError ? undefined : Promise.reject(e))),
      );
    return apps.get(key)!;
  };
  const covered = !!check.argocd?.covers(check.cluster.name);
  for (const deployment of releaseWorkloads(check.deployments, check.release)) {
    const name = deployment.metadata?.name ?? '';
    const labels = deployment.metadata?.labels ?? {};
    const where = `(deployment ${check.namespace}/${name})`;
    const owner = gitOpsOwner(labels, deployment.metadata?.annotations ?? {});
    if (owner?.tool === 'flux') return refusal(check, `is managed by ${describeOwner(owner)} ${where}`, 'reconcile it through Flux');
    const claimed = owner?.app ?? labels['app.kubernetes.io/instance'];
    const ref = claimed ? argoAppRef(claimed) : undefined;
    if (!owner && (!ref || !covered)) continue;
    const label = `Argo CD application ${claimed}`;
    if (!ref || !covered) {
      const why = !ref ? 'which is not a valid Application name' : `and no Argo CD instance configured for ${check.cluster.name} can confirm it`;
      return refusal(check, `is labelled as managed by ${label} ${where}, ${why}`, 'sync it through Argo CD; remove the label if Argo CD no longer manages it');
    }
    let app: ArgoCdApplication | undefined;
    try {
      app = await read(ref);
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
      if (!owner) continue;
      return refusal(check, `is labelled as managed by ${label} ${where}, which could not be read (${message})`, 'sync it through Argo CD');
    }
    if (!app) continue;
    const target = {
      namespace: check.namespace,
      deployment: name,
      cluster: check.cluster,
      ...(check.argocd!.inCluster ? { inCluster: check.argocd!.inCluster } : {}),
    };
    if (argoManages(app, target).ok) return refusal(check, `is managed by ${label} ${where}`, 'sync it through Argo CD');
  }
  return undefined;
}
