import { HelmCli } from '../adapters/helm/helm-cli.ts';
import { normalizeRequest } from '../core/alerts/normalize.ts';
import { Deployer } from '../core/deploy/deployer.ts';
import type { AnomalyWatch, IncidentOpener } from '../core/deploy/ports.ts';
import { wiring } from '../wiring.ts';
import { alertPipeline } from './alerts.ts';
import { argoCd } from './argocd.ts';
import { clusterRegistry } from './clusters.ts';
import { metricsStore } from './metrics-store.ts';

import { deploymentStore } from './deployment-store.ts';

let built: { base: unknown; deployers: Map<string, Deployer> } | undefined;

export { deploymentStore };

const anomalyWatch: AnomalyWatch = {
  async anomaliesSince(clusterId, services, since) {
    const records = await metricsStore().listAnomalies({ clusterIds: [clusterId], status: 'anomaly', limit: 200 });
    return records.filter((r) => r.at >= since && services.includes(r.service)).map((r) => ({ service: r.service, severity: r.severity, at: r.at }));
  },
};

/** A failed deploy becomes an alert like any other: dedup, incident, RCA and notification follow. */
const incidentOpener: IncidentOpener = {
  async deploymentFailed(input) {
    const alert = normalizeRequest(
      {
        source: 'fleetops-deploy',
        cluster: input.cluster,
        namespace: input.namespace,
        service: input.release,
        type: 'DeploymentFailed',
        severity: 'high',
        message: `Deployment ${input.deploymentId} of ${input.release} failed on ${input.cluster} and was rolled back: ${input.reason}`.slice(0, 1000),
        labels: { deploymentId: input.deploymentId },
      } as never,
      new Date(input.at),
    );
    await alertPipeline().ingest([alert]);
  },
};

/**
 * The deployer for a workflow step. `role` picks what it carries: the steps need the kube client
 * and the alert pipeline; only the helm function runs helm. (The API's deployer: deploy-api.ts.)
 */
export function deployer(role: 'steps' | 'helm'): Deployer {
  const base = wiring();
  const store = deploymentStore();
  if (built?.base !== base) built = { base, deployers: new Map() };
  const cached = built.deployers.get(role);
  if (cached) return cached;
  const config = base.config;
  const helmBinary = config.FLEETOPS_HELM_PATH ?? (config.FLEETOPS_RUNTIME === 'local' ? () => localHelm() : '/opt/helm/helm');
  const made = new Deployer({
    store,
    clusters: clusterRegistry(),
    secrets: base.secrets,
    workflows: base.workflows,
    events: base.events,
    clock: base.clock,
    chartPolicy: { ...base.addressPolicy, allowLocalCharts: config.allowLocalCharts },
    ...(role === 'helm' ? { helm: new HelmCli({ binary: helmBinary, policy: base.addressPolicy }) } : {}),
    // Before helm runs, an Argo CD Application that claims the release is asked whether it really manages it.
    ...(role === 'helm' && argoCd() ? { argocd: argoCd() } : {}),
    ...(role === 'steps' ? { anomalies: anomalyWatch, incidents: incidentOpener } : {}),
  });
  built.deployers.set(role, made);
  return made;
}

/**
 * The local stack's helm (extracted from the layer zip). Read through the runtime's well-known
 * global key rather than by importing adapters/local, which must never be bundled into a Lambda.
 */
async function localHelm(): Promise<string> {
  const runtime = (globalThis as Record<symbol, { helmBinary?(): Promise<string> } | undefined>)[Symbol.for('fleetops.localRuntime')];
  if (!runtime?.helmBinary) throw new Error('The local runtime offers no helm binary (start it with `npm start`)');
  return runtime.helmBinary();
}
