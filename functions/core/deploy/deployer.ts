import type { ClusterRecord } from '../clusters/cluster-record.ts';
import type { Clock, EventPublisher, SecretStore, WorkflowStarter } from '../platform/ports.ts';
import { deployRefusal } from '../clusters/permissions.ts';
import { NotFoundError, UnprocessableError } from '../errors.ts';
import { chartLabel, checkChart, type ChartPolicy } from './chart.ts';
import { gitOpsRefusal } from './gitops-guard.ts';
import type { AnomalyWatch, ArgoCdReader, ClusterAccess, HelmClient, IncidentOpener } from './ports.ts';
import { evaluateRollout, releaseDeployments, rolloutDecision } from './rollout.ts';
import { planWaves } from './selector.ts';
import type { DeploymentStore, DeploymentView } from './store.ts';
import type { ChartSpec, ClusterDeployRecord, DeploymentRecord, DeployStrategy, WaveSpec } from './types.ts';
import { checkValues } from './values.ts';
import { valuesHash } from './identity.ts';

export const DEPLOY_WORKFLOW = 'deploy';
export const valuesSecretName = (deploymentId: string) => `deployments/${deploymentId}/values`;

export interface DeployerDeps {
  store: DeploymentStore;
  /** Every step but `create` reaches clusters. */
  clusters?: ClusterAccess;
  secrets: SecretStore;
  workflows: WorkflowStarter;
  events: EventPublisher;
  clock: Clock;
  chartPolicy: ChartPolicy;
  /** Only the helm function has these. */
  helm?: HelmClient;
  anomalies?: AnomalyWatch;
  incidents?: IncidentOpener;
  /** Verifies that an Argo CD Application manages a release before its deploy is refused (gitops-guard.ts). */
  argocd?: ArgoCdReader;
}

export interface NewDeployment {
  id: string;
  trigger: string;
  release: string;
  namespace: string;
  chart: ChartSpec;
  values?: Record<string, unknown>;
  waves: WaveSpec[];
  strategy: DeployStrategy;
  /** The request's hash, when the id came from an Idempotency-Key: the same key with another body is refused (422). */
  requestHash?: string;
  /** Who asked through the API (the verified identity's subject), and why. */
  requestedBy?: string;
  reason?: string;
}

/** What a Map iteration carries for one cluster. */
export interface ClusterStep {
  deploymentId: string;
  waveIndex: number;
  clusterId: string;
}

export interface AppliedStep extends ClusterStep {
  outcome: 'applied' | 'failed';
  revision?: number;
  appliedAt?: string;
  /** Epoch ms by which the rollout must be ready. */
  deadline?: number;
  reason?: string;
}

const ROLLBACK_TIMEOUT_SECONDS = 120;

/**
 * Drives one deployment through deploy.asl.json. Every step reads the stored state first, so a
 * retried or replayed step repeats nothing that already happened (no second helm upgrade, no
 * second incident).
 */
export class Deployer {
  private readonly deps: DeployerDeps;

  constructor(deps: DeployerDeps) {
    this.deps = deps;
  }

  /** Records the deployment (once per id) and starts its workflow (the execution name is the id). */
  async create(input: NewDeployment): Promise<{ id: string; created: boolean }> {
    const chart = checkChart(input.chart, this.deps.chartPolicy);
    const values = checkValues(input.values);
    const now = this.deps.clock.now().toISOString();
    const existing = await this.deps.store.get(input.id);
    this.sameRequest(existing?.record, input);
    let created = false;
    if (!existing) {
      // Values may hold secrets: they live in the secret store, the record keeps their hash.
      await this.deps.secrets.put(valuesSecretName(input.id), JSON.stringify(values));
      const record: DeploymentRecord = {
        id: input.id,
        status: 'RUNNING',
        trigger: input.trigger,
        release: input.release,
        namespace: input.namespace,
        chart,
        waves: input.waves,
        strategy: input.strategy,
        valuesHash: valuesHash(values),
        ...(input.requestHash ? { requestHash: input.requestHash } : {}),
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        createdAt: now,
        updatedAt: now,
      };
      created = await this.deps.store.create(record);
      // Lost a race with another request under the same key: it must have been the same request.
      if (!created) this.sameRequest((await this.deps.store.get(input.id))?.record, input);
    }
    await this.deps.workflows.start(DEPLOY_WORKFLOW, { deploymentId: input.id }, input.id);
    return { id: input.id, created };
  }

  private sameRequest(existing: DeploymentRecord | undefined, input: NewDeployment): void {
    if (existing?.requestHash && input.requestHash && existing.requestHash !== input.requestHash) {
      throw new UnprocessableError(
        'This Idempotency-Key was already used with a different request body; use a new key for a new deployment.',
        'IDEMPOTENCY_KEY_REUSED',
      );
    }
  }

