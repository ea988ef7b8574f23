import React, { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync.js';
import { InfoCard, StatusError, StatusOK, StatusPending, StatusWarning } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Button, Grid, Typography } from '@material-ui/core';
import { fleetopsApiRef, type FleetopsApi } from '../api/FleetopsApi.ts';
import type { Cluster, FleetopsIdentity, HealingRun, Incident, Rca } from '../api/types.ts';
import { fleetopsEntityRef, fleetopsServiceName } from '../entity.ts';
import { RcaTree } from './RcaTree.tsx';
import { Empty, FleetopsErrorPanel, Loading, explain, money, pct, when } from './states.tsx';
import { SimpleTable } from './tables.tsx';

const RANK = { viewer: 1, operator: 2, approver: 3, admin: 4 } as const;
/** Unknown identity (a backend without the identity route): show the action; fleetops still checks the role. */
export const allows = (identity: FleetopsIdentity | undefined, role: keyof typeof RANK) =>
  !identity || (identity.role !== null && RANK[identity.role] >= RANK[role]);

interface SectionProps {
  api: FleetopsApi;
  service: string;
  entityRef: string;
  identity?: FleetopsIdentity;
  clusters: Map<string, Cluster>;
  refresh: number;
  onChange: () => void;
}

const clusterName = (clusters: Map<string, Cluster>, id: string) => clusters.get(id)?.name ?? id;

function Section<T>({
  title,
  what,
  state,
  empty,
  children,
  testId,
}: {
  title: string;
  what: string;
  state: { loading: boolean; error?: unknown; value?: T };
  empty: (v: T) => string | null;
  children: (v: T) => React.ReactNode;
  testId: string;
}) {
  let body: React.ReactNode;
  if (state.loading) body = <Loading what={what} />;
  else if (state.error) body = <FleetopsErrorPanel error={state.error} what={what} />;
  else {
    const message = empty(state.value as T);
    body = message ? <Empty title={`No ${what}`} description={message} /> : children(state.value as T);
  }
  return (
    <InfoCard title={title}>
      <div data-testid={testId}>{body}</div>
    </InfoCard>
  );
}

export function HealthSection({ api, service, clusters, refresh }: SectionProps) {
  const state = useAsync(() => api.serviceHealth(service), [api, service, refresh]);
  return (
    <Section
      title="Health per cluster"
      what="health"
      testId="fleetops-health"
      state={state}
      empty={(v) =>
        v.length
          ? null
          : `fleetops has no metrics for service "${service}" yet. Is it running in a registered cluster? If its fleetops name differs, set the fleetops.io/service annotation.`
      }
    >
      {(items) => (
        <SimpleTable
          head={['Cluster', 'Namespace', 'Status', 'Score', 'Error rate', 'p95 latency', 'CPU', 'At']}
          rows={items.map((h) => [
            clusterName(clusters, h.cluster),
            h.namespace,
            h.status === 'anomaly' ? <StatusError>anomaly</StatusError> : <StatusOK>normal</StatusOK>,
            h.score.toFixed(2),
            pct(h.features.error_rate ?? null, 2),
            h.features.latency_p95 == null ? '—' : `${Math.round(h.features.latency_p95)} ms`,
            h.features.cpu_usage == null ? '—' : h.features.cpu_usage.toFixed(2),
            when(h.at),
          ])}
        />
      )}
    </Section>
  );
}

function ActionButton({
  label,
  run,
  onDone,
  disabled,
  testId,
}: {
  label: string;
  run: () => Promise<unknown>;
  onDone: () => void;
  disabled?: boolean;
  testId: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <span>
      <Button
        size="small"
        variant="outlined"
        color="primary"
        data-testid={testId}
        disabled={busy || disabled}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await run();
            onDone();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </Button>
      {error !== undefined && (
        <Typography variant="caption" color="error" data-testid={`${testId}-error`} display="block">
          {explain(error, 'this action').title}: {explain(error, 'this action').message}
        </Typography>
      )}
    </span>
  );
}

