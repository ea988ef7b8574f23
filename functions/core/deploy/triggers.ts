import { deploymentIdFor } from './identity.ts';
import type { ChartSpec, DeployStrategy, WaveSpec } from './types.ts';
import { withImage } from './values.ts';

/** A configured mapping from image pushes to a release (stored in DynamoDB, managed through the API). */
export interface DeployTriggerSpec {
  repository: string;
  tagPrefix?: string;
  release: string;
  namespace: string;
  chart: ChartSpec;
  values?: Record<string, unknown>;
  imageValuesPath: string;
  waves: WaveSpec[];
  strategy: DeployStrategy;
}

export interface ImagePush {
  eventId: string;
  account: string;
  region: string;
  repository: string;
  tag: string;
}

export interface TriggeredDeployment {
  id: string;
  triggerId: string;
  trigger: string;
  release: string;
  namespace: string;
  chart: ChartSpec;
  values: Record<string, unknown>;
  waves: WaveSpec[];
  strategy: DeployStrategy;
}

/**
 * The deployments an image push starts: one per matching trigger, with the pushed image set in
 * the values. Ids come from the event id and the trigger, so a redelivered event starts nothing new.
 */
export function deploymentsForPush(push: ImagePush, triggers: (DeployTriggerSpec & { id: string })[]): TriggeredDeployment[] {
  return triggers
    .filter((t) => t.repository === push.repository && push.tag.startsWith(t.tagPrefix ?? ''))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((t) => ({
      id: deploymentIdFor('ecr', `${push.eventId}\n${t.id}`),
      triggerId: t.id,
      trigger: `ecr:${push.repository}:${push.tag}`,
      release: t.release,
      namespace: t.namespace,
      chart: t.chart,
      values: withImage(t.values ?? {}, t.imageValuesPath, {
        repository: `${push.account}.dkr.ecr.${push.region}.amazonaws.com/${push.repository}`,
        tag: push.tag,
      }),
      waves: t.waves,
      strategy: t.strategy,
    }));
}