  async view(id: string): Promise<DeploymentView> {
    const view = await this.deps.store.get(id);
    if (!view) throw new NotFoundError(`Deployment ${id} not found`);
    return view;
  }

  /** First step: the clusters of each wave, chosen once. */
  async plan(deploymentId: string): Promise<{ deploymentId: string; waveIndex: number; waveCount: number; maxConcurrency: number }> {
    const { record } = await this.view(deploymentId);
    const clusters = (await this.clusters().list()).filter((c) => c.status === 'active');
    const planned = planWaves(record.waves, clusters).map((w, index) => ({ index, name: w.name, status: 'PENDING' as const, clusters: w.clusters }));
    const waves = await this.deps.store.savePlan(deploymentId, planned);
    return { deploymentId, waveIndex: 0, waveCount: waves.length, maxConcurrency: record.strategy.maxConcurrency };
  }

  async startWave(deploymentId: string, waveIndex: number): Promise<{ clusters: ClusterStep[] }> {
    const view = await this.view(deploymentId);
    const wave = view.waves[waveIndex];
    if (wave.status === 'PENDING') await this.deps.store.setWaveStatus(deploymentId, waveIndex, 'RUNNING');
    return { clusters: wave.clusters.map((c) => ({ deploymentId, waveIndex, clusterId: c.clusterId })) };
  }

