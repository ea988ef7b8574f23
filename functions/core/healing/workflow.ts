/**
 * The steps of state-machines/healing.asl.json. Each step loads the record, does one thing, writes
 * its audit entry (append-only, one per step) and returns what the next Choice needs. Steps are
 * safe to run twice: the handler wraps them in Powertools idempotency, and the writes are
 * conditional besides.
 */
import { createHash } from 'node:crypto';
import { ACTIONS } from '../slack/actions.ts';
import type { Clock, EventPublisher, NotificationAction, NotificationMessage, Notifier } from '../platform/ports.ts';
import { NotFoundError } from '../errors.ts';
import { argoAppRef, argoRefOf, argoRollback, describeArgoRollback, describeArgoUndo } from './argocd.ts';
import { describeOwner, gitOpsOwner } from './gitops.ts';
import { policyFor, type HealingPolicyConfig, type ServicePolicy } from './policy.ts';
import type { ArgoCdTarget, DependencyGraph, HealingCluster, HealingStore, IncidentEscalation, IncidentHealingLinks, OpenIncidents } from './ports.ts';
import { maxSeverity, preflight } from './safety.ts';
import { hasRole, ROLES, type Role } from '../identity/identity.ts';
import { decide } from './strategies.ts';
import {
  FINAL_STATUSES,
  ISSUE_TYPES,
  SEVERITIES,
  type ActionKind,
  type ActionPlan,
  type ArgoRollbackPlan,
  type AuditEntry,
  type GitOpsOwner,
  type HealingRecord,
  type HealingRequest,
  type IssueType,
  type Severity,
  type Snapshot,
  type WorkloadState,
} from './types.ts';
import { symptomName, symptomScore, verdict } from './verify.ts';
import { isHealable, strategyForPlan, type ActContext } from './strategies/index.ts';
import { readyPods } from './strategies/common.ts';
import { HealingRequests } from './requests.ts';

export interface HealingSettings {
  policy: HealingPolicyConfig;
  /** FLEETOPS_HEALING_DISABLED: the configuration half of the kill switch. */
  disabled: boolean;
  verifyWaitSeconds: number;
}

export interface HealingDeps {
  store: HealingStore;
  cluster: HealingCluster;
  incidents: IncidentHealingLinks;
  escalation?: IncidentEscalation;
  graph: DependencyGraph;
  /** The service's unresolved incidents (the severity floor); unset: none are known. */
  openIncidents?: OpenIncidents;
  notifiers: Notifier[];
  events: EventPublisher;
  clock: Clock;
  settings: HealingSettings;
  workflows?: { start(workflow: string, input: unknown, name?: string): Promise<{ executionId: string }> };
  /** The Argo CD instance rollbacks of Argo-managed workloads go through; unset: those are proposed. */
  argocd?: ArgoCdTarget;
}

/** What the state machine's Choice states read. */
export interface WorkflowHeader {
  healingId: string;
  duplicate: boolean;
  policy: { verifyWaitSeconds: number; approvalTimeoutSeconds: number };
}

const SOURCE = 'fleetops.healing';
export const SYSTEM_ACTOR = 'fleetops';

/** Why a manual RCA's healing is only proposed when the service has no open incident. */
export const MANUAL_RCA_PROPOSAL = 'a manual RCA of a service with no open incident may propose an action, never take it without approval';

/**
 * Why an API request by someone below approver is only proposed when the service has no open
 * incident: nothing shows it failing, so the caller's choice of action and target is not evidence.
 */
export const OPERATOR_REQUEST_PROPOSAL =
  'requested below the approver role for a service with no open incident: nothing shows it failing, so the action is proposed, not taken without approval';

const belowApprover = (record: Pick<HealingRecord, 'trigger' | 'requestedByRole'>): boolean =>
  record.trigger === 'api' &&
  record.requestedByRole !== undefined &&
  !hasRole({ role: (ROLES as readonly string[]).includes(record.requestedByRole) ? (record.requestedByRole as Role) : null }, 'approver');

/** RCA-triggered runs get an id derived from the RCA, so a redelivered event finds its run. */
export function healingIdForRca(rcaId: string, issueType: string): string {
  return `heal-${createHash('sha256').update(`${rcaId}\n${issueType}`).digest('hex').slice(0, 24)}`;
}

