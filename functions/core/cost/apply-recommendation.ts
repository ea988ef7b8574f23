/**
 * Applying a right-sizing recommendation: the release fleetops deployed for the workload on that
 * cluster, deployed again to that cluster alone with the recommended requests and limits at the
 * chart's `resources` values path, through the same deploy request as `POST /v1/deployments` (prod
 * needs an approver). The values come from fleetops' own recommendation, recomputed now from the
 * stored evidence, and are checked against what that evidence says the container needs.
 */
import type { SecretStore } from '../platform/ports.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { valuesSecretName } from '../deploy/deployer.ts';
import { deploymentIdFor } from '../deploy/identity.ts';
import { matchesSelector } from '../deploy/selector.ts';
import type { DeploymentView } from '../deploy/store.ts';
import type { ClusterRecord, ClusterStore } from '../clusters/cluster-record.ts';
import type { DeploymentRecord } from '../deploy/types.ts';
import type { DeployStarter, FleetopsReleases } from './ports.ts';
import { shortfalls, type Resources } from './rightsizing.ts';
import type { CostService } from './service.ts';

/** Where the golden chart (core/catalog/golden-path.ts) takes a container's requests and limits: `toYaml .Values.resources`. */
export const RESOURCES_VALUES_PATH = 'resources';

export interface RecommendationApplierDeps {
  recommendations: Pick<CostService, 'recommendationById'>;
  deployments: FleetopsReleases;
  /** The stored values of fleetops' deployments (they may hold secrets). */
  secrets: Pick<SecretStore, 'get'>;
  deploys: DeployStarter;
  clusters: Pick<ClusterStore, 'get'>;
}

export interface AppliedRecommendation {
  deploymentId: string;
  created: boolean;
  release: string;
  namespace: string;
  cluster: string;
  resources: Resources;
}

const triggerOf = (recommendationId: string) => `rightsizing:${recommendationId}`;
const RUNNING_DEPLOYS_CHECKED = 50;

export class RecommendationApplier {
  readonly #deps: RecommendationApplierDeps;

  constructor(deps: RecommendationApplierDeps) {
    this.#deps = deps;
  }

