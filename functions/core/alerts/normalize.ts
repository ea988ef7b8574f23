import { signalsFromReasons } from './explain.ts';
import type { z } from 'zod';
import type { AlertmanagerWebhook, AlertRequest, AnomalyDetectedDetail, AnomalyResolvedDetail, CloudWatchAlarmEvent } from './wire-schemas.ts';
import { DEFAULT_DEDUP_LABELS, dedupFingerprint, instanceId } from './fingerprint.ts';
import { mapSeverity } from './severity.ts';
import type { NormalizedAlert, Severity } from './types.ts';

export interface NormalizeOptions {
  /** Labels hashed into the dedup fingerprint. */
  dedupLabels?: readonly string[];
  /** Used where the source has no cluster label. */
  defaultCluster?: string;
  defaultNamespace?: string;
  /** CloudWatch alarms carry no severity unless tagged. */
  cloudWatchSeverity?: Severity;
}

type Draft = Omit<NormalizedAlert, 'fingerprint' | 'alertId'> & { alertId?: string };

function finish(draft: Draft, options: NormalizeOptions): NormalizedAlert {
  return {
    ...draft,
    fingerprint: dedupFingerprint(draft, options.dedupLabels ?? DEFAULT_DEDUP_LABELS),
    alertId: draft.alertId ?? instanceId(draft),
  };
}

