import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { AnomalyList, AnomalyQuery, Forecast, ForecastQuery, PullStarted } from '../../schemas/metrics.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/metrics.ts (see ../routes.ts for the whole table). */
export const METRICS_ROUTES = {
  triggerMetricPull: defineRoute({
    method: 'POST',
    path: '/v1/metrics/pull',
    handler: 'metrics',
    auth: 'bearer',
    role: 'operator',
    summary: 'Start a metric pull now: the same workflow the schedule runs',
    tags: ['metrics'],
    responses: { 202: { description: 'Started', schema: PullStarted }, ...unauthorized },
  }),
  listAnomalies: defineRoute({
    method: 'GET',
    path: '/v1/anomalies',
    handler: 'metrics',
    auth: 'bearer',
    role: 'viewer',
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
    role: 'viewer',
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
    role: 'viewer',
    summary: 'Health score per cluster and each cluster’s error rate against the fleet average',
    tags: ['metrics'],
    responses: { 200: { description: 'Fleet overview' }, ...unauthorized },
  }),
  // Healing (issue 9)
} satisfies Record<string, RouteDefinition>;
