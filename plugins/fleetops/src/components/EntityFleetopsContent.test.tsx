// @vitest-environment jsdom
import '../test-setup.ts';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { EntityFleetopsContent } from './EntityFleetopsContent.tsx';
import { EntityFleetopsCard } from './EntityFleetopsCard.tsx';
import { component, fails, fakeApi, renderWith, type Answers } from './testing.tsx';
import type { HealingRun, Incident, RcaReport } from '../api/types.ts';

const clusters = [{ id: 'c-dev', name: 'dev', environment: 'dev', labels: {}, status: 'ACTIVE' }];
const incident: Incident = {
  id: 'inc-1',
  cluster: 'c-dev',
  namespace: 'shop',
  service: 'payment-service',
  type: 'KubePodCrashLooping',
  title: 'payment-service crash-looping',
  severity: 'high',
  status: 'open',
  alertCount: 2,
  firstSeen: '2026-12-06T09:00:00Z',
  lastSeen: '2026-12-06T09:05:00Z',
  rcaId: 'rca-1',
};
const report: RcaReport = {
  summary: 'payment-service is crash-looping after a bad config',
  symptoms: ['frontend 5xx rose to 12 %'],
  rootCauses: [
    {
      category: 'CrashLoopBackOff',
      resource: 'shop/payment-service',
      description: 'container exits with code 1',
      evidence: ['BackOff event x12', 'restartCount 9'],
      confidence: 0.87,
    },
  ],
  contributingFactors: ['no readiness probe'],
  timeline: [{ at: '2026-12-06T09:00:00Z', event: 'first BackOff' }],
  remediation: ['roll back'],
  prevention: [],
  engine: 'rules',
};
const pending: HealingRun = {
  id: 'heal-1',
  incidentId: 'inc-1',
  cluster: 'c-dev',
  namespace: 'shop',
  service: 'payment-service',
  issueType: 'CrashLoopBackOff',
  severity: 'high',
  action: 'rollback',
  status: 'PENDING_APPROVAL',
  reason: 'high severity needs an approver',
  createdAt: '2026-12-06T09:06:00Z',
};

function answers(over: Answers = {}): Answers {
  return {
    identity: () => ({ user: 'user:default/bob', displayName: 'Bob', role: 'approver' }),
    clusters: () => clusters,
    serviceHealth: () => [
      {
        cluster: 'c-dev',
        namespace: 'shop',
        service: 'payment-service',
        status: 'anomaly',
        score: 0.93,
        features: { error_rate: 0.12, latency_p95: 340, cpu_usage: 0.4 },
        at: '2026-12-06T09:05:00Z',
      },
    ],
    incidents: () => [incident],
    rca: () => ({ id: 'rca-1', status: 'SUCCEEDED', report }),
    healingRuns: () => [pending],
    deployments: () => [
      {
        id: 'dep-1',
        release: 'payment-service',
        status: 'SUCCEEDED',
        waves: [{ name: 'dev', status: 'SUCCEEDED', clusters: [{ clusterId: 'c-dev', status: 'SUCCEEDED' }] }],
      },
    ],
    scorecard: () => ({
      entity: 'component:default/payment',
      score: 75,
      passing: true,
      checks: [
        { name: 'has owner', weight: 1, passed: true },
        { name: 'has runbook', weight: 1, passed: false, detail: 'no runbook link' },
      ],
    }),
    cost: () => ({
      key: 'component:default/payment',
      cost: 123.45,
      previous: 100,
      changePct: 23.46,
      daily: [
        { date: '2026-12-01', cost: 3 },
        { date: '2026-12-02', cost: 5 },
      ],
      currency: 'USD',
      window: '30d',
    }),
    ...over,
  };
}