function first(labels: Record<string, string | undefined>, names: string[]): string | undefined {
  for (const name of names) {
    const value = labels[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** Alertmanager marks "no end" as year 1; Prometheus sends nanoseconds. Both normalise to ms ISO strings. */
function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const SERVICE_LABELS = ['service', 'app', 'app_kubernetes_io_name', 'job', 'deployment', 'container'];
const CLUSTER_LABELS = ['cluster', 'cluster_name', 'k8s_cluster'];
const NAMESPACE_LABELS = ['namespace', 'exported_namespace', 'kubernetes_namespace'];

export function normalizeAlertmanager(payload: z.output<typeof AlertmanagerWebhook>, now: Date, options: NormalizeOptions = {}): NormalizedAlert[] {
  return payload.alerts.map((alert) => {
    const labels = { ...payload.commonLabels, ...alert.labels };
    const annotations = { ...payload.commonAnnotations, ...alert.annotations };
    const type = labels.alertname ?? 'unknown';
    const summary = annotations.summary ?? annotations.message ?? annotations.description;
    const message = summary ? (annotations.description && annotations.description !== summary ? `${summary}: ${annotations.description}` : summary) : type;
    const endsAt = alert.status === 'resolved' ? (isoOrUndefined(alert.endsAt) ?? now.toISOString()) : undefined;
    return finish(
      {
        alertId: alert.fingerprint || undefined,
        source: 'alertmanager',
        cluster: first(labels, CLUSTER_LABELS) ?? options.defaultCluster ?? 'unknown',
        namespace: first(labels, NAMESPACE_LABELS) ?? options.defaultNamespace ?? 'default',
        service: first(labels, SERVICE_LABELS) ?? 'unknown',
        type,
        severity: mapSeverity(labels.severity, 'medium'),
        status: alert.status,
        message,
        labels,
        startsAt: isoOrUndefined(alert.startsAt) ?? now.toISOString(),
        ...(endsAt ? { endsAt } : {}),
        groupKey: payload.groupKey,
      },
      options,
    );
  });
}

export function normalizeRequest(body: z.output<typeof AlertRequest>, now: Date, options: NormalizeOptions = {}): NormalizedAlert {
  const status = body.status ?? 'firing';
  return finish(
    {
      source: body.source,
      cluster: body.cluster,
      namespace: body.namespace ?? options.defaultNamespace ?? 'default',
      service: body.service,
      type: body.type,
      severity: mapSeverity(body.severity),
      status,
      message: body.message,
      labels: body.labels ?? {},
      startsAt: now.toISOString(),
      ...(status === 'resolved' ? { endsAt: now.toISOString() } : {}),
    },
    options,
  );
}

/**
 * Where a CloudWatch alarm says which service it is about: explicit dimensions first, then the
 * resource a dimension names. ALB/target-group dimensions look like `app/<name>/<id>`: the name counts.
 */
const SERVICE_DIMENSIONS = [
  'Service',
  'ServiceName',
  'service',
  'FunctionName',
  'DBClusterIdentifier',
  'DBInstanceIdentifier',
  'QueueName',
  'TableName',
  'LoadBalancer',
  'TargetGroup',
  'AutoScalingGroupName',
  'InstanceId',
];

function resourceName(dimension: string, value: string): string {
  if (dimension === 'LoadBalancer' || dimension === 'TargetGroup') return value.split('/')[1] ?? value;
  return value;
}

/** One alert for ALARM (firing) or OK (resolved); INSUFFICIENT_DATA says nothing about the service: undefined. */
export function normalizeCloudWatch(event: z.output<typeof CloudWatchAlarmEvent>, now: Date, options: NormalizeOptions = {}): NormalizedAlert | undefined {
  const { detail } = event;
  if (detail.state.value === 'INSUFFICIENT_DATA') return undefined;
  const metric = detail.configuration.metrics.find((m) => m.metricStat)?.metricStat?.metric;
  const dimensions = metric?.dimensions ?? {};
  const tags = detail.tags ?? {};
  const dimension = SERVICE_DIMENSIONS.find((d) => dimensions[d]);
  const service = tags.service ?? tags.app ?? (dimension ? resourceName(dimension, dimensions[dimension]) : undefined) ?? detail.alarmName;
  const status = detail.state.value === 'ALARM' ? 'firing' : 'resolved';
  const at = isoOrUndefined(detail.state.timestamp) ?? isoOrUndefined(event.time) ?? now.toISOString();
  const labels: Record<string, string> = {
    ...dimensions,
    ...tags,
    alarmName: detail.alarmName,
    ...(metric ? { metricName: metric.name, metricNamespace: metric.namespace } : {}),
    ...(event.region ? { region: event.region } : {}),
    ...(event.account ? { account: event.account } : {}),
  };
  const description = detail.configuration.description;
  return finish(
    {
      alertId: event.resources[0] ?? undefined,
      source: 'cloudwatch',
      cluster: tags.cluster ?? dimensions.ClusterName ?? options.defaultCluster ?? (event.region ? `aws-${event.region}` : 'aws'),
      namespace: tags.namespace ?? dimensions.Namespace ?? options.defaultNamespace ?? 'default',
      service,
      type: detail.alarmName,
      severity: mapSeverity(tags.severity, options.cloudWatchSeverity ?? 'high'),
      status,
      message: description ? `${detail.alarmName}: ${description}` : detail.alarmName,
      labels,
      startsAt: at,
      ...(status === 'resolved' ? { endsAt: at } : {}),
    },
    options,
  );
}

function observedOf(features: Record<string, number>): Pick<NormalizedAlert, 'observed'> {
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x >= 0 ? x : undefined);
  const errorRatio = finite(features.error_rate);
  const requestsPerSecond = finite(features.request_rate);
  const latencyP95Seconds = finite(features.latency_p95);
  if (errorRatio === undefined && requestsPerSecond === undefined && latencyP95Seconds === undefined) return {};
  return {
    observed: {
      ...(errorRatio !== undefined ? { errorRatio: Math.min(1, errorRatio) } : {}),
      ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
      ...(latencyP95Seconds !== undefined ? { latencyP95Seconds } : {}),
    },
  };
}

export function normalizeAnomaly(detail: z.output<typeof AnomalyDetectedDetail>, options: NormalizeOptions = {}): NormalizedAlert {
  const top = Object.entries(detail.features)
    .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
    .slice(0, 3)
    .map(([k, v]) => `${k}=${Number(v.toFixed(3))}`)
    .join(', ');
  return finish(
    {
      source: 'anomaly',
      cluster: detail.cluster,
      namespace: detail.namespace,
      service: detail.service,
      type: 'AnomalyDetected',
      severity: mapSeverity(detail.severity),
      status: 'firing',
      message: detail.reasons?.length
        ? `Anomaly on ${detail.service}: ${detail.reasons.slice(0, 2).join('; ')}`
        : `Anomaly on ${detail.service} (score ${detail.score.toFixed(2)}${top ? `; ${top}` : ''})`,
      // The score stays out of the labels: labels make the alert id, which must not change per event.
      labels: {},
      startsAt: isoOrUndefined(detail.at) ?? detail.at,
      ...(detail.alsoAnomalous?.length ? { related: detail.alsoAnomalous } : {}),
      ...(signalsFromReasons(detail.reasons).length ? { signals: signalsFromReasons(detail.reasons) } : {}),
      ...observedOf(detail.features),
    },
    options,
  );
}

/**
 * The end of an anomaly: the same type and labels as `normalizeAnomaly`, hence the same fingerprint and
 * alert id, so the alert that fired resolves (and its incident with it once all its alerts have).
 */
export function normalizeAnomalyResolved(detail: z.output<typeof AnomalyResolvedDetail>, options: NormalizeOptions = {}): NormalizedAlert {
  const at = isoOrUndefined(detail.at) ?? detail.at;
  return finish(
    {
      source: 'anomaly',
      cluster: detail.cluster,
      namespace: detail.namespace,
      service: detail.service,
      type: 'AnomalyDetected',
      severity: 'low',
      status: 'resolved',
      message: `Anomaly on ${detail.service} is over`,
      labels: {},
      startsAt: at,
      endsAt: at,
    },
    options,
  );
}