/** Parses an `RcaCompleted` event (as EventBridge hands it to Step Functions) into a request. */
export function requestFromRcaEvent(event: unknown): (HealingRequest & { rcaId: string }) | undefined {
  const detail = (event as { detail?: Record<string, unknown> } | undefined)?.detail;
  if (!detail || typeof detail !== 'object') return undefined;
  const str = (v: unknown, max = 300) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
  const rcaId = str(detail.rcaId);
  const clusterId = str(detail.clusterId);
  const namespace = str(detail.namespace, 63);
  const service = str(detail.service, 253);
  const issueType = str(detail.issueType) as IssueType | undefined;
  const severity = str(detail.severity) as Severity | undefined;
  if (!rcaId || !clusterId || !namespace || !service || !issueType || !ISSUE_TYPES.includes(issueType)) return undefined;
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const deploymentOf = (resource: unknown) =>
    typeof resource === 'string' ? /^deployment\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/.exec(resource)?.[1] : undefined;
  const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
  // What the rules decided (core/rca/complete.ts healingAuthority): the target and the hints strategies read.
  const healing = obj(detail.healing);
  let target: string;
  let proposal: string | undefined;
  let topCause = obj(detail.topCause) as NonNullable<HealingRequest['hints']>['topCause'];
  let recentRollout = obj(detail.recentRollout) as NonNullable<HealingRequest['hints']>['recentRollout'];
  if (healing && typeof healing.target === 'string' && NAME.test(healing.target)) {
    target = healing.target;
    proposal = str(healing.proposal, 1000);
    topCause = obj(healing.topCause) as typeof topCause;
    recentRollout = obj(healing.recentRollout) as typeof recentRollout;
  } else {
    // No rules decision in the event: a failing dependency named as the top cause may be healed, but only with approval.
    const causeDeployment = deploymentOf(topCause?.resource);
    target = causeDeployment ?? service;
    if (causeDeployment && causeDeployment !== service)
      proposal = `the target ${causeDeployment} comes from an RcaCompleted event without the rules' decision: proposed, not acted on alone`;
  }
  return {
    rcaId,
    clusterId,
    namespace,
    service: target,
    issueType,
    severity: severity && SEVERITIES.includes(severity) ? severity : 'medium',
    incidentId: str(detail.incidentId),
    trigger: 'rca',
    requestedBy: `rca:${rcaId}`,
    ...(proposal ? { proposal } : {}),
    hints: { rcaId, ...(topCause ? { topCause } : {}), ...(recentRollout ? { recentRollout } : {}) },
  };
}

export class HealingSteps {
  readonly #d: HealingDeps;

  constructor(deps: HealingDeps) {
    this.#d = deps;
  }

  policyOf(record: Pick<HealingRecord, 'cluster' | 'namespace' | 'service'>): ServicePolicy {
    return policyFor(this.#d.settings.policy, record);
  }

  /** Creates the record (conditional), links it to the incident, audits; false when it existed. */
  create(id: string, request: HealingRequest): Promise<{ record: HealingRecord; created: boolean }> {
    return new HealingRequests({ ...this.#d, clusterName: (clusterId) => this.#d.cluster.clusterName(clusterId) }).create(id, request);
  }

  /** First state: an `RcaCompleted` event or `{healingId}` from the API. */
  async begin(input: unknown): Promise<WorkflowHeader> {
    const direct = (input as { healingId?: unknown } | undefined)?.healingId;
    let id: string;
    let duplicate = false;
    if (typeof direct === 'string') {
      id = direct;
    } else {
      const request = requestFromRcaEvent(input);
      if (!request || !isHealable(request.issueType)) throw new Error('Not a healable RcaCompleted event');
      id = healingIdForRca(request.rcaId, request.issueType);
      // A redelivered event finds the run its first delivery started: this execution stops here.
      duplicate = !(await this.create(id, request)).created;
    }
    const record = await this.#load(id);
    const policy = this.policyOf(record);
    return {
      healingId: id,
      duplicate,
      policy: { verifyWaitSeconds: this.#d.settings.verifyWaitSeconds, approvalTimeoutSeconds: policy.approvalTimeoutSeconds },
    };
  }

  async safety(id: string): Promise<{ outcome: 'continue' | 'skip'; approval: boolean }> {
    const record = await this.#load(id);
    const gate = await this.#gates(record);
    if (!gate.ok) {
      await this.#finish(record, { status: 'SKIPPED', reason: gate.reason });
      await this.#audit(id, 'safety', SYSTEM_ACTOR, 'safety check', 'skipped', { after: { reason: gate.reason } });
      return { outcome: 'skip', approval: false };
    }
    const { severity, floor, proposal, approval, ceiling, dependents, note } = gate;
    await this.#d.store.update(id, {
      approvalRequired: approval,
      severity,
      ...(floor ? { severityFloor: floor } : {}),
      ...(proposal ? { proposal } : {}),
      updatedAt: this.#now(),
      ...(note ? { reason: note } : {}),
    });
    await this.#audit(id, 'safety', SYSTEM_ACTOR, 'safety check', 'passed', {
      after: {
        ceiling,
        approvalRequired: approval,
        dependents,
        ...(severity !== record.severity ? { severity, raisedFrom: record.severity, incidentId: floor?.incidentId } : {}),
        ...(proposal ? { proposal } : {}),
      },
    });
    return { outcome: 'continue', approval };
  }

