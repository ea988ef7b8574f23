import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { deploymentIdFor } from './identity.ts';
import { touchesProd } from './prod-gate.ts';
import type { NewDeployment } from './deployer.ts';
import type { DeployTriggerSpec } from './triggers.ts';
import { withImage } from './values.ts';

export interface ManualRelease {
  release: string;
  /** The image tag to roll out. */
  version: string;
  /** Only this wave of the release's configured waves. */
  wave?: string;
  /** Who asked, and a stable request key (the same request gives the same deployment). */
  requestedBy: string;
  requestKey: string;
}

/**
 * `/fleet deploy <release> <version> [wave]`: the release's configured deploy trigger (chart,
 * namespace, values, waves) with the image tag set to `version`. Pure: the caller decides who may
 * deploy when `touchesProd` (a selected cluster is prod by `isProdCluster`: the `fleetops.io/production` label, else the environment name).
 */
export function manualDeployment(
  request: ManualRelease,
  triggers: (DeployTriggerSpec & { id: string })[],
  clusters: Pick<ClusterRecord, 'environment' | 'labels'>[],
): { deployment: NewDeployment; touchesProd: boolean } | { error: string } {
  const matching = triggers.filter((t) => t.release === request.release).sort((a, b) => a.id.localeCompare(b.id));
  if (matching.length === 0) return { error: `No deploy trigger configures release "${request.release}" (PUT /v1/deploy-triggers/{id}).` };
  if (matching.length > 1)
    return {
      error: `Release "${request.release}" has ${matching.length} deploy triggers (${matching.map((t) => t.id).join(', ')}); deploy it through the API.`,
    };
  const trigger = matching[0]!;
  const waves = request.wave ? trigger.waves.filter((w) => w.name === request.wave) : trigger.waves;
  if (waves.length === 0)
    return { error: `Release "${request.release}" has no wave "${request.wave}" (waves: ${trigger.waves.map((w) => w.name).join(', ')}).` };
  const current = (trigger.values ?? {}) as Record<string, unknown>;
  const image = trigger.imageValuesPath
    .split('.')
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), current) as
    { repository?: unknown } | undefined;
  const repository = typeof image?.repository === 'string' ? image.repository : trigger.repository;
  return {
    // Prod by what the waves would select today, not by how the selector is spelled.
    touchesProd: touchesProd(waves, clusters),
    deployment: {
      id: deploymentIdFor('slack', `${trigger.id}\n${request.version}\n${request.wave ?? ''}\n${request.requestKey}`),
      trigger: `slack:${request.requestedBy}`,
      release: trigger.release,
      namespace: trigger.namespace,
      chart: trigger.chart,
      values: withImage(current, trigger.imageValuesPath, { repository, tag: request.version }),
      waves,
      strategy: trigger.strategy,
    },
  };
}
