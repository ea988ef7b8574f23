// @vitest-environment jsdom
import '../test-setup.ts';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { FleetPage, incidentMatrix } from './FleetPage.tsx';
import { fails, fakeApi, renderWith } from './testing.tsx';
import type { Incident } from '../api/types.ts';

const clusters = [
  { id: 'c-dev', name: 'dev', environment: 'dev', labels: {}, status: 'ACTIVE' },
  { id: 'c-prod', name: 'prod', environment: 'prod', labels: {}, status: 'ACTIVE' },
];
const overview = {
  generatedAt: '2026-12-06T10:00:00Z',
  fleet: { clusters: 2, avgErrorRate: 0.01, avgHealthScore: 70 },
  clusters: [
    {
      clusterId: 'c-dev',
      name: 'dev',
      environment: 'dev',
      healthScore: 41,
      readyNodes: 2,
      totalNodes: 3,
      errorRate: 0.08,
      flagged: true,
      reasons: ['1 of 3 nodes not ready'],
    },
    { clusterId: 'c-prod', name: 'prod', environment: 'prod', healthScore: 99, readyNodes: 3, totalNodes: 3, errorRate: 0.001, flagged: false, reasons: [] },
  ],
};
const incident = (id: string, severity: string, owner?: string): Incident => ({
  id,
  cluster: 'c-dev',
  namespace: 'shop',
  service: 'payment-service',
  type: 'KubePodCrashLooping',
  severity,
  status: 'open',
  owner,
  alertCount: 1,
  firstSeen: '2026-12-06T09:00:00Z',
  lastSeen: '2026-12-06T09:01:00Z',
});

describe('FleetPage', () => {
  it('shows loading while fleetops answers', async () => {
    await renderWith(fakeApi({}), <FleetPage />);
    expect(screen.getByTestId('fleetops-loading')).toBeTruthy();
  });

  it('shows clusters with health, incidents by severity and owner, pending approvals and deployment waves', async () => {
    const api = fakeApi({
      fleetOverview: () => overview,
      clusters: () => clusters,
      incidents: () => [incident('i1', 'critical', 'group:default/payments'), incident('i2', 'high', 'group:default/payments'), incident('i3', 'high')],
      healingRuns: () => [
        {
          id: 'h1',
          cluster: 'c-dev',
          namespace: 'shop',
          service: 'payment-service',
          issueType: 'CrashLoopBackOff',
          severity: 'high',
          action: 'rollback',
          status: 'PENDING_APPROVAL',
          reason: 'needs approval',
          createdAt: '2026-12-06T09:02:00Z',
        },
      ],
      deployments: () => [
        {
          id: 'd1',
          release: 'frontend',
          status: 'RUNNING',
          waves: [
            { name: 'staging', status: 'SUCCEEDED', clusters: [{ clusterId: 'c-dev', status: 'SUCCEEDED' }] },
            { name: 'prod', status: 'RUNNING', clusters: [{ clusterId: 'c-prod', status: 'RUNNING' }] },
          ],
        },
      ],
    });
    await renderWith(api, <FleetPage />);
    const table = await screen.findByTestId('fleetops-clusters');
    expect(within(table).getByText('41')).toBeTruthy();
    expect(within(table).getByText('1 of 3 nodes not ready')).toBeTruthy();
    const matrix = screen.getByTestId('fleetops-incident-matrix');
    expect(within(matrix).getByText('group:default/payments')).toBeTruthy();
    expect(within(matrix).getByText('unowned')).toBeTruthy();
    expect(within(screen.getByTestId('fleetops-pending')).getByText('rollback')).toBeTruthy();
    expect(within(screen.getByTestId('fleetops-pending')).getByText('dev')).toBeTruthy();
    expect(screen.getByTestId('fleetops-deployments').textContent).toContain('staging: SUCCEEDED (dev SUCCEEDED) → prod: RUNNING (prod RUNNING)');
  });

  it('says how to get clusters when fleetops has none', async () => {
    await renderWith(
      fakeApi({ fleetOverview: () => ({ ...overview, clusters: [] }), clusters: () => [], incidents: () => [], healingRuns: () => [], deployments: () => [] }),
      <FleetPage />,
    );
    expect((await screen.findByTestId('fleetops-empty')).textContent).toContain('POST /v1/clusters');
  });

  it('says fleetops is not reachable (not configured) when the Backstage route fails', async () => {
    await renderWith(
      fakeApi({
        fleetOverview: fails(502, 'FLEETOPS_UNREACHABLE', 'connect ECONNREFUSED'),
        clusters: () => clusters,
        incidents: () => [],
        healingRuns: () => [],
        deployments: () => [],
      }),
      <FleetPage />,
    );
    expect((await screen.findByTestId('fleetops-not-configured')).textContent).toContain("proxy.endpoints['/fleetops']");
  });

  it('says what to do when the user is not allowed', async () => {
    await renderWith(
      fakeApi({
        fleetOverview: fails(403, 'FORBIDDEN', 'needs viewer'),
        clusters: () => clusters,
        incidents: () => [],
        healingRuns: () => [],
        deployments: () => [],
      }),
      <FleetPage />,
    );
    expect((await screen.findByTestId('fleetops-not-allowed')).textContent).toContain('Ask a fleetops admin');
  });

  it('shows a generic error with what to do', async () => {
    await renderWith(
      fakeApi({
        fleetOverview: () => Promise.reject(new Error('boom')),
        clusters: () => clusters,
        incidents: () => [],
        healingRuns: () => [],
        deployments: () => [],
      }),
      <FleetPage />,
    );
    expect((await screen.findByTestId('fleetops-error')).textContent).toContain('Retry');
  });
});

describe('incidentMatrix', () => {
  it('counts open incidents per owner and severity, busiest owner first', () => {
    const m = incidentMatrix([incident('a', 'high', 'x'), incident('b', 'high', 'y'), incident('c', 'low', 'y')]);
    expect(m).toEqual([
      { owner: 'y', counts: { high: 1, low: 1 }, total: 2 },
      { owner: 'x', counts: { high: 1 }, total: 1 },
    ]);
  });
});