  /**
   * The gates, read afresh: kill switch (configuration and flag), freeze windows, cool-down, and the
   * severity (never lower than the service's open incident's) against the automatic ceiling. A run
   * without the authority to act alone (a manual RCA with no open incident, a model's choice outside
   * the rules) needs approval whatever the severity. Used before planning and again at the moment of acting.
   */
  async #gates(record: HealingRecord): Promise<
    | { ok: false; reason: string }
    | {
        ok: true;
        severity: Severity;
        floor?: { severity: Severity; incidentId: string };
        proposal?: string;
        approval: boolean;
        ceiling: string;
        dependents: string[];
        note?: string;
      }
  > {
    // A cluster whose account may not heal (read-only grant) is refused before any plan or write, with how to grant it.
    const refusal = await this.#d.cluster.permissionRefusal?.(record.clusterId);
    if (refusal) return { ok: false, reason: refusal };
    const policy = this.policyOf(record);
    const state = await this.#d.store.safetyState(keysOf(record));
    const dependents = await this.#d.graph.criticalDependents(record);
    const open = this.#d.openIncidents ? await this.#d.openIncidents.openIncident(record) : undefined;
    const severity = maxSeverity(record.severity, open?.severity);
    const floor = open && severity === open.severity && severity !== record.severity ? { severity, incidentId: open.id } : record.severityFloor;
    const proposal =
      record.proposal ??
      (!open && !record.incidentId && record.trigger === 'rca' ? MANUAL_RCA_PROPOSAL : undefined) ??
      (!open && belowApprover(record) ? OPERATOR_REQUEST_PROPOSAL : undefined);
    const result = preflight({
      now: this.#d.clock.now(),
      severity,
      policy,
      killSwitch: { config: this.#d.settings.disabled, flag: state.killSwitch },
      freezeWindows: this.#d.settings.policy.freezeWindows ?? [],
      ...(state.cooldownUntil ? { cooldownUntil: state.cooldownUntil } : {}),
      dependents,
    });
    if (!result.ok) return result;
    return {
      ok: true,
      severity,
      ...(floor ? { floor } : {}),
      ...(proposal ? { proposal } : {}),
      approval: result.approval || !!proposal,
      ceiling: result.ceiling,
      dependents,
      ...(result.note ? { note: result.note } : {}),
    };
  }

  async decide(id: string): Promise<{ kind: 'action' | 'final'; approval: boolean }> {
    const record = await this.#load(id);
    const policy = this.policyOf(record);
    const state = await this.#d.cluster.workload(record.clusterId, record.namespace, record.service);
    const decision = decide({ ...record, hints: record.hints }, state, policy, this.#d.clock.now(), await this.#seenFailing(record));
    if (decision.kind === 'handover') {
      await this.#finish(record, {
        status: 'SKIPPED',
        action: 'manual_handover',
        reason: `manual hand-over: ${decision.summary}`,
        suggestions: decision.suggestions,
      });
      await this.#audit(id, 'decide', SYSTEM_ACTOR, 'choose action', 'manual hand-over', {
        after: { summary: decision.summary, suggestions: decision.suggestions },
      });
      return { kind: 'final', approval: false };
    }
    const action = decision.action.kind as ActionKind;
    const owner = gitOpsOwner(state.labels, state.annotations);
    let plan: ActionPlan = decision.action;
    let summary = decision.summary;
    if (owner) {
      const through = await this.#throughArgoCd(record, owner, decision.action);
      if (!through.ok) {
        const why = through.why ? `${through.why}; ` : '';
        const reason = `managed by ${describeOwner(owner)}: proposed "${decision.summary}" instead of patching it behind ${owner.tool === 'argocd' ? 'Argo CD' : 'Flux'}'s back; ${why}apply it through Git`;
        await this.#finish(record, { status: 'SKIPPED', action, reason, plan: decision.action, gitOps: owner });
        await this.#audit(id, 'decide', SYSTEM_ACTOR, 'choose action', 'proposed (GitOps)', {
          after: { plan: decision.action, gitOps: owner, ...(through.why ? { why: through.why } : {}) },
        });
        return { kind: 'final', approval: false };
      }
      plan = through.plan;
      summary = `Roll ${through.plan.deployment} back through Argo CD application ${owner.app} to history id ${through.plan.argocd.historyId} (revision ${through.plan.argocd.revision}), instead of patching it behind Argo CD's back`;
    }
    const gitOps = owner ? { gitOps: owner } : {};
    if (record.dryRun) {
      const untouched = owner ? 'the cluster was not changed and Argo CD was not called' : 'the cluster was not changed';
      await this.#finish(record, { status: 'SKIPPED', action, reason: `dry run: would ${lowerFirst(summary)}; ${untouched}`, plan, ...gitOps });
      await this.#audit(id, 'decide', SYSTEM_ACTOR, 'choose action', 'dry run', { after: { plan, ...gitOps } });
      return { kind: 'final', approval: false };
    }
    // A strategy may want a person whatever the severity (a memory-limit change): the plan is proposed.
    const approval = (record.approvalRequired ?? false) || !!decision.approval;
    const proposal = decision.approval ? { proposal: [record.proposal, decision.approval].filter(Boolean).join('; ') } : {};
    await this.#d.store.update(id, { action, plan, reason: summary, ...gitOps, ...proposal, approvalRequired: approval, updatedAt: this.#now() });
    await this.#audit(id, 'decide', SYSTEM_ACTOR, 'choose action', 'planned', {
      after: { plan, ...gitOps, ...(decision.approval ? { approvalRequired: true, why: decision.approval } : {}) },
    });
    return { kind: 'action', approval };
  }

  /**
   * A rollback of an Argo-managed workload goes through Argo CD when an instance covering the
   * cluster is configured and can do it; otherwise (`why` says why, when it is not just "no target")
   * the change is proposed.
   */
  async #throughArgoCd(
    record: HealingRecord,
    owner: GitOpsOwner,
    action: ActionPlan,
  ): Promise<{ ok: true; plan: Extract<ActionPlan, { kind: 'rollback' }> & { argocd: ArgoRollbackPlan } } | { ok: false; why?: string }> {
    const argocd = this.#d.argocd;
    if (owner.tool !== 'argocd' || action.kind !== 'rollback' || !argocd?.covers(record.cluster)) return { ok: false };
    const ref = argoAppRef(owner.app);
    if (!ref) return { ok: false, why: `${JSON.stringify(owner.app.slice(0, 100))} is not an Argo CD application name` };
    let app;
    try {
      app = await argocd.application(ref);
    } catch (error) {
      return { ok: false, why: `Argo CD application ${owner.app} could not be read (${(error as Error).message.slice(0, 200)})` };
    }
    const server = await this.#d.cluster.clusterServer?.(record.clusterId);
    const decision = argoRollback(app, {
      namespace: record.namespace,
      deployment: action.deployment,
      cluster: { name: record.cluster, ...(server ? { server } : {}) },
      ...(argocd.inCluster ? { inCluster: argocd.inCluster } : {}),
    });
    if (!decision.ok) return { ok: false, why: decision.reason };
    // The application is the one we asked for, whatever the answer calls itself.
    const { appNamespace: _ignored, ...plan } = decision.plan;
    return { ok: true, plan: { ...action, argocd: { ...plan, application: ref.name, ...(ref.appNamespace ? { appNamespace: ref.appNamespace } : {}) } } };
  }

  #argocd(): ArgoCdTarget {
    if (!this.#d.argocd) throw new Error('The plan goes through Argo CD, but no Argo CD target is configured any more');
    return this.#d.argocd;
  }

  /**
   * ReplicaSets of this deployment fleetops saw failing: those a rollback cured it of, and those a
   * rollback to made things worse. A rollback never goes back to one of them.
   */
  async #seenFailing(record: HealingRecord): Promise<Set<string>> {
    const history = await this.#d.store.list({ service: record.service, limit: 200 });
    const failing = new Set<string>();
    for (const r of history) {
      if (r.id === record.id || r.clusterId !== record.clusterId || r.namespace !== record.namespace || r.plan?.kind !== 'rollback') continue;
      // Rolled back from, and the rollback cured it: the revision left was the failing one.
      if (r.verification?.verdict === 'resolved' && r.snapshot?.replicaSet) failing.add(r.snapshot.replicaSet);
      if (r.verification?.verdict === 'worse' && r.plan.toReplicaSet) failing.add(r.plan.toReplicaSet);
    }
    return failing;
  }

  /** The `.waitForTaskToken` task: park the token, mark PENDING_APPROVAL, ask people. */
  async requestApproval(id: string, taskToken: string): Promise<void> {
    const record = await this.#load(id);
    const expires = new Date(this.#d.clock.now().getTime() + this.policyOf(record).approvalTimeoutSeconds * 1000).toISOString();
    const reason = `waiting for approval until ${expires}: ${record.reason}`;
    await this.#d.store.update(
      id,
      { status: 'PENDING_APPROVAL', taskToken, approvalExpiresAt: expires, reason, updatedAt: this.#now() },
      { statusIn: ['EXECUTING', 'PENDING_APPROVAL'] },
    );
    const first = await this.#audit(id, 'approval-request', SYSTEM_ACTOR, 'approval requested', 'pending', {
      after: { expiresAt: expires, plan: record.plan },
    });
    if (first) {
      await this.#notify(
        { ...record, status: 'PENDING_APPROVAL', reason },
        `Approval needed: ${record.reason}. Approve with the buttons, \`/fleet heal approve ${record.id}\` or POST /v1/healing/${record.id}/approve (expires ${expires}).`,
        [
          { text: 'Approve', actionId: ACTIONS.approve, value: record.id, style: 'primary' },
          { text: 'Reject', actionId: ACTIONS.reject, value: record.id, style: 'danger' },
        ],
      );
    }
  }

  /**
   * The approval's timeout fired: REJECTED with the reason. Reaching this state means no answer
   * resumed the workflow, even if an approval was written a moment too late (EXECUTING).
   */
  async expire(id: string): Promise<void> {
    const record = await this.#load(id);
    const reason = `approval expired: nobody approved within ${this.policyOf(record).approvalTimeoutSeconds} s`;
    const changed = await this.#d.store.update(
      id,
      { status: 'REJECTED', reason, rejectedBy: SYSTEM_ACTOR, rejectedAt: this.#now(), updatedAt: this.#now() },
      { statusIn: ['PENDING_APPROVAL', 'EXECUTING'] },
    );
    await this.#audit(id, 'approval-expired', SYSTEM_ACTOR, 'approval timed out', changed ? 'rejected' : 'already answered', {});
  }

  /**
   * The moment of acting (after any approval wait, which may last days): every gate again (kill
   * switch, freeze windows, cool-down, the severity floor and what it requires, the approver's
   * role), then the atomic claim of an hourly slot and the cool-down.
   */
  async claim(id: string): Promise<{ granted: boolean }> {
    const record = await this.#load(id);
    const policy = this.policyOf(record);
    const refused = await this.#refusedAtActing(record);
    if (refused) {
      await this.#finish(record, { status: 'SKIPPED', reason: refused });
      await this.#audit(id, 'claim', SYSTEM_ACTOR, 'gates re-checked at the moment of acting', 'skipped', { after: { reason: refused } });
      return { granted: false };
    }
    const result = await this.#d.store.claimAction({
      healingId: id,
      ...keysOf(record),
      now: this.#d.clock.now(),
      actionsPerHour: policy.actionsPerHour,
      cooldownSeconds: policy.cooldownSeconds,
    });
    if (!result.granted) {
      await this.#finish(record, { status: 'SKIPPED', reason: result.reason });
      await this.#audit(id, 'claim', SYSTEM_ACTOR, 'rate limit and cool-down', 'skipped', { after: { reason: result.reason } });
      return { granted: false };
    }
    await this.#audit(id, 'claim', SYSTEM_ACTOR, 'rate limit and cool-down', 'granted', { after: { slot: result.slot } });
    return { granted: true };
  }

  async #refusedAtActing(record: HealingRecord): Promise<string | undefined> {
    const gate = await this.#gates(record);
    if (!gate.ok) return `not acted on: ${gate.reason}`;
    if (record.approvedAt) {
      if (!hasRole({ role: (record.approvedByRole ?? null) as Role | null }, 'approver'))
        return `not acted on: the approval by ${record.approvedBy ?? 'unknown'} carries no approver role`;
      return undefined;
    }
    if (gate.approval) {
      const why =
        gate.proposal ??
        `severity ${gate.severity}${gate.floor ? ` (open incident ${gate.floor.incidentId})` : ''} is above the automatic ceiling ${gate.ceiling}`;
      return `not acted on: approval is needed now (${why}) and none was given; heal again to ask for it`;
    }
    return undefined;
  }

  async snapshot(id: string): Promise<void> {
    const record = await this.#load(id);
    const state = await this.#workload(record);
    const snapshot: Snapshot = {
      at: this.#now(),
      replicas: state.replicas,
      revision: state.revision,
      ...(replicaSetOf(state) ? { replicaSet: replicaSetOf(state) } : {}),
      template: state.template,
      ...(state.hpa ? { hpa: state.hpa } : {}),
      symptom: symptomScore(record.issueType, state),
      readyReplicas: readyPods(state),
    };
    const argo = record.plan?.kind === 'rollback' ? record.plan.argocd : undefined;
    if (argo) {
      // What the Application has deployed now (the newest history entry): the undo syncs back to it.
      const app = await this.#argocd().application(argoRefOf(argo));
      const deployed = [...app.history].sort((a, b) => a.id - b.id).at(-1);
      snapshot.argocd = {
        application: argo.application,
        ...(argo.appNamespace ? { appNamespace: argo.appNamespace } : {}),
        ...(deployed ? { historyId: deployed.id } : {}),
        revision: deployed?.revision ?? argo.fromRevision,
      };
    }
    await this.#d.store.update(id, { snapshot, updatedAt: this.#now() });
    await this.#audit(id, 'snapshot', SYSTEM_ACTOR, 'snapshot before acting', 'taken', {
      before: {
        replicas: snapshot.replicas,
        revision: snapshot.revision,
        hpa: snapshot.hpa,
        symptom: snapshot.symptom,
        ready: snapshot.readyReplicas,
        ...(snapshot.argocd ? { argocd: snapshot.argocd } : {}),
      },
    });
  }

  async execute(id: string): Promise<{ changed: boolean }> {
    const record = await this.#load(id);
    const plan = record.plan;
    if (!plan) throw new Error(`Healing ${id} has no plan`);
    const actor = record.approvedBy ? `${SYSTEM_ACTOR} (approved by ${record.approvedBy})` : SYSTEM_ACTOR;
    await this.#d.store.update(id, { status: 'EXECUTING', reason: `acting: ${stripWaiting(record.reason)}`, updatedAt: this.#now() });
    if (plan.kind === 'rollback' && plan.argocd) {
      // Argo CD changes the workload; the deployment itself is not patched.
      await this.#argocd().rollback(argoRefOf(plan.argocd), plan.argocd.historyId);
      const done = describeArgoRollback(plan.argocd);
      await this.#d.store.update(id, { reason: `${done}; verifying`, updatedAt: this.#now() });
      await this.#audit(id, 'execute', actor, describePlan(plan), done, {
        after: { argocd: { application: plan.argocd.application, historyId: plan.argocd.historyId, revision: plan.argocd.revision } },
      });
      return { changed: true };
    }
    const result = await strategyForPlan(plan).execute(plan, this.#actContext(record));
    if (!result.changed) {
      await this.#finish(record, { status: 'SKIPPED', reason: result.skipped });
      await this.#audit(id, 'execute', actor, describePlan(plan), 'skipped', result.before !== undefined ? { before: result.before } : {});
      return { changed: false };
    }
    const after = result.after;
    await this.#audit(id, 'execute', actor, describePlan(plan), 'done', {
      before: record.snapshot ? { replicas: record.snapshot.replicas, revision: record.snapshot.revision, hpa: record.snapshot.hpa } : undefined,
      after,
    });
    return { changed: true };
  }

  async verify(id: string): Promise<{ verdict: string }> {
    const record = await this.#load(id);
    const snapshot = record.snapshot;
    if (!snapshot) throw new Error(`Healing ${id} has no snapshot`);
    const state = await this.#workload(record);
    const after = { symptom: symptomScore(record.issueType, state), ready: readyPods(state) };
    const result = verdict({
      issueType: record.issueType,
      policy: this.policyOf(record),
      before: { symptom: snapshot.symptom, ready: snapshot.readyReplicas },
      after,
    });
    const detail = `${symptomName(record.issueType)} ${round(snapshot.symptom)} → ${round(after.symptom)}, ready pods ${snapshot.readyReplicas} → ${after.ready}`;
    const verification = {
      at: this.#now(),
      verdict: result,
      symptomBefore: snapshot.symptom,
      symptomAfter: after.symptom,
      readyBefore: snapshot.readyReplicas,
      readyAfter: after.ready,
      replicas: state.replicas,
      revision: state.revision,
      detail,
    };
    await this.#d.store.update(id, { verification, updatedAt: this.#now() });
    const argocd = await this.#argoState(record);
    await this.#audit(id, 'verify', SYSTEM_ACTOR, 're-read the deployment and re-score the service', result, {
      before: { symptom: snapshot.symptom, ready: snapshot.readyReplicas, replicas: snapshot.replicas, revision: snapshot.revision },
      after: { ...after, replicas: state.replicas, revision: state.revision, ...(argocd ? { argocd } : {}) },
    });
    return { verdict: result };
  }

  /** Argo CD's own view after a rollback through it (sync, health), for the audit; best effort. */
  async #argoState(record: HealingRecord): Promise<Record<string, unknown> | undefined> {
    const argo = record.plan?.kind === 'rollback' ? record.plan.argocd : undefined;
    if (!argo || !this.#d.argocd) return undefined;
    try {
      const app = await this.#d.argocd.application(argoRefOf(argo));
      return { sync: app.sync.status, revision: app.sync.revision, health: app.health };
    } catch (error) {
      return { error: (error as Error).message.slice(0, 200) };
    }
  }

  /** Puts back what the snapshot holds. A restarted pod cannot be un-restarted: said so in the record. */
  async undo(id: string): Promise<void> {
    const record = await this.#load(id);
    const { snapshot, plan } = record;
    if (!snapshot || !plan) throw new Error(`Healing ${id} has nothing to undo from`);
    let result: string;
    let undone = true;
    if (plan.kind === 'rollback' && plan.argocd) {
      // Through Argo CD again: a sync back to the revision it had deployed before the rollback.
      const back = snapshot.argocd ?? {
        application: plan.argocd.application,
        ...(plan.argocd.appNamespace ? { appNamespace: plan.argocd.appNamespace } : {}),
        revision: plan.argocd.fromRevision,
      };
      await this.#argocd().sync(argoRefOf(back), back.revision);
      result = describeArgoUndo(back);
    } else {
      ({ result, undone } = await strategyForPlan(plan).undo(plan, snapshot, this.#actContext(record)));
    }
    await this.#d.store.update(id, { undone, updatedAt: this.#now() });
    await this.#audit(id, 'undo', SYSTEM_ACTOR, 'undo from snapshot', result, {
      after: { replicas: snapshot.replicas, revision: snapshot.revision, hpa: snapshot.hpa, ...(snapshot.argocd ? { argocd: snapshot.argocd } : {}) },
    });
  }

  /** The final status from what happened; the incident gets a note or is escalated. */
  async record(id: string): Promise<{ status: string }> {
    const record = await this.#load(id);
    if (!FINAL_STATUSES.includes(record.status) && record.verification) {
      const v = record.verification;
      const what = record.plan ? describeDone(record.plan) : record.action;
      if (v.verdict === 'resolved') {
        await this.#finish(record, { status: 'SUCCEEDED', reason: `verified: ${what}; ${v.detail}` });
        if (record.incidentId)
          await this.#d.incidents.addNote(record.incidentId, {
            at: this.#now(),
            author: SYSTEM_ACTOR,
            text: `Healing ${id}: ${what}, verified (${v.detail}). The incident resolves when detection sees the service healthy.`,
          });
      } else if (v.verdict === 'worse') {
        await this.#finish(record, {
          status: 'FAILED',
          reason: `made things worse (${v.detail}): ${record.undone ? 'undone from the snapshot' : 'could not be undone'}; escalated`,
        });
        if (record.incidentId) {
          await this.#d.incidents.addNote(record.incidentId, {
            at: this.#now(),
            author: SYSTEM_ACTOR,
            text: `Healing ${id}: ${what} made things worse (${v.detail}) and was ${record.undone ? 'undone' : 'not undone'}.`,
          });
          await this.#d.escalation?.escalate(record.incidentId);
        }
      } else {
        await this.#finish(record, {
          status: 'FAILED',
          reason:
            record.plan?.kind === 'rollback' && record.plan.argocd ? `symptom persists (${v.detail}): ${what}` : `symptom persists after ${what} (${v.detail})`,
        });
      }
    }
    const final = await this.#load(id);
    await this.#audit(id, 'record', SYSTEM_ACTOR, 'final status', final.status, { after: { status: final.status, reason: final.reason } });
    await this.#d.events.publish([{ source: SOURCE, detailType: 'HealingCompleted', id: `${id}:completed`, detail: publicHealing(final) }]);
    return { status: final.status };
  }

  /** A step failed after its retries: FAILED with the error's name, never its internals. */
  async fail(id: string, error: { Error?: string; Cause?: string } | undefined): Promise<void> {
    const record = await this.#load(id);
    if (FINAL_STATUSES.includes(record.status)) return;
    const name = typeof error?.Error === 'string' ? error.Error.slice(0, 100) : 'Error';
    const cause = parseCause(error?.Cause);
    await this.#finish(record, { status: 'FAILED', reason: `a workflow step failed: ${name}${cause ? `: ${cause}` : ''}` });
    await this.#audit(id, 'failed', SYSTEM_ACTOR, 'workflow step failed', name, {});
  }

  /** One notification per final state, each notifier once (delivered kinds are kept on the record). */
  async notify(id: string): Promise<void> {
    const record = await this.#load(id);
    await this.#notify(record, record.suggestions?.length ? `Suggestions:\n• ${record.suggestions.join('\n• ')}` : undefined);
    await this.#audit(id, 'notify', SYSTEM_ACTOR, 'notify', `${this.#d.notifiers.length} notifier(s)`, {});
  }

  async #notify(record: HealingRecord, extra?: string, actions?: NotificationAction[]): Promise<void> {
    const key = `${record.status}`;
    const done = new Set((await this.#d.store.get(record.id))?.notified?.[key] ?? []);
    for (const notifier of this.#d.notifiers) {
      if (done.has(notifier.kind)) continue;
      await notifier.send({ ...notificationOf(record, extra), ...(actions ? { actions } : {}) });
      done.add(notifier.kind);
      await this.#d.store.update(record.id, { notified: { ...(record.notified ?? {}), [key]: [...done] } });
    }
  }

  async #load(id: string): Promise<HealingRecord> {
    const record = await this.#d.store.get(id);
    if (!record) throw new NotFoundError(`Healing ${id} not found`);
    return record;
  }

  #actContext(record: HealingRecord): ActContext {
    return { cluster: this.#d.cluster, clusterId: record.clusterId, namespace: record.namespace, workload: () => this.#workload(record) };
  }

  #workload(record: HealingRecord): Promise<WorkloadState> {
    return this.#d.cluster.workload(record.clusterId, record.namespace, record.plan?.deployment ?? record.service);
  }

  async #finish(record: HealingRecord, changes: Partial<HealingRecord>): Promise<void> {
    await this.#d.store.update(record.id, { ...changes, updatedAt: this.#now() });
  }

  #audit(id: string, step: string, actor: string, what: string, result: string, extra: { before?: unknown; after?: unknown }): Promise<boolean> {
    const entry: AuditEntry = {
      step,
      at: this.#now(),
      actor,
      what,
      result,
      ...(extra.before !== undefined ? { before: extra.before } : {}),
      ...(extra.after !== undefined ? { after: extra.after } : {}),
    };
    return this.#d.store.audit(id, entry);
  }

  #now(): string {
    return this.#d.clock.now().toISOString();
  }
}