export function IncidentsSection({ api, service, clusters, identity, refresh, onChange }: SectionProps) {
  const state = useAsync(() => api.incidents({ service }), [api, service, refresh]);
  return (
    <Section
      title="Incidents"
      what="incidents"
      testId="fleetops-incidents"
      state={state}
      empty={(v) =>
        v.length ? null : `No incidents for "${service}": it has been quiet. Incidents open here when fleetops detects an anomaly or an alert arrives.`
      }
    >
      {(items) => (
        <SimpleTable
          head={['Incident', 'Cluster', 'Type', 'Severity', 'Status', 'First seen', '']}
          rows={items.map((i: Incident) => [
            i.title ?? i.id,
            clusterName(clusters, i.cluster),
            i.type,
            i.severity,
            i.status === 'open' ? (
              <StatusError>open</StatusError>
            ) : i.status === 'resolved' ? (
              <StatusOK>resolved</StatusOK>
            ) : (
              <StatusWarning>{i.status}</StatusWarning>
            ),
            when(i.firstSeen),
            i.status === 'open' && allows(identity, 'operator') ? (
              <ActionButton label="Ack" testId={`fleetops-ack-${i.id}`} run={() => api.acknowledgeIncident(i.id)} onDone={onChange} />
            ) : (
              ''
            ),
          ])}
        />
      )}
    </Section>
  );
}

/** Polls an RCA until it is done (every 2 s). */
export function useRca(api: FleetopsApi, id: string | undefined, intervalMs = 2000) {
  const [state, setState] = useState<{ rca?: Rca; error?: unknown }>({});
  useEffect(() => {
    if (!id) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({});
    const poll = async () => {
      try {
        const rca = await api.rca(id);
        if (cancelled) return;
        setState({ rca });
        if (rca.status === 'RUNNING') timer = setTimeout(poll, intervalMs);
      } catch (error) {
        if (!cancelled) setState({ error });
      }
    };
    poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, id, intervalMs]);
  return state;
}

function RcaView({ api, id }: { api: FleetopsApi; id: string }) {
  const { rca, error } = useRca(api, id);
  if (error) return <FleetopsErrorPanel error={error} what={`RCA ${id}`} />;
  if (!rca || rca.status === 'RUNNING')
    return (
      <div data-testid="fleetops-rca-running">
        <StatusPending>Analysing… (RCA {id})</StatusPending>
      </div>
    );
  if (rca.status !== 'SUCCEEDED' || !rca.report)
    return (
      <Typography data-testid="fleetops-rca-failed">
        The RCA {id} ended {rca.status}
        {rca.error ? `: ${rca.error}` : ''}. Run Diagnose again; the API logs say why it failed.
      </Typography>
    );
  return <RcaTree report={rca.report} />;
}

/** Latest RCA of the service's newest incident, and the Diagnose action (the assistant) that starts a new one. */
export function RcaSection({ api, service, clusters, identity, refresh }: SectionProps) {
  const state = useAsync(async () => {
    const [incidents, health] = await Promise.all([api.incidents({ service }), api.serviceHealth(service)]);
    return { incidents, health };
  }, [api, service, refresh]);
  const [started, setStarted] = useState<string>();
  const latest = state.value?.incidents.find((i) => i.rcaId);
  const target = state.value?.incidents[0] ?? state.value?.health[0];
  const rcaId = started ?? latest?.rcaId;
  const canDiagnose = allows(identity, 'operator');
  return (
    <InfoCard
      title="Root cause analysis"
      subheader={rcaId ? `RCA ${rcaId}${latest && !started ? ` for incident ${latest.title ?? latest.id}` : ''}` : undefined}
    >
      <div data-testid="fleetops-rca">
        {state.loading ? (
          <Loading what="the latest RCA" />
        ) : state.error ? (
          <FleetopsErrorPanel error={state.error} what="the latest RCA" />
        ) : (
          <>
            {target && canDiagnose && (
              <ActionButton
                label={`Diagnose ${service} on ${clusterName(clusters, target.cluster)}`}
                testId="fleetops-diagnose"
                run={async () => setStarted((await api.diagnose({ clusterId: target.cluster, namespace: target.namespace, service })).id)}
                onDone={() => undefined}
              />
            )}
            {target && !canDiagnose && (
              <Typography variant="body2" data-testid="fleetops-diagnose-not-allowed">
                Diagnose needs the fleetops operator role; you are {identity?.role ?? 'without a role'}.
              </Typography>
            )}
            {rcaId ? (
              <RcaView api={api} id={rcaId} />
            ) : (
              <Empty
                title="No RCA yet"
                description={
                  target
                    ? `No incident of "${service}" has an RCA. Press Diagnose to start one.`
                    : `fleetops does not know where "${service}" runs, so there is nothing to diagnose yet.`
                }
              />
            )}
          </>
        )}
      </div>
    </InfoCard>
  );
}

