import React from 'react';
import useAsync from 'react-use/esm/useAsync.js';
import { Content, ContentHeader, Header, InfoCard, Page, StatusError, StatusOK, StatusWarning } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Grid, Typography } from '@material-ui/core';
import { fleetopsApiRef } from '../api/FleetopsApi.ts';
import type { Incident } from '../api/types.ts';
import { Empty, FleetopsErrorPanel, Loading, pct, when } from './states.tsx';
import { SimpleTable } from './tables.tsx';

const SEVERITIES = ['critical', 'high', 'medium', 'low'];

function HealthStatus({ score, flagged }: { score: number; flagged: boolean }) {
  if (flagged || score < 50) return <StatusError>{score}</StatusError>;
  if (score < 80) return <StatusWarning>{score}</StatusWarning>;
  return <StatusOK>{score}</StatusOK>;
}

/** Open incidents counted by severity and owner. */
export function incidentMatrix(incidents: Incident[]): { owner: string; counts: Record<string, number>; total: number }[] {
  const byOwner = new Map<string, Record<string, number>>();
  for (const i of incidents) {
    const owner = i.owner ?? 'unowned';
    const counts = byOwner.get(owner) ?? {};
    counts[i.severity] = (counts[i.severity] ?? 0) + 1;
    byOwner.set(owner, counts);
  }
  return [...byOwner.entries()]
    .map(([owner, counts]) => ({ owner, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.owner.localeCompare(b.owner));
}

/** The fleet: clusters with health, open incidents by severity and owner, pending approvals, deployments and their waves. */
export function FleetPage() {
  const api = useApi(fleetopsApiRef);
  const state = useAsync(async () => {
    const [overview, clusters, incidents, pending, deployments] = await Promise.all([
      api.fleetOverview(),
      api.clusters(),
      api.incidents({ status: 'open' }),
      api.healingRuns({ status: 'PENDING_APPROVAL' }),
      api.deployments(),
    ]);
    return { overview, clusters, incidents, pending, deployments };
  }, [api]);

  let body: React.ReactNode;
  if (state.loading) body = <Loading what="the fleet" />;
  else if (state.error) body = <FleetopsErrorPanel error={state.error} what="the fleet" />;
  else if (!state.value || state.value.clusters.length === 0)
    body = (
      <Empty
        title="No clusters in fleetops yet"
        description="Register a cluster with POST /v1/clusters (or run npm run demo) and it appears here with its health."
      />
    );
  else {
    const { overview, clusters, incidents, pending, deployments } = state.value;
    const byId = new Map(clusters.map((c) => [c.id, c]));
    const health = new Map(overview.clusters.map((c) => [c.clusterId, c]));
    const matrix = incidentMatrix(incidents);
    body = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard
            title={`Clusters (${clusters.length})`}
            subheader={`fleet health ${overview.fleet.avgHealthScore ?? '—'}, error rate ${pct(overview.fleet.avgErrorRate, 2)}`}
          >
            <SimpleTable
              testId="fleetops-clusters"
              head={['Cluster', 'Environment', 'Health', 'Status', 'Nodes ready', 'Error rate', 'Why']}
              rows={clusters.map((c) => {
                const h = health.get(c.id);
                return [
                  c.name,
                  c.environment,
                  h ? <HealthStatus score={h.healthScore} flagged={h.flagged} /> : '—',
                  c.status,
                  h ? `${h.readyNodes}/${h.totalNodes}` : '—',
                  pct(h?.errorRate, 2),
                  h?.reasons.join('; ') || '',
                ];
              })}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title={`Open incidents (${incidents.length})`} subheader="by severity and owner">
            {incidents.length === 0 ? (
              <Typography data-testid="fleetops-no-incidents">No open incidents.</Typography>
            ) : (
              <SimpleTable
                testId="fleetops-incident-matrix"
                head={['Owner', ...SEVERITIES, 'Total']}
                rows={matrix.map((m) => [m.owner, ...SEVERITIES.map((s) => m.counts[s] ?? 0), m.total])}
              />
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title={`Pending approvals (${pending.length})`} subheader="heal runs waiting for an approver">
            {pending.length === 0 ? (
              <Typography>No heal run is waiting for approval.</Typography>
            ) : (
              <SimpleTable
                testId="fleetops-pending"
                head={['Service', 'Cluster', 'Action', 'Severity', 'Since']}
                rows={pending.map((r) => [`${r.namespace}/${r.service}`, byId.get(r.cluster)?.name ?? r.cluster, r.action, r.severity, when(r.createdAt)])}
              />
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Deployments" subheader="running and recent, wave by wave">
            {deployments.length === 0 ? (
              <Typography>No deployments to show. Start one with POST /v1/deployments or the golden path.</Typography>
            ) : (
              <SimpleTable
                testId="fleetops-deployments"
                head={['Release', 'Status', 'Waves']}
                rows={deployments.map((d) => [
                  d.release ?? d.id,
                  d.status,
                  d.waves
                    .map((w) => `${w.name}: ${w.status} (${w.clusters.map((c) => `${byId.get(c.clusterId)?.name ?? c.clusterId} ${c.status}`).join(', ')})`)
                    .join(' → '),
                ])}
              />
            )}
          </InfoCard>
        </Grid>
      </Grid>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="fleetops" subtitle="Kubernetes fleet: health, incidents, approvals, deployments" />
      <Content>
        <ContentHeader title="Fleet" />
        {body}
      </Content>
    </Page>
  );
}