  /** helm upgrade --install on one cluster (the x86-64 function with the helm layer). */
  async apply(step: ClusterStep): Promise<AppliedStep> {
    const helm = this.require(this.deps.helm, 'helm');
    const { record, current } = await this.clusterState(step);
    if (current.revision !== undefined) return this.appliedResult(step, record, current);
    if (current.status !== 'PENDING' && current.status !== 'DEPLOYING') return { ...step, outcome: 'failed', reason: current.message ?? current.status };

    const cluster = await this.clusters().get(step.clusterId);
    // The recorded SelfSubjectRulesReview says no (refused with how to grant it), or Argo CD / Flux manages the release:
    // refused before helm half-installs or silently overrides it.
    const refusal = deployRefusal(cluster, record.namespace) ?? (await this.gitOpsRefusal(cluster, record));
    if (refusal) {
      await this.failCluster(step, record, refusal, undefined);
      return { ...step, outcome: 'failed', reason: refusal };
    }
    const now = this.deps.clock.now().toISOString();
    await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, { status: 'DEPLOYING', updatedAt: now });
    const values = JSON.parse((await this.deps.secrets.get(valuesSecretName(step.deploymentId))) ?? '{}') as Record<string, unknown>;
    try {
      const result = await helm.upgrade({
        creds: await this.clusters().credentials(cluster),
        release: record.release,
        namespace: record.namespace,
        chart: record.chart,
        values,
        timeoutSeconds: record.strategy.rolloutTimeoutSeconds,
      });
      const appliedAt = this.deps.clock.now().toISOString();
      const changes = { status: 'DEPLOYING' as const, revision: result.revision, previousRevision: result.previousRevision, appliedAt, updatedAt: appliedAt };
      await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, changes);
      const applied: ClusterDeployRecord = { ...current, ...changes };
      return this.appliedResult(step, record, applied);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.failCluster(step, record, reason, undefined);
      return { ...step, outcome: 'failed', reason };
    }
  }

  /** Rollout gate: ready (then verify), still progressing, or failed (stuck pods, deadline). */
  async checkRollout(step: AppliedStep): Promise<AppliedStep & { state: 'ready' | 'progressing' | 'failed'; verifyUntil?: number }> {
    const { record, current } = await this.clusterState(step);
    if (current.status === 'FAILED' || current.status === 'ROLLED_BACK') return { ...step, state: 'failed', reason: current.message };
    const verdict = rolloutDecision(
      await this.rolloutVerdict(step.clusterId, record.namespace, record.release),
      this.deps.clock.now().getTime(),
      step.deadline ?? 0,
    );
    if (verdict.state === 'failed') {
      await this.failCluster(step, record, verdict.reason, current.revision);
      return { ...step, state: 'failed', reason: verdict.reason };
    }
    if (verdict.state === 'progressing') return { ...step, state: 'progressing', reason: verdict.reason };
    const now = this.deps.clock.now();
    await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, { status: 'VERIFYING', updatedAt: now.toISOString() });
    return { ...step, state: 'ready', verifyUntil: now.getTime() + record.strategy.verifySeconds * 1000 };
  }

  /** Watches the release for verifySeconds: pods stay healthy and no anomaly is detected on its services. */
  async verify(step: AppliedStep & { verifyUntil: number }): Promise<AppliedStep & { state: 'verifying' | 'healthy' | 'failed'; verifyUntil: number }> {
    const { record, current } = await this.clusterState(step);
    if (current.status === 'SUCCEEDED') return { ...step, state: 'healthy' };
    if (current.status !== 'VERIFYING') return { ...step, state: 'failed', reason: current.message ?? current.status };
    const cluster = await this.clusters().get(step.clusterId);
    const client = await this.clusters().client(cluster);
    const deployments = releaseDeployments(await client.listDeployments(record.namespace), record.release);
    const verdict = evaluateRollout(deployments, await client.listPods(record.namespace));
    let problem = verdict.state === 'failed' ? verdict.reason : undefined;
    if (!problem && this.deps.anomalies && step.appliedAt) {
      const services = deployments.map((d) => d.metadata?.name ?? '').filter(Boolean);
      const found = await this.deps.anomalies.anomaliesSince(step.clusterId, services, step.appliedAt);
      if (found.length) problem = `anomaly on ${found[0].service} (${found[0].severity}) since the rollout`;
    }
    if (problem) {
      await this.failCluster(step, record, problem, current.revision);
      return { ...step, state: 'failed', reason: problem };
    }
    if (this.deps.clock.now().getTime() < step.verifyUntil) return { ...step, state: 'verifying' };
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, { status: 'SUCCEEDED', updatedAt: at });
    await this.history(step, record, current.revision ?? 0, 'SUCCEEDED', at);
    return { ...step, state: 'healthy' };
  }

  /** A step that threw after its retries: the cluster counts as failed. */
  async markFailed(step: ClusterStep, reason: string): Promise<void> {
    const { record, current } = await this.clusterState(step);
    if (current.status === 'SUCCEEDED' || current.status === 'FAILED' || current.status === 'ROLLED_BACK') return;
    await this.failCluster(step, record, reason, current.revision);
  }

  /**
   * After the Map: every cluster healthy → next wave (or done); otherwise roll this wave back. A wave
   * with no cluster (all it selected were unreachable, or none matched) proved nothing: it fails its
   * gate, so the next wave (prod) never starts on the strength of an empty one.
   */
  async finishWave(deploymentId: string, waveIndex: number): Promise<{ next: 'wave' | 'done' | 'rollback'; waveIndex: number; rollback: ClusterStep[] }> {
    const view = await this.view(deploymentId);
    const clusters = view.clusters.filter((c) => c.waveIndex === waveIndex);
    if (clusters.length > 0 && clusters.every((c) => c.status === 'SUCCEEDED')) {
      await this.deps.store.setWaveStatus(deploymentId, waveIndex, 'SUCCEEDED');
      const last = waveIndex + 1 >= view.waves.length;
      if (last) await this.finish(view, 'SUCCEEDED');
      return { next: last ? 'done' : 'wave', waveIndex: waveIndex + 1, rollback: [] };
    }
    await this.deps.store.setWaveStatus(deploymentId, waveIndex, 'FAILED');
    // The whole wave goes back, healthy clusters included: a wave is one unit of change.
    const rollback = clusters
      .filter((c) => c.revision !== undefined && c.status !== 'ROLLED_BACK')
      .map((c) => ({ deploymentId, waveIndex, clusterId: c.clusterId }));
    return { next: 'rollback', waveIndex, rollback };
  }

  /** helm rollback on one cluster of the failed wave (the helm function). */
  async rollback(step: ClusterStep): Promise<{ clusterId: string; rolledBack: boolean; reason?: string }> {
    const helm = this.require(this.deps.helm, 'helm');
    const { record, current } = await this.clusterState(step);
    if (current.status === 'ROLLED_BACK') return { clusterId: step.clusterId, rolledBack: true };
    if (current.revision === undefined) return { clusterId: step.clusterId, rolledBack: false, reason: 'nothing was applied' };
    const cluster = await this.clusters().get(step.clusterId);
    await helm.rollback({
      creds: await this.clusters().credentials(cluster),
      release: record.release,
      namespace: record.namespace,
      revision: current.previousRevision ?? 0,
      timeoutSeconds: ROLLBACK_TIMEOUT_SECONDS,
    });
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, { status: 'ROLLED_BACK', updatedAt: at });
    await this.history(step, record, current.previousRevision ?? 0, 'ROLLED_BACK', at);
    return { clusterId: step.clusterId, rolledBack: true };
  }

  /** The failed wave is rolled back: later waves never start; one incident and one notification. */
  async failDeployment(deploymentId: string, waveIndex: number): Promise<{ status: 'FAILED'; message: string }> {
    const view = await this.view(deploymentId);
    await this.deps.store.setWaveStatus(deploymentId, waveIndex, 'ROLLED_BACK');
    for (const wave of view.waves.slice(waveIndex + 1)) {
      if (wave.status === 'PENDING') await this.deps.store.setWaveStatus(deploymentId, wave.index, 'SKIPPED');
    }
    const failed = view.clusters.filter((c) => c.waveIndex === waveIndex && c.message);
    const empty = !view.clusters.some((c) => c.waveIndex === waveIndex);
    const message = empty
      ? `wave ${view.waves[waveIndex].name} failed: it has no reachable cluster, so its health gate cannot pass; later waves were not started`
      : `wave ${view.waves[waveIndex].name} failed and was rolled back: ${failed.map((c) => `${c.cluster}: ${c.message}`).join('; ') || 'a cluster did not become healthy'}`;
    await this.finish(view, 'FAILED', message);
    if (await this.deps.store.claimFailureReport(deploymentId)) {
      const at = this.deps.clock.now().toISOString();
      for (const c of failed.length ? failed : view.clusters.filter((x) => x.waveIndex === waveIndex)) {
        await this.deps.incidents?.deploymentFailed({
          deploymentId,
          cluster: c.cluster,
          namespace: view.record.namespace,
          release: view.record.release,
          reason: c.message ?? message,
          at,
        });
      }
    }
    return { status: 'FAILED', message };
  }

  private async finish(view: DeploymentView, status: 'SUCCEEDED' | 'FAILED', message?: string): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.setStatus(view.record.id, status, at, message);
    await this.deps.events.publish([
      {
        source: 'fleetops.deploy',
        detailType: status === 'SUCCEEDED' ? 'DeploymentSucceeded' : 'DeploymentFailed',
        id: `${view.record.id}-${status}`,
        detail: {
          deploymentId: view.record.id,
          release: view.record.release,
          namespace: view.record.namespace,
          trigger: view.record.trigger,
          status,
          ...(message ? { message } : {}),
          at,
        },
      },
    ]);
  }

  /** Argo CD or Flux manages the release here: helm must not change it behind their back. */
  private async gitOpsRefusal(cluster: ClusterRecord, record: DeploymentRecord): Promise<string | undefined> {
    const where = { release: record.release, namespace: record.namespace, cluster: { name: cluster.name, server: cluster.server } };
    try {
      const deployments = await (await this.clusters().client(cluster)).listDeployments(record.namespace);
      return await gitOpsRefusal({ ...where, deployments, ...(this.deps.argocd ? { argocd: this.deps.argocd } : {}) });
    } catch (error) {
      return `could not check whether GitOps manages ${record.release} on ${cluster.name} (${(error as Error).message.slice(0, 200)}), so helm did not run`;
    }
  }

  private async rolloutVerdict(clusterId: string, namespace: string, release: string) {
    const cluster = await this.clusters().get(clusterId);
    const client = await this.clusters().client(cluster);
    const deployments = releaseDeployments(await client.listDeployments(namespace), release);
    return evaluateRollout(deployments, await client.listPods(namespace));
  }

  private appliedResult(step: ClusterStep, record: DeploymentRecord, current: ClusterDeployRecord): AppliedStep {
    const appliedAt = current.appliedAt ?? current.updatedAt;
    return {
      ...step,
      outcome: 'applied',
      revision: current.revision,
      appliedAt,
      deadline: Date.parse(appliedAt) + record.strategy.rolloutTimeoutSeconds * 1000,
    };
  }

  private async failCluster(step: ClusterStep, record: DeploymentRecord, reason: string, revision: number | undefined): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.setClusterStatus(step.deploymentId, step.waveIndex, step.clusterId, {
      status: 'FAILED',
      message: reason.slice(0, 500),
      updatedAt: at,
    });
    if (revision !== undefined) await this.history(step, record, revision, 'FAILED', at);
  }

  private async history(
    step: ClusterStep,
    record: DeploymentRecord,
    revision: number,
    outcome: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK',
    at: string,
  ): Promise<void> {
    await this.deps.store.appendHistory({
      clusterId: step.clusterId,
      namespace: record.namespace,
      release: record.release,
      deploymentId: record.id,
      revision,
      valuesHash: record.valuesHash,
      chart: chartLabel(record.chart),
      trigger: record.trigger,
      outcome,
      at,
    });
  }

  private async clusterState(step: ClusterStep): Promise<{ record: DeploymentRecord; current: ClusterDeployRecord }> {
    const view = await this.view(step.deploymentId);
    const current = view.clusters.find((c) => c.waveIndex === step.waveIndex && c.clusterId === step.clusterId);
    if (!current) throw new NotFoundError(`Deployment ${step.deploymentId} has no cluster ${step.clusterId} in wave ${step.waveIndex}`);
    return { record: view.record, current };
  }

  private clusters(): ClusterAccess {
    return this.require(this.deps.clusters, 'cluster access');
  }

  private require<T>(value: T | undefined, what: string): T {
    if (!value) throw new Error(`This function has no ${what}`);
    return value;
  }
}