const healingStatus = (s: string) =>
  s === 'SUCCEEDED' ? (
    <StatusOK>{s}</StatusOK>
  ) : s === 'FAILED' || s === 'REJECTED' ? (
    <StatusError>{s}</StatusError>
  ) : s === 'PENDING_APPROVAL' ? (
    <StatusWarning>{s}</StatusWarning>
  ) : (
    <StatusPending>{s}</StatusPending>
  );

export function HealingSection({ api, service, clusters, identity, refresh, onChange }: SectionProps) {
  const state = useAsync(() => api.healingRuns({ service }), [api, service, refresh]);
  const canApprove = allows(identity, 'approver');
  return (
    <Section
      title="Heal runs"
      what="heal runs"
      testId="fleetops-healing"
      state={state}
      empty={(v) => (v.length ? null : `No heal runs for "${service}". fleetops starts one after an RCA finds an actionable cause.`)}
    >
      {(runs: HealingRun[]) => (
        <>
          {!canApprove && runs.some((r) => r.status === 'PENDING_APPROVAL') && (
            <Typography variant="body2" data-testid="fleetops-approve-not-allowed">
              Approving a heal run needs the fleetops approver role; you are signed in as {identity?.displayName} ({identity?.role ?? 'no role'}). Ask an
              approver, or a fleetops admin for the role.
            </Typography>
          )}
          <SimpleTable
            head={['Action', 'Cluster', 'Issue', 'Severity', 'Status', 'Reason', 'Started', '']}
            rows={runs.map((r) => [
              r.action,
              clusterName(clusters, r.cluster),
              r.issueType,
              r.severity,
              healingStatus(r.status),
              r.reason,
              when(r.createdAt),
              r.status === 'PENDING_APPROVAL' && canApprove ? (
                <>
                  <ActionButton label="Approve" testId={`fleetops-approve-${r.id}`} run={() => api.approveHealing(r.id)} onDone={onChange} />{' '}
                  <ActionButton label="Reject" testId={`fleetops-reject-${r.id}`} run={() => api.rejectHealing(r.id)} onDone={onChange} />
                </>
              ) : (
                (r.approvedBy ?? '')
              ),
            ])}
          />
        </>
      )}
    </Section>
  );
}

export function DeploymentsSection({ api, service, clusters, refresh }: SectionProps) {
  const state = useAsync(async () => (await api.deployments()).filter((d) => d.release === service), [api, service, refresh]);
  return (
    <Section
      title="Deployments"
      what="deployments"
      testId="fleetops-service-deployments"
      state={state}
      empty={(v) => (v.length ? null : `No fleetops deployment of release "${service}". Deploy it with POST /v1/deployments or the golden path.`)}
    >
      {(items) => (
        <SimpleTable
          head={['Deployment', 'Status', 'Waves']}
          rows={items.map((d) => [
            d.id,
            d.status,
            d.waves.map((w) => `${w.name}: ${w.status} (${w.clusters.map((c) => clusterName(clusters, c.clusterId)).join(', ')})`).join(' → '),
          ])}
        />
      )}
    </Section>
  );
}

