import * as z from 'zod';
import { defineRoute, type RouteDefinition } from '../http/route-definition.ts';
import { AlertmanagerWebhook, AlertRequest, AlertsAccepted, CreateSilenceRequest, Incident, IncidentList, IncidentListQuery } from '../schemas/alerts.ts';
import { AnomalyList, AnomalyQuery, Forecast, ForecastQuery, PullStarted } from '../schemas/metrics.ts';
import { Cluster, ClusterList, RegisterClusterRequest, RotateKubeconfigRequest } from '../schemas/clusters.ts';
import { ErrorResponse, EventAccepted, EventEntry, HealthResponse, IdParams } from '../schemas/common.ts';
import { Rca, RcaStarted, StartRcaRequest } from '../schemas/rca.ts';

const unauthorized = { 401: { description: 'Missing or wrong bearer token', schema: ErrorResponse } };
const badRequest = { 400: { description: 'Invalid request', schema: ErrorResponse } };
const notFound = { 404: { description: 'No such resource', schema: ErrorResponse } };
const unreachable = { 502: { description: 'The cluster could not be reached; nothing was stored', schema: ErrorResponse } };

/**
 * The route table: one source for API Gateway (lib/constructs/api.ts), the local gateway,
 * request validation and /openapi.json. Keys are OpenAPI operation ids.
 */