  async apply(identity: Identity, id: string, reason?: string): Promise<AppliedRecommendation> {
    const found = await this.#deps.recommendations.recommendationById(id);
    if (found.state === 'unknown') throw new NotFoundError(`No recommendation ${id} today; GET /v1/recommendations lists the current ones`);
    const { recommendation: rec, clusterId } = found;
    const base = await this.#fleetopsRelease(clusterId, rec.namespace, rec.workload);
    const waves = [{ name: 'rightsizing', selector: { clusterIds: [clusterId] } }];
    const answer = (deploymentId: string, created: boolean, resources: Resources): AppliedRecommendation => ({
      deploymentId,
      created,
      release: base.record.release,
      namespace: base.record.namespace,
      cluster: rec.cluster,
      resources,
    });

    // Applied already, and that deploy is now the release's latest: the same deployment again (through the same gate).
    if (base.record.trigger === triggerOf(id)) {
      const again = await this.#deps.deploys.start(identity, { ...this.#sameRelease(base.record), id: base.record.id, trigger: base.record.trigger, waves });
      return answer(again.id, again.created, await this.#appliedResources(base.record.id, rec.recommended));
    }
    if (found.state === 'stale') {
      throw new ConflictError(
        `Recommendation ${id} is stale: newer evidence recommends ${rec.recommended.requests.cpu} CPU and ${rec.recommended.requests.memory} memory (${rec.id}); review and apply that one`,
        'RECOMMENDATION_STALE',
      );
    }
    if (found.containers.length > 1) {
      throw new ConflictError(
        `${rec.workload} runs ${found.containers.length} containers (${found.containers.join(', ')}), and the chart value ${RESOURCES_VALUES_PATH} sets one container's resources; change them where its chart exposes each container`,
        'MULTIPLE_CONTAINERS',
      );
    }
    const short = shortfalls(rec.recommended, found.need);
    if (short.length) throw new ConflictError(`Not applied: ${short.join('; ')} (evidence: ${rec.evidence.window})`, 'BELOW_OBSERVED_NEED');

    const deploymentId = deploymentIdFor('rightsizing', `${id}\n${base.record.id}`);
    const cluster = await this.#deps.clusters.get(clusterId);
    if (!cluster) throw new NotFoundError(`Cluster ${rec.cluster} of recommendation ${id} is no longer registered`);
    await this.#noOtherDeployRunning(deploymentId, base.record, cluster);
    const values = await this.#values(base.record.id);
    const started = await this.#deps.deploys.start(identity, {
      ...this.#sameRelease(base.record),
      id: deploymentId,
      trigger: triggerOf(id),
      values: withResources(values, rec.recommended),
      waves,
      ...(reason ? { reason } : {}),
    });
    return answer(started.id, started.created, rec.recommended);
  }

  #sameRelease(record: DeploymentRecord) {
    return { release: record.release, namespace: record.namespace, chart: record.chart, strategy: record.strategy };
  }

  /**
   * The deployment whose values the release runs with on that cluster: the newest that succeeded there,
   * or the one a failed deploy was rolled back to. A workload fleetops never deployed, or whose last
   * deploy failed without a rollback, is refused: its resources are managed somewhere else, or unknown.
   */
  async #fleetopsRelease(clusterId: string, namespace: string, workload: string): Promise<DeploymentView> {
    const history = await this.#deps.deployments.releaseHistory(clusterId, namespace, workload, 20);
    const latest = history[0];
    if (!latest) {
      throw new ConflictError(
        `${namespace}/${workload} was not deployed by fleetops on this cluster (no release ${workload} in its history): change its resources where it is managed (its GitOps repository, chart values or manifests)`,
        'NOT_DEPLOYED_BY_FLEETOPS',
      );
    }
    if (latest.outcome === 'FAILED') {
      throw new ConflictError(
        `The last deploy of release ${workload} (${latest.deploymentId}) failed on this cluster and was not rolled back: fix the release first`,
        'RELEASE_FAILED',
      );
    }
    const live =
      latest.outcome === 'SUCCEEDED' ? latest : history.find((h) => h.outcome === 'SUCCEEDED' && h.revision === latest.revision && latest.revision > 0);
    const view = live && (await this.#deps.deployments.get(live.deploymentId));
    if (!view) {
      throw new ConflictError(
        `Release ${workload} was rolled back to a revision fleetops has no record of: change its resources where it is managed, or deploy it again through fleetops first`,
        'NOT_DEPLOYED_BY_FLEETOPS',
      );
    }
    return view;
  }

  /** Another deploy of the same release that may reach the cluster would race this one (and could undo it). */
  async #noOtherDeployRunning(deploymentId: string, base: DeploymentRecord, cluster: ClusterRecord): Promise<void> {
    const running = await this.#deps.deployments.list({ status: 'RUNNING', limit: RUNNING_DEPLOYS_CHECKED });
    const other = running.find(
      (v) =>
        v.record.id !== deploymentId &&
        v.record.release === base.release &&
        v.record.namespace === base.namespace &&
        // Not planned yet: the clusters its waves would select.
        (v.waves.length === 0 ? v.record.waves.some((w) => matchesSelector(cluster, w.selector)) : v.clusters.some((c) => c.clusterId === cluster.id)),
    );
    if (other)
      throw new ConflictError(`Deployment ${other.record.id} of release ${base.release} is still running; apply once it has finished`, 'DEPLOY_IN_PROGRESS');
  }

  async #values(deploymentId: string): Promise<Record<string, unknown>> {
    const stored = await this.#deps.secrets.get(valuesSecretName(deploymentId));
    if (stored === undefined)
      throw new ConflictError(`The values of deployment ${deploymentId} are no longer stored; deploy the release again first`, 'VALUES_UNAVAILABLE');
    return JSON.parse(stored) as Record<string, unknown>;
  }

  /** What an applied deploy set (for the answer to a repeated request): its stored values, else the recommendation. */
  async #appliedResources(deploymentId: string, fallback: Resources): Promise<Resources> {
    const stored = await this.#deps.secrets.get(valuesSecretName(deploymentId));
    const resources = stored ? (JSON.parse(stored) as Record<string, unknown>)[RESOURCES_VALUES_PATH] : undefined;
    return resources && typeof resources === 'object' ? (resources as Resources) : fallback;
  }
}

/** A copy of `values` with the recommended requests and limits at `resources` (limits it does not recommend are kept). */
export function withResources(values: Record<string, unknown>, recommended: Resources): Record<string, unknown> {
  const out = structuredClone(values);
  const current = out[RESOURCES_VALUES_PATH];
  const resources = current && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
  const part = (key: 'requests' | 'limits') => {
    const v = resources[key];
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  };
  out[RESOURCES_VALUES_PATH] = {
    ...resources,
    requests: { ...part('requests'), ...recommended.requests },
    limits: { ...part('limits'), ...recommended.limits },
  };
  return out;
}