export function ScorecardSection({ api, entityRef, refresh }: SectionProps) {
  const state = useAsync(() => api.scorecard(entityRef), [api, entityRef, refresh]);
  return (
    <Section
      title="Scorecard"
      what="scorecard"
      testId="fleetops-scorecard"
      state={state}
      empty={(v) => (v.checks.length ? null : 'The scorecard has no checks.')}
    >
      {(card) => (
        <>
          <Typography variant="h6">
            {card.score} / 100 {card.passing ? <StatusOK>passing</StatusOK> : <StatusError>failing</StatusError>}
          </Typography>
          <SimpleTable
            head={['Check', 'Weight', 'Result', 'Detail']}
            rows={card.checks.map((c) => [c.name, c.weight, c.passed ? <StatusOK>pass</StatusOK> : <StatusError>fail</StatusError>, c.detail ?? ''])}
          />
        </>
      )}
    </Section>
  );
}

/** The seed's cost table: last 30 days, change %, trend (daily costs as a sparkline). */
export function CostSection({ api, entityRef, refresh }: SectionProps) {
  const state = useAsync(() => api.cost(entityRef, '30d'), [api, entityRef, refresh]);
  return (
    <Section title="Cost (last 30 days)" what="cost" testId="fleetops-cost" state={state} empty={() => null}>
      {(c) => {
        const max = Math.max(...c.daily.map((d) => d.cost), 0.0001);
        const points = c.daily.map((d, i) => `${(i / Math.max(c.daily.length - 1, 1)) * 120},${30 - (d.cost / max) * 28}`).join(' ');
        const trend = c.changePct === null ? 'new' : c.changePct > 1 ? 'rising' : c.changePct < -1 ? 'falling' : 'flat';
        return (
          <SimpleTable
            head={['Entity', 'Last 30 days', 'Previous 30 days', 'Change', 'Trend']}
            rows={[
              [
                c.key,
                money(c.cost, c.currency),
                money(c.previous, c.currency),
                c.changePct === null ? '—' : `${c.changePct > 0 ? '+' : ''}${c.changePct.toFixed(1)} %`,
                <span title={`${trend}`}>
                  <svg width="124" height="32" aria-label={`trend ${trend}`}>
                    <polyline fill="none" stroke="#1976d2" strokeWidth="2" points={points} />
                  </svg>{' '}
                  {trend}
                </span>,
              ],
            ]}
          />
        );
      }}
    </Section>
  );
}

/** Everything fleetops knows about one Component (the entity tab). */
export function EntityFleetopsContent() {
  const { entity } = useEntity();
  const api = useApi(fleetopsApiRef);
  const service = fleetopsServiceName(entity);
  const entityRef = fleetopsEntityRef(entity);
  const [refresh, setRefresh] = useState(0);
  const base = useAsync(async () => {
    const [identity, clusters] = await Promise.all([api.identity().catch(() => undefined), api.clusters()]);
    return { identity, clusters: new Map(clusters.map((c) => [c.id, c])) };
  }, [api]);
  if (base.loading) return <Loading what="fleetops" />;
  if (base.error) return <FleetopsErrorPanel error={base.error} what={`fleetops data for ${service}`} />;
  const props: SectionProps = {
    api,
    service,
    entityRef,
    identity: base.value!.identity,
    clusters: base.value!.clusters,
    refresh,
    onChange: () => setRefresh((n) => n + 1),
  };
  return (
    <Grid container spacing={3} data-testid="fleetops-entity-content">
      <Grid item xs={12}>
        <Typography variant="body2">
          fleetops service <strong>{service}</strong> ({entityRef})
          {props.identity ? `, signed in as ${props.identity.displayName} (${props.identity.role ?? 'no fleetops role'})` : ''}{' '}
          <Button size="small" onClick={props.onChange} data-testid="fleetops-refresh">
            Refresh
          </Button>
        </Typography>
      </Grid>
      <Grid item xs={12} md={6}>
        <HealthSection {...props} />
      </Grid>
      <Grid item xs={12} md={6}>
        <CostSection {...props} />
      </Grid>
      <Grid item xs={12}>
        <IncidentsSection {...props} />
      </Grid>
      <Grid item xs={12}>
        <RcaSection {...props} />
      </Grid>
      <Grid item xs={12}>
        <HealingSection {...props} />
      </Grid>
      <Grid item xs={12} md={6}>
        <DeploymentsSection {...props} />
      </Grid>
      <Grid item xs={12} md={6}>
        <ScorecardSection {...props} />
      </Grid>
    </Grid>
  );
}
