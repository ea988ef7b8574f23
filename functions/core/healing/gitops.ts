/**
 * Workloads owned by a GitOps tool are changed through Git (or the tool), not behind its back:
 * the tool would revert the patch, or worse, fight it.
 */
import type { GitOpsOwner } from './types.ts';

export function gitOpsOwner(labels: Record<string, string>, annotations: Record<string, string>): GitOpsOwner | undefined {
  const argoApp = labels['argocd.argoproj.io/instance'];
  if (argoApp) return { tool: 'argocd', app: argoApp };
  // Argo CD's annotation tracking: `<app>:<group>/<kind>:<namespace>/<name>`. Whichever names the app
  // (the tracking id, or Argo CD's default label `app.kubernetes.io/instance` next to it), the
  // Application is only used after its destination and resource list are checked (argocd.ts).
  const tracking = annotations['argocd.argoproj.io/tracking-id'];
  if (tracking) return { tool: 'argocd', app: tracking.split(':')[0] || labels['app.kubernetes.io/instance'] || 'unknown' };
  const kustomization = labels['kustomize.toolkit.fluxcd.io/name'];
  if (kustomization)
    return {
      tool: 'flux',
      app: `Kustomization ${labels['kustomize.toolkit.fluxcd.io/namespace'] ? `${labels['kustomize.toolkit.fluxcd.io/namespace']}/` : ''}${kustomization}`,
    };
  const release = labels['helm.toolkit.fluxcd.io/name'];
  if (release)
    return { tool: 'flux', app: `HelmRelease ${labels['helm.toolkit.fluxcd.io/namespace'] ? `${labels['helm.toolkit.fluxcd.io/namespace']}/` : ''}${release}` };
  return undefined;
}

export function describeOwner(owner: GitOpsOwner): string {
  return owner.tool === 'argocd' ? `Argo CD application ${owner.app}` : `Flux ${owner.app}`;
}