export function keysOf(record: Pick<HealingRecord, 'clusterId' | 'namespace' | 'service' | 'issueType'>): { service: string; issue: string } {
  const service = `${record.clusterId}#${record.namespace}#${record.service}`;
  return { service, issue: `${service}#${record.issueType}` };
}

const round = (n: number): string => n.toFixed(2);
const replicaSetOf = (state: WorkloadState): string | undefined => state.replicaSets.find((rs) => rs.revision === state.revision)?.name;
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const stripWaiting = (reason: string): string => reason.replace(/^waiting for approval until \S+: /, '');

function parseCause(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 300);
  } catch {
    // Not JSON: a plain message.
  }
  return cause.slice(0, 300);
}

export function describePlan(plan: NonNullable<HealingRecord['plan']>): string {
  return strategyForPlan(plan).describe(plan);
}

/** What was done, for the final record: an Argo CD rollback says so in its own words. */
function describeDone(plan: NonNullable<HealingRecord['plan']>): string {
  return plan.kind === 'rollback' && plan.argocd ? describeArgoRollback(plan.argocd) : describePlan(plan);
}

/** The API's view: no task token, no bookkeeping. */
export function publicHealing(record: HealingRecord): Record<string, unknown> {
  const { taskToken: _token, notified: _notified, snapshot, ...rest } = record;
  return {
    ...rest,
    ...(snapshot
      ? {
          snapshot: {
            at: snapshot.at,
            replicas: snapshot.replicas,
            revision: snapshot.revision,
            hpa: snapshot.hpa,
            symptom: snapshot.symptom,
            readyReplicas: snapshot.readyReplicas,
            ...(snapshot.argocd ? { argocd: snapshot.argocd } : {}),
          },
        }
      : {}),
  };
}

const NOTIFY_STATUS: Record<HealingRecord['status'], NotificationMessage['status']> = {
  PENDING_APPROVAL: 'open',
  EXECUTING: 'open',
  SUCCEEDED: 'resolved',
  FAILED: 'escalated',
  REJECTED: 'resolved',
  SKIPPED: 'open',
};

function notificationOf(record: HealingRecord, extra?: string): NotificationMessage {
  return {
    incidentId: record.incidentId ?? record.id,
    title: `Healing ${record.status.toLowerCase().replace('_', ' ')}: ${record.issueType} on ${record.cluster}/${record.namespace}/${record.service}`,
    text: `${record.reason}${extra ? `\n${extra}` : ''}`,
    severity: record.severity,
    status: NOTIFY_STATUS[record.status],
    fields: {
      healing: record.id,
      action: record.action,
      status: record.status,
      ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
      ...(record.rejectedBy ? { rejectedBy: record.rejectedBy } : {}),
    },
  };
}
