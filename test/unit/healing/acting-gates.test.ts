/** Issue 19: every gate again at the moment of acting (after the approval wait), and approvals by verified identity. */
import { describe, expect, it } from 'vitest';
import { answerApproval } from '../../../functions/core/healing/approval.ts';
import type { Severity } from '../../../functions/core/healing/types.ts';
import type { Identity } from '../../../functions/core/identity/identity.ts';
import { NOW, apiPods, apiWorkload, approver, healingRequest, healingSteps, operator, workloadCluster } from '../../support/healing-fixtures.ts';

const state = apiWorkload({ cpuLimitCores: 1, pods: apiPods({ cpuCores: 0.95 }, { cpuCores: 0.95 }) });

function setup(options: { incident?: Severity } = {}) {
  let incident = options.incident;
  let now = NOW;
  let freeze: { start: string; end: string }[] = [];
  const settings = { policy: {}, disabled: false, verifyWaitSeconds: 1 };
  const { store, steps } = healingSteps(workloadCluster(state), {
    openIncidents: { openIncident: async () => (incident ? { id: 'inc-1', severity: incident } : undefined) },
    clock: { now: () => now },
    settings: {
      get policy() {
        return { ...settings.policy, freezeWindows: freeze };
      },
      get disabled() {
        return settings.disabled;
      },
      verifyWaitSeconds: 1,
    },
  });
  const callbacks = { succeed: async () => {}, fail: async () => {} };
  return {
    store,
    steps,
    settings,
    later: (ms: number) => (now = new Date(now.getTime() + ms)),
    freeze: (w: typeof freeze) => (freeze = w),
    incident: (s: Severity) => (incident = s),
    approve: (identity: Identity, body?: string) =>
      answerApproval({ store, callbacks, clock: { now: () => now } } as never, { id: 'h1', decision: 'approve', identity, ...(body ? { by: body } : {}) }),
  };
}

async function toApproval(t: ReturnType<typeof setup>, severity: Severity) {
  await t.steps.create('h1', healingRequest({ severity }));
  expect(await t.steps.safety('h1')).toMatchObject({ outcome: 'continue' });
  const decided = await t.steps.decide('h1');
  await t.steps.requestApproval('h1', 'token-1');
  return decided;
}

describe('gates at the moment of acting', () => {
  it('a low request under a critical incident is raised to critical and needs approval', async () => {
    const t = setup({ incident: 'critical' });
    expect(await toApproval(t, 'low')).toEqual({ kind: 'action', approval: true });
    expect(t.store.records.get('h1')).toMatchObject({
      severity: 'critical',
      severityFloor: { severity: 'critical', incidentId: 'inc-1' },
      approvalRequired: true,
    });
  });

  it('an approval that comes during a freeze window, or after the kill switch, does not act', async () => {
    const frozen = setup();
    await toApproval(frozen, 'high');
    await frozen.approve(approver);
    frozen.freeze([{ start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z' }]);
    expect(await frozen.steps.claim('h1')).toEqual({ granted: false });
    expect(frozen.store.records.get('h1')).toMatchObject({ status: 'SKIPPED', reason: expect.stringMatching(/^not acted on: change freeze/) });
    expect(frozen.store.claims).toBe(0);

    const killed = setup();
    await toApproval(killed, 'high');
    await killed.approve(approver);
    killed.store.killSwitch = true;
    expect(await killed.steps.claim('h1')).toEqual({ granted: false });
    expect(killed.store.records.get('h1')!.reason).toMatch(/kill switch flag/);

    const off = setup();
    await toApproval(off, 'high');
    await off.approve(approver);
    off.settings.disabled = true;
    expect(await off.steps.claim('h1')).toEqual({ granted: false });
  });

  it('a run planned without approval is not acted on when an incident raised the severity meanwhile', async () => {
    const t = setup();
    await t.steps.create('h1', healingRequest());
    expect(await t.steps.safety('h1')).toEqual({ outcome: 'continue', approval: false });
    expect(await t.steps.decide('h1')).toEqual({ kind: 'action', approval: false });
    t.incident('critical');
    expect(await t.steps.claim('h1')).toEqual({ granted: false });
    expect(t.store.records.get('h1')!.reason).toMatch(
      /^not acted on: approval is needed now \(severity critical \(open incident inc-1\) is above the automatic ceiling medium\)/,
    );
  });

  it('a manual RCA with no open incident only proposes', async () => {
    const t = setup();
    await t.steps.create('h1', healingRequest({ trigger: 'rca', requestedBy: 'rca:r1' }));
    expect(await t.steps.safety('h1')).toEqual({ outcome: 'continue', approval: true });
    expect(t.store.records.get('h1')!.proposal).toMatch(/manual RCA of a service with no open incident/);
  });

  it('approvals: only an approver, recorded by verified identity; a name from the body is not the approver', async () => {
    const t = setup();
    await toApproval(t, 'high');
    await expect(t.approve(operator)).rejects.toMatchObject({ kind: 'forbidden' });
    const record = await t.approve(approver, 'mallory');
    expect(record).toMatchObject({
      approvedBy: 'https://idp.example|u-1 (Ada Approver)',
      approvedBySubject: 'https://idp.example|u-1',
      approvedByRole: 'approver',
    });
    expect(t.store.audits.get('h1')!.find((a) => a.step === 'approval')).toMatchObject({
      actor: 'https://idp.example|u-1 (Ada Approver)',
      after: { subject: 'https://idp.example|u-1', displayName: 'Ada Approver', role: 'approver' },
    });
    expect(JSON.stringify(t.store.records.get('h1'))).not.toContain('mallory');
    expect(await t.steps.claim('h1')).toEqual({ granted: true });
  });

  it('an approval without a verified approver role does not act', async () => {
    const t = setup();
    await toApproval(t, 'high');
    // A bare name is refused up front now; an approval stored without a role (an older record) still does not act.
    await expect(
      answerApproval({ store: t.store, callbacks: { succeed: async () => {} }, clock: { now: () => new Date('2026-12-01T12:00:00Z') } } as never, {
        id: 'h1',
        decision: 'approve',
        by: 'someone',
      }),
    ).rejects.toMatchObject({ kind: 'forbidden' });
    await t.store.update('h1', { status: 'EXECUTING', approvedBy: 'someone', approvedAt: '2026-12-01T12:00:00Z' });
    expect(await t.steps.claim('h1')).toEqual({ granted: false });
    expect(t.store.records.get('h1')!.reason).toMatch(/carries no approver role/);
  });
});
