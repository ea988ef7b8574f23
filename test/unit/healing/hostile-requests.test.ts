/**
 * Issue 19, outside review: an operator's POST /v1/healing on a service with nothing open is a
 * proposal (no evidence shows it failing), an answer needs a verified identity (a bare name can
 * neither approve nor reject), and approving one's own request is recorded as such.
 */
import { describe, expect, it } from 'vitest';
import { answerApproval } from '../../../functions/core/healing/approval.ts';
import type { HealingRequest, Severity } from '../../../functions/core/healing/types.ts';
import type { Identity } from '../../../functions/core/identity/identity.ts';
import { healingAuthority } from '../../../functions/core/rca/complete.ts';
import {
  NOW,
  apiPods,
  apiWorkload,
  approver,
  deploymentEvidence,
  healingRequest,
  healingSteps,
  operator,
  rcaEvidence,
  rcaReport as report,
  workloadCluster,
} from '../../support/healing-fixtures.ts';

const healthy = apiWorkload({ cpuLimitCores: 1, pods: apiPods({ cpuCores: 0.1 }, { cpuCores: 0.1 }) });

function setup(incident?: Severity) {
  const { store, steps } = healingSteps(workloadCluster(healthy), {
    openIncidents: { openIncident: async () => (incident ? { id: 'inc-1', severity: incident } : undefined) },
  });
  const deps = { store, callbacks: { succeed: async () => {}, fail: async () => {} }, clock: { now: () => NOW } } as never;
  return { store, steps, deps };
}

const apiRequest = (by: Identity): HealingRequest => healingRequest({ requestedBy: by.subject, requestedByRole: by.role ?? undefined });

describe('hostile healing requests', () => {
  it("an operator's low-severity heal of a service with no open incident is only proposed", async () => {
    const t = setup();
    await t.steps.create('h1', apiRequest(operator));
    expect(await t.steps.safety('h1')).toEqual({ outcome: 'continue', approval: true });
    expect(t.store.records.get('h1')!.proposal).toMatch(/no open incident/);
    expect(await t.steps.decide('h1')).toEqual({ kind: 'action', approval: true });
  });

  it("an operator's heal of a service with an open incident under the ceiling acts, and an approver's acts without one", async () => {
    const withIncident = setup('low');
    await withIncident.steps.create('h1', apiRequest(operator));
    expect(await withIncident.steps.safety('h1')).toEqual({ outcome: 'continue', approval: false });
    const byApprover = setup();
    await byApprover.steps.create('h1', apiRequest(approver));
    expect(await byApprover.steps.safety('h1')).toEqual({ outcome: 'continue', approval: false });
  });

  it('an answer without a verified identity neither approves nor rejects', async () => {
    const t = setup('critical');
    await t.steps.create('h1', apiRequest(operator));
    await t.steps.safety('h1');
    await t.steps.decide('h1');
    await t.steps.requestApproval('h1', 'token-1');
    await expect(answerApproval(t.deps, { id: 'h1', decision: 'reject', by: 'mallory' })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(answerApproval(t.deps, { id: 'h1', decision: 'approve', by: 'mallory' })).rejects.toMatchObject({ kind: 'forbidden' });
    expect(t.store.records.get('h1')!.status).toBe('PENDING_APPROVAL');
  });

  it('approving a run one requested oneself is recorded as such', async () => {
    const t = setup('critical');
    await t.steps.create('h1', apiRequest(approver));
    await t.steps.safety('h1');
    await t.steps.decide('h1');
    await t.steps.requestApproval('h1', 'token-1');
    await answerApproval(t.deps, { id: 'h1', decision: 'approve', identity: approver });
    expect(t.store.audits.get('h1')!.find((a) => a.step === 'approval')).toMatchObject({ after: { selfApproved: true } });
  });
});

describe("hostile model answers (the model may rank the rules' causes, not pick another target)", () => {
  it('a failing victim the rules did not name as a cause is a proposal, not a rollback target', () => {
    const e = rcaEvidence(
      deploymentEvidence('frontend', '4', 1),
      // Failing too (it calls frontend), with an old revision a rollback would go back from.
      deploymentEvidence('payments-api', '7', 1),
    );
    const a = healingAuthority(e, report('bedrock', 'deployment/payments-api', 'bad_deploy'), report('rules', 'deployment/frontend', 'bad_deploy'));
    expect(a.issueType).toBe('bad_deploy');
    expect(a.healing).toMatchObject({ target: 'payments-api', proposal: expect.stringMatching(/payments-api/) });
  });
});

describe('a heal linked to an incident it is not about', () => {
  it("is refused (422): another service's or cluster's incident gets no link, note or escalation from it", async () => {
    const linked: string[] = [];
    const incidents: Record<string, { cluster: string; namespace: string; service: string; services?: string[] }> = {
      'inc-payments': { cluster: 'prod', namespace: 'pay', service: 'payments-api' },
      'inc-api': { cluster: 'prod', namespace: 'shop', service: 'frontend', services: ['frontend', 'api'] },
    };
    const { store, steps } = healingSteps(workloadCluster(healthy), {
      incidents: { link: async (incidentId) => void linked.push(incidentId), addNote: async () => {} },
      openIncidents: { openIncident: async () => undefined, incident: async (id) => incidents[id] },
    });
    await expect(steps.create('h1', { ...apiRequest(approver), incidentId: 'inc-payments' })).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'INCIDENT_MISMATCH',
    });
    await expect(steps.create('h2', { ...apiRequest(approver), incidentId: 'inc-missing' })).rejects.toMatchObject({ kind: 'unprocessable' });
    expect(linked).toEqual([]);
    expect(store.records.size).toBe(0);
    // The service joined that incident through grouping: fine.
    await steps.create('h3', { ...apiRequest(approver), incidentId: 'inc-api' });
    expect(linked).toEqual(['inc-api']);
  });
});