describe('EntityFleetopsContent', () => {
  it('shows loading first', async () => {
    await renderWith(fakeApi({}), <EntityFleetopsContent />, component);
    expect(screen.getByTestId('fleetops-loading')).toBeTruthy();
  });

  it('shows every section with data, using the fleetops.io/service annotation and the entity ref', async () => {
    const calls: string[] = [];
    await renderWith(fakeApi(answers(), calls), <EntityFleetopsContent />, component);
    const health = await screen.findByTestId('fleetops-health');
    await waitFor(() => expect(within(health).getByText('anomaly')).toBeTruthy());
    expect(within(health).getByText('12.00 %')).toBeTruthy();
    expect(within(health).getByText('dev')).toBeTruthy();
    await waitFor(() => expect(within(screen.getByTestId('fleetops-incidents')).getByText('payment-service crash-looping')).toBeTruthy());
    const tree = await screen.findByTestId('fleetops-rca-tree');
    expect(within(tree).getByTestId('fleetops-root-cause-category').textContent).toBe('CrashLoopBackOff');
    expect(tree.textContent).toContain('confidence 87 %');
    expect(tree.textContent).toContain('BackOff event x12');
    expect(tree.textContent).toContain('no readiness probe');
    expect(tree.textContent).toContain('first BackOff');
    expect(await screen.findByTestId('fleetops-approve-heal-1')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('fleetops-service-deployments').textContent).toContain('dev: SUCCEEDED (dev)'));
    await waitFor(() => expect(screen.getByTestId('fleetops-scorecard').textContent).toContain('no runbook link'));
    const cost = screen.getByTestId('fleetops-cost');
    await waitFor(() => expect(cost.textContent).toContain('$123.45'));
    expect(cost.textContent).toContain('+23.5 %');
    expect(cost.textContent).toContain('rising');
    expect(calls).toContain('serviceHealth("payment-service")');
    expect(calls).toContain('scorecard("component:default/payment")');
    expect(calls).toContain('cost("component:default/payment","30d")');
  });

  it('approves a pending heal run as an approver and reloads the runs', async () => {
    const calls: string[] = [];
    let approved = false;
    const api = fakeApi(
      answers({
        approveHealing: () => void (approved = true),
        healingRuns: () => [approved ? { ...pending, status: 'EXECUTING', approvedBy: 'Bob' } : pending],
      }),
      calls,
    );
    await renderWith(api, <EntityFleetopsContent />, component);
    fireEvent.click(await screen.findByTestId('fleetops-approve-heal-1'));
    await waitFor(() => expect(within(screen.getByTestId('fleetops-healing')).getByText('EXECUTING')).toBeTruthy());
    expect(calls).toContain('approveHealing("heal-1")');
  });

  it('shows why an approval failed (fleetops said 403)', async () => {
    await renderWith(fakeApi(answers({ approveHealing: fails(403, 'FORBIDDEN', 'approving needs the approver role') })), <EntityFleetopsContent />, component);
    fireEvent.click(await screen.findByTestId('fleetops-approve-heal-1'));
    expect((await screen.findByTestId('fleetops-approve-heal-1-error')).textContent).toContain('approving needs the approver role');
  });

  it('does not offer Approve, Reject, Diagnose or Ack to a viewer and says what role it needs', async () => {
    await renderWith(
      fakeApi(answers({ identity: () => ({ user: 'user:default/alice', displayName: 'Alice', role: 'viewer' }) })),
      <EntityFleetopsContent />,
      component,
    );
    expect((await screen.findByTestId('fleetops-approve-not-allowed')).textContent).toContain('needs the fleetops approver role');
    expect(screen.queryByTestId('fleetops-approve-heal-1')).toBeNull();
    expect(screen.queryByTestId('fleetops-reject-heal-1')).toBeNull();
    expect(screen.queryByTestId('fleetops-ack-inc-1')).toBeNull();
    expect((await screen.findByTestId('fleetops-diagnose-not-allowed')).textContent).toContain('operator role');
  });

  it('does not offer Approve to a user whoami gives no fleetops role, and names them', async () => {
    await renderWith(
      fakeApi(answers({ identity: () => ({ user: 'user:default/carol', displayName: 'user:default/carol', role: null, kind: 'oidc' }) })),
      <EntityFleetopsContent />,
      component,
    );
    expect((await screen.findByTestId('fleetops-approve-not-allowed')).textContent).toContain('signed in as user:default/carol (no role)');
    expect(screen.queryByTestId('fleetops-approve-heal-1')).toBeNull();
    expect(screen.queryByTestId('fleetops-ack-inc-1')).toBeNull();
  });

  it('offers Approve when whoami cannot answer (fleetops checks the role on the action itself)', async () => {
    await renderWith(fakeApi(answers({ identity: fails(401, 'UNAUTHENTICATED') })), <EntityFleetopsContent />, component);
    expect(await screen.findByTestId('fleetops-approve-heal-1')).toBeTruthy();
    expect(screen.queryByTestId('fleetops-approve-not-allowed')).toBeNull();
  });

  it('Diagnose starts an RCA and shows its report when it is done', async () => {
    let polls = 0;
    const calls: string[] = [];
    const api = fakeApi(
      answers({
        incidents: () => [{ ...incident, rcaId: undefined }],
        diagnose: () => ({ id: 'rca-new' }),
        rca: () => (++polls < 2 ? { id: 'rca-new', status: 'RUNNING' } : { id: 'rca-new', status: 'SUCCEEDED', report }),
      }),
      calls,
    );
    await renderWith(api, <EntityFleetopsContent />, component);
    expect((await screen.findByTestId('fleetops-rca')).textContent).toContain('Press Diagnose');
    fireEvent.click(await screen.findByTestId('fleetops-diagnose'));
    expect(await screen.findByTestId('fleetops-rca-running')).toBeTruthy();
    expect(await screen.findByTestId('fleetops-rca-tree', {}, { timeout: 5000 })).toBeTruthy();
    expect(calls).toContain('diagnose({"clusterId":"c-dev","namespace":"shop","service":"payment-service"})');
  });

  it('shows a failed RCA with what to do', async () => {
    await renderWith(fakeApi(answers({ rca: () => ({ id: 'rca-1', status: 'FAILED' }) })), <EntityFleetopsContent />, component);
    expect((await screen.findByTestId('fleetops-rca-failed')).textContent).toContain('Run Diagnose again');
  });

  it('shows the empty state of each section for a service fleetops does not know', async () => {
    await renderWith(
      fakeApi(
        answers({
          serviceHealth: () => [],
          incidents: () => [],
          healingRuns: () => [],
          deployments: () => [],
          scorecard: () => ({ entity: 'x', score: 0, passing: false, checks: [] }),
        }),
      ),
      <EntityFleetopsContent />,
      component,
    );
    await waitFor(() => expect(screen.getByTestId('fleetops-health').textContent).toContain('fleetops.io/service annotation'));
    await waitFor(() => expect(screen.getByTestId('fleetops-incidents').textContent).toContain('quiet'));
    await waitFor(() => expect(screen.getByTestId('fleetops-rca').textContent).toContain('does not know where'));
    await waitFor(() => expect(screen.getByTestId('fleetops-healing').textContent).toContain('No heal runs'));
    await waitFor(() => expect(screen.getByTestId('fleetops-service-deployments').textContent).toContain('No fleetops deployment'));
    await waitFor(() => expect(screen.getByTestId('fleetops-scorecard').textContent).toContain('no checks'));
  });

  it('shows unknown-to-fleetops, not-allowed and unreachable per section', async () => {
    await renderWith(
      fakeApi(
        answers({
          cost: fails(404, 'NOT_FOUND', 'no cost for component:default/payment'),
          scorecard: fails(403, 'FORBIDDEN', 'nope'),
          healingRuns: fails(502, 'FLEETOPS_UNREACHABLE', 'down'),
        }),
      ),
      <EntityFleetopsContent />,
      component,
    );
    await waitFor(() =>
      expect(within(screen.getByTestId('fleetops-cost')).getByTestId('fleetops-not-found').textContent).toContain('POST /v1/catalog/entities'),
    );
    await waitFor(() => expect(within(screen.getByTestId('fleetops-scorecard')).getByTestId('fleetops-not-allowed')).toBeTruthy());
    await waitFor(() => expect(within(screen.getByTestId('fleetops-healing')).getByTestId('fleetops-not-configured')).toBeTruthy());
  });

  it('shows the whole tab as not configured when fleetops cannot be reached', async () => {
    await renderWith(fakeApi(answers({ clusters: fails(0, 'UNREACHABLE', 'Failed to fetch') })), <EntityFleetopsContent />, component);
    expect((await screen.findByTestId('fleetops-not-configured')).textContent).toContain('FLEETOPS_URL');
  });
});

describe('EntityFleetopsCard', () => {
  it('loading', async () => {
    await renderWith(fakeApi({}), <EntityFleetopsCard />, component);
    expect(screen.getByTestId('fleetops-loading')).toBeTruthy();
  });
  it('data', async () => {
    await renderWith(fakeApi(answers()), <EntityFleetopsCard />, component);
    expect((await screen.findByTestId('fleetops-card')).textContent).toContain('anomalous on 1 of 1 clusters');
    expect(screen.getByTestId('fleetops-card').textContent).toContain('1 open incident');
  });
  it('empty', async () => {
    await renderWith(fakeApi(answers({ serviceHealth: () => [], incidents: () => [] })), <EntityFleetopsCard />, component);
    expect((await screen.findByTestId('fleetops-empty')).textContent).toContain('Unknown to fleetops');
  });
  it('error and not allowed', async () => {
    await renderWith(fakeApi(answers({ serviceHealth: fails(403, 'FORBIDDEN', 'no') })), <EntityFleetopsCard />, component);
    expect(await screen.findByTestId('fleetops-not-allowed')).toBeTruthy();
  });
});
