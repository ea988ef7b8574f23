// Which releases a deploy refuses because Argo CD or Flux manages them (the integration test runs it against the
// simulator and helm; these are the decisions around it).
import { describe, expect, it } from 'vitest';
import { NotFoundError, UpstreamError } from '../../../functions/core/errors.ts';
import { gitOpsRefusal, releaseWorkloads, type LabelledDeployment } from '../../../functions/core/deploy/gitops-guard.ts';
import type { ArgoCdReader } from '../../../functions/core/deploy/ports.ts';
import type { ArgoAppRef, ArgoCdApplication } from '../../../functions/core/healing/argocd.ts';

const SERVER = 'https://10.0.0.1:6443';
const dep = (name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): LabelledDeployment => ({
  metadata: { name, labels, annotations },
});
const app = (name: string, deployment: string, destination = { server: SERVER, namespace: 'web' }): ArgoCdApplication => ({
  name,
  autoSync: true,
  sync: {},
  history: [],
  resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: deployment }],
  destination,
});

function reader(apps: Record<string, ArgoCdApplication | Error>, clusters = ['dev']): ArgoCdReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    covers: (c) => clusters.includes(c),
    application: async (ref: ArgoAppRef) => {
      asked.push(ref.name);
      const found = apps[ref.name];
      if (!found) throw new NotFoundError(`Argo CD application ${ref.name} not found`);
      if (found instanceof Error) throw found;
      return found;
    },
  };
}

const check = (deployments: LabelledDeployment[], argocd?: ArgoCdReader, release = 'web') =>
  gitOpsRefusal({ release, namespace: 'web', cluster: { name: 'dev', server: SERVER }, deployments, ...(argocd ? { argocd } : {}) });

describe('releaseWorkloads', () => {
  it("finds the release's Deployments by helm's annotation, the instance label or the chart's name pattern, never another release's", () => {
    const found = releaseWorkloads(
      [
        dep('web'),
        dep('web-hello'),
        dep('renamed', { 'app.kubernetes.io/instance': 'web' }),
        dep('web-admin', {}, { 'meta.helm.sh/release-name': 'web-admin' }),
        dep('api', {}, { 'meta.helm.sh/release-name': 'api' }),
        dep('webhooks'),
      ],
      'web',
    );
    expect(found.map((d) => d.metadata?.name)).toEqual(['web', 'web-hello', 'renamed']);
  });
});

describe('gitOpsRefusal', () => {
  it('passes a release no GitOps tool labels, and asks Argo CD nothing about it when there is no instance label', async () => {
    const argo = reader({});
    expect(await check([dep('web', {}, { 'meta.helm.sh/release-name': 'web' })], argo)).toBeUndefined();
    expect(argo.asked).toEqual([]);
  });

  it('refuses a Flux Kustomization with its namespace', async () => {
    expect(await check([dep('web', { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' })])).toBe(
      'GITOPS_MANAGED: web on dev is managed by Flux Kustomization flux-system/apps (deployment web/web); change it in Git (or reconcile it through Flux), not with a fleetops deploy',
    );
  });

  it('refuses an Argo CD tracking id only when the Application manages the workload on this cluster', async () => {
    const tracked = dep('web', {}, { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:web/web' });
    expect(await check([tracked], reader({ shop: app('shop', 'web') }))).toMatch(/^GITOPS_MANAGED: web on dev is managed by Argo CD application shop /);
    // The Application deploys elsewhere: the claim is not Argo CD's to make here.
    expect(await check([tracked], reader({ shop: app('shop', 'web', { server: 'https://other:6443', namespace: 'web' }) }))).toBeUndefined();
  });

  it('refuses when Argo CD cannot confirm an Argo CD label (unreadable, or no instance covers the cluster), not for the common instance label alone', async () => {
    const labelled = dep('web', { 'argocd.argoproj.io/instance': 'shop' });
    expect(await check([labelled], reader({ shop: new UpstreamError('Argo CD answered 503') }))).toMatch(
      /managed by Argo CD application shop \(deployment web\/web\), which could not be read \(Argo CD answered 503\)/,
    );
    expect(await check([labelled], reader({ shop: app('shop', 'web') }, ['prod']))).toMatch(/no Argo CD instance configured for dev can confirm it/);
    expect(await check([dep('web', { 'argocd.argoproj.io/instance': 'Not_A_Name_' })], reader({}))).toMatch(/which is not a valid Application name/);
    // Every Helm chart sets app.kubernetes.io/instance: without an Application managing it, it blocks nothing.
    expect(await check([dep('web', { 'app.kubernetes.io/instance': 'web' })], reader({ web: new UpstreamError('down') }))).toBeUndefined();
    expect(await check([dep('web', { 'app.kubernetes.io/instance': 'web' })])).toBeUndefined();
  });

  it('reads each Application once however many Deployments name it', async () => {
    const argo = reader({});
    const labels = { 'argocd.argoproj.io/instance': 'gone' };
    expect(await check([dep('web', labels), dep('web-worker', labels)], argo)).toBeUndefined();
    expect(argo.asked).toEqual(['gone']);
  });
});