export const ROUTES = {
  health: defineRoute({
    method: 'GET',
    path: '/health',
    handler: 'health',
    auth: 'none',
    summary: 'Liveness of the API',
    tags: ['meta'],
    responses: { 200: { description: 'Ready', schema: HealthResponse } },
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI document' } },
  }),
  putEvent: defineRoute({
    method: 'POST',
    path: '/v1/events',
    handler: 'put-event',
    auth: 'bearer',
    summary: 'Put one event on the local bus (local stack only), shaped like an EventBridge PutEvents entry',
    tags: ['events'],
    body: EventEntry,
    localOnly: true,
    responses: { 202: { description: 'Accepted', schema: EventAccepted }, ...badRequest, ...unauthorized },
  }),
  registerCluster: defineRoute({
    method: 'POST',
    path: '/v1/clusters',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'Register a cluster by kubeconfig (token or client certificate, inline CA) or EKS name; the connection is tested first',
    tags: ['clusters'],
    body: RegisterClusterRequest,
    maxBodyBytes: 128 * 1024,
    responses: {
      201: { description: 'Registered', schema: Cluster },
      ...badRequest,
      ...unauthorized,
      409: { description: 'A cluster with this name exists', schema: ErrorResponse },
      ...unreachable,
    },
  }),
  listClusters: defineRoute({
    method: 'GET',
    path: '/v1/clusters',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'List registered clusters',
    tags: ['clusters'],
    responses: { 200: { description: 'Clusters', schema: ClusterList }, ...unauthorized },
  }),
  getCluster: defineRoute({
    method: 'GET',
    path: '/v1/clusters/{id}',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'One registered cluster',
    tags: ['clusters'],
    params: IdParams,
    responses: { 200: { description: 'Cluster', schema: Cluster }, ...unauthorized, ...notFound },
  }),
  deleteCluster: defineRoute({
    method: 'DELETE',
    path: '/v1/clusters/{id}',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'Deregister a cluster and delete its stored credentials',
    tags: ['clusters'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, ...unauthorized, ...notFound },
  }),
  rotateKubeconfig: defineRoute({
    method: 'PUT',
    path: '/v1/clusters/{id}/kubeconfig',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'Rotate the credentials of a cluster; tested before they replace the old ones',
    tags: ['clusters'],
    params: IdParams,
    body: RotateKubeconfigRequest,
    maxBodyBytes: 128 * 1024,
    responses: { 200: { description: 'Rotated', schema: Cluster }, ...badRequest, ...unauthorized, ...notFound, ...unreachable },
  }),
  rbacManifest: defineRoute({
    method: 'GET',
    path: '/v1/rbac-manifest',
    handler: 'clusters',
    auth: 'bearer',
    summary: 'Least-privilege ServiceAccount, ClusterRole and binding (YAML) to apply on a cluster before registering it',
    tags: ['clusters'],
    responses: { 200: { description: 'application/yaml manifest' }, ...unauthorized },
  }),
  ingestAlertmanager: defineRoute({
    method: 'POST',
    path: '/v1/alerts/alertmanager',
    handler: 'alerts',
    auth: 'bearer',
    summary: 'Alertmanager webhook receiver (version 4): deduplicated into incidents',
    tags: ['alerts'],
    body: AlertmanagerWebhook,
    maxBodyBytes: 4 * 1024 * 1024,
    responses: {
      202: { description: 'Accepted', schema: AlertsAccepted },
      ...badRequest,
      ...unauthorized,
      413: { description: 'Payload too large', schema: ErrorResponse },
      503: { description: 'Recorded, but a notification is pending: retry', schema: ErrorResponse },
    },
  }),
  ingestAlert: defineRoute({
    method: 'POST',
    path: '/v1/alerts',
    handler: 'alerts',
    auth: 'bearer',
    summary: 'Any other alert source',
    tags: ['alerts'],
    body: AlertRequest,
    maxBodyBytes: 64 * 1024,
    responses: { 202: { description: 'Accepted', schema: AlertsAccepted }, ...badRequest, ...unauthorized },
  }),
  listIncidents: defineRoute({
    method: 'GET',
    path: '/v1/incidents',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'Incidents, newest activity first',
    tags: ['incidents'],
    query: IncidentListQuery,
    responses: { 200: { description: 'Incidents', schema: IncidentList }, ...badRequest, ...unauthorized },
  }),
  getIncident: defineRoute({
    method: 'GET',
    path: '/v1/incidents/{id}',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'One incident',
    tags: ['incidents'],
    params: IdParams,
    responses: { 200: { description: 'Incident', schema: Incident }, ...unauthorized, ...notFound },
  }),
  acknowledgeIncident: defineRoute({
    method: 'POST',
    path: '/v1/incidents/{id}/ack',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'Acknowledge an open incident (stops escalation)',
    tags: ['incidents'],
    params: IdParams,
    responses: { 200: { description: 'Acknowledged', schema: Incident }, ...unauthorized, ...notFound, 409: { description: 'Not open', schema: ErrorResponse } },
  }),
  createSilence: defineRoute({
    method: 'POST',
    path: '/v1/silences',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'Maintenance window: matching alerts are recorded but not notified',
    tags: ['alerts'],
    body: CreateSilenceRequest,
    responses: { 201: { description: 'Created' }, ...badRequest, ...unauthorized },
  }),
  listSilences: defineRoute({
    method: 'GET',
    path: '/v1/silences',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'Active and future silences',
    tags: ['alerts'],
    responses: { 200: { description: 'Silences' }, ...unauthorized },
  }),
  deleteSilence: defineRoute({
    method: 'DELETE',
    path: '/v1/silences/{id}',
    handler: 'incidents',
    auth: 'bearer',
    summary: 'End a silence',
    tags: ['alerts'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, ...unauthorized },
  }),
  triggerMetricPull: defineRoute({
    method: 'POST',
    path: '/v1/metrics/pull',
    handler: 'metrics',
    auth: 'bearer',
    summary: 'Start a metric pull now: the same workflow the schedule runs',
    tags: ['metrics'],
    responses: { 202: { description: 'Started', schema: PullStarted }, ...unauthorized },
  }),
  listAnomalies: defineRoute({
    method: 'GET',
    path: '/v1/anomalies',
    handler: 'metrics',
    auth: 'bearer',
    summary: 'Scored golden signals, newest first (status anomaly or normal)',
    tags: ['metrics'],
    query: AnomalyQuery,
    responses: { 200: { description: 'Anomalies', schema: AnomalyList }, ...badRequest, ...unauthorized },
  }),
  getForecast: defineRoute({
    method: 'GET',
    path: '/v1/forecast',
    handler: 'metrics',
    auth: 'bearer',
    summary: 'CPU forecast (Holt-Winters with daily and weekly seasonality) and capacity recommendations',
    tags: ['metrics'],
    query: ForecastQuery,
    responses: { 200: { description: 'Forecast', schema: Forecast }, ...badRequest, ...unauthorized, ...notFound },
  }),
  fleetOverview: defineRoute({
    method: 'GET',
    path: '/v1/fleet/overview',
    handler: 'metrics',
    auth: 'bearer',
    summary: 'Health score per cluster and each cluster’s error rate against the fleet average',
    tags: ['metrics'],
    responses: { 200: { description: 'Fleet overview' }, ...unauthorized },
  }),
  // --- Root-cause analysis ---
  startRca: defineRoute({
    method: 'POST',
    path: '/v1/rca',
    handler: 'rca',
    auth: 'bearer',
    summary: 'Start a root-cause analysis of a service (the same workflow every new incident gets)',
    tags: ['rca'],
    body: StartRcaRequest,
    responses: { 202: { description: 'Started', schema: RcaStarted }, ...badRequest, ...unauthorized, ...notFound },
  }),
  getRca: defineRoute({
    method: 'GET',
    path: '/v1/rca/{id}',
    handler: 'rca',
    auth: 'bearer',
    summary: 'An RCA: its status and, once SUCCEEDED, the report',
    tags: ['rca'],
    params: IdParams,
    responses: { 200: { description: 'RCA', schema: Rca }, ...unauthorized, ...notFound },
  }),
} satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof ROUTES;

export const ROUTE_LIST: (RouteDefinition & { id: string })[] = Object.entries(ROUTES).map(([id, route]) => ({
  id,
  ...(route as RouteDefinition),
}));

/** Handlers that serve at least one route (each becomes one Lambda in AWS). */
export function httpHandlerNames(options: { includeLocalOnly: boolean }): string[] {
  return [...new Set(ROUTE_LIST.filter((r) => options.includeLocalOnly || !r.localOnly).map((r) => r.handler))];
}

export const NoQuery = z.object({}).strict();
