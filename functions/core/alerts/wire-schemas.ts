import * as z from 'zod';
import { matcherProblem } from './silences.ts';
import { internalSourceMessage, isInternalAlertSource } from './sources.ts';

/** Limits: generous for real Alertmanager traffic, small enough that one request cannot flood a Lambda. */
export const MAX_ALERTS_PER_PAYLOAD = 1000;
const MAX_LABELS = 64;

const labelName = z.string().min(1).max(128);
const labelValue = z.string().max(1024);
const annotationValue = z.string().max(8192);
const timestamp = z.iso.datetime({ offset: true });

export const Labels = z.record(labelName, labelValue).refine((v) => Object.keys(v).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} labels` });
const Annotations = z.record(labelName, annotationValue).refine((v) => Object.keys(v).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} annotations` });

export const AlertStatus = z.enum(['firing', 'resolved']);

/** One alert inside an Alertmanager webhook. Unknown fields are kept (newer Alertmanagers add some). */
export const AlertmanagerAlert = z.looseObject({
  status: AlertStatus,
  labels: Labels,
  annotations: Annotations.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().max(128).optional(),
});

/** Alertmanager webhook body, version 4. */
export const AlertmanagerWebhook = z
  .looseObject({
    version: z.literal('4'),
    groupKey: z.string().max(8192),
    truncatedAlerts: z.number().int().min(0).default(0),
    status: AlertStatus,
    receiver: z.string().max(512),
    groupLabels: Labels.default({}),
    commonLabels: Labels.default({}),
    commonAnnotations: Annotations.default({}),
    externalURL: z.string().max(4096).default(''),
    alerts: z.array(AlertmanagerAlert).min(1).max(MAX_ALERTS_PER_PAYLOAD),
  })
  .meta({ id: 'AlertmanagerWebhook', description: 'Prometheus Alertmanager webhook payload, version 4' });

/** Severity words accepted from callers; core maps warning/info/page/error onto the four levels. */
export const SeverityInput = z.enum(['critical', 'high', 'medium', 'low', 'warning', 'info', 'page', 'error']);
export const Severity = z.enum(['critical', 'high', 'medium', 'low']);

const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be a name (letters, digits, . _ : / -)');

export const AlertRequest = z
  .object({
    source: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._:/-]+$/, 'must be a source name')
      .refine((source) => !isInternalAlertSource(source), { error: (issue) => internalSourceMessage(String(issue.input)) }),
    cluster: name,
    namespace: name.optional(),
    service: name,
    type: z.string().min(1).max(128),
    severity: SeverityInput,
    message: z.string().min(1).max(4096),
    status: AlertStatus.optional(),
    labels: Labels.optional(),
  })
  .strict()
  .meta({ id: 'AlertRequest', description: 'A generic alert from any source' });

export const AlertsAccepted = z.object({ received: z.number().int().min(0), incidents: z.array(z.string()) }).meta({ id: 'AlertsAccepted' });

/** `detail` of an EventBridge "CloudWatch Alarm State Change" event. */
const CloudWatchState = z.looseObject({
  value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string().max(16384).optional(),
  reasonData: z.string().max(65536).optional(),
  timestamp: z.string().max(64),
});

const CloudWatchMetric = z.looseObject({
  id: z.string().optional(),
  metricStat: z
    .looseObject({
      metric: z.looseObject({
        dimensions: z.record(z.string(), z.string()).default({}),
        name: z.string(),
        namespace: z.string(),
      }),
      period: z.number().optional(),
      stat: z.string().optional(),
    })
    .optional(),
  expression: z.string().optional(),
  returnData: z.boolean().optional(),
});

export const CloudWatchAlarmStateChangeDetail = z
  .looseObject({
    alarmName: z.string().min(1).max(255),
    state: CloudWatchState,
    previousState: CloudWatchState.optional(),
    configuration: z
      .looseObject({
        description: z.string().max(1024).optional(),
        metrics: z.array(CloudWatchMetric).max(20).default([]),
      })
      .default({ metrics: [] }),
    /** Not part of AWS's event; accepted when an enrichment step adds the alarm's tags. */
    tags: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'CloudWatchAlarmStateChangeDetail' });

export const CloudWatchAlarmEvent = z.looseObject({
  source: z.string(),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  resources: z.array(z.string()).default([]),
  detail: CloudWatchAlarmStateChangeDetail,
});

export const AnomalyFeatures = z.record(z.string(), z.number());

/** `detail` of the fleetops `AnomalyDetected` event. */
export const AnomalyDetectedDetail = z
  .object({
    cluster: name,
    namespace: name,
    service: name,
    /** The Isolation Forest score as in GET /v1/anomalies (scikit-learn convention: negative, lower = more abnormal). */
    score: z.number().min(-1).max(1),
    severity: SeverityInput,
    features: AnomalyFeatures,
    at: timestamp,
    /** The first detection layer that fired (guardrail, peers, baseline, learned) and why. */
    layer: z.enum(['guardrail', 'peers', 'baseline', 'learned']).optional(),
    reasons: z.array(z.string().max(500)).max(10).optional(),
    /** When the ongoing condition started. */
    since: timestamp.optional(),
    /** Other services of the namespace anomalous in the same pull (a grouping hint). */
    alsoAnomalous: z.array(name).max(50).optional(),
  })
  .meta({ id: 'AnomalyDetectedDetail' });

/** `detail` of the fleetops `AnomalyResolved` event: the condition has been gone for K consecutive pulls. */
export const AnomalyResolvedDetail = z
  .object({
    cluster: name,
    namespace: name,
    service: name,
    at: timestamp,
  })
  .meta({ id: 'AnomalyResolvedDetail' });

export const IncidentStatus = z.enum(['open', 'acknowledged', 'resolved']);

export const Incident = z
  .object({
    id: z.string(),
    cluster: z.string(),
    namespace: z.string(),
    service: z.string(),
    type: z.string(),
    severity: Severity,
    status: IncidentStatus,
    alertCount: z.number().int(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    rcaId: z.string().optional(),
    healingIds: z.array(z.string()).optional(),
    title: z.string().optional(),
    importance: z.number().optional(),
    notify: z.boolean().optional(),
    acknowledgedAt: z.string().optional(),
    resolvedAt: z.string().optional(),
    resolution: z
      .string()
      .optional()
      .describe(
        'Why it resolved, when not because its alerts ended: `cluster-deregistered` (its cluster was deleted; nothing pulls it any more), `alerts-moved` (everything firing in it moved to another incident: a symptom a callee explains, or one split off as another fault)',
      ),
    services: z.array(z.string()).optional(),
    types: z.array(z.string()).optional().describe('Every alert type that has joined the incident'),
    owner: z
      .string()
      .optional()
      .describe("The owning team: the alert's team/owner label, the routing config's service owner, or the service catalog's owner ref"),
    splitFrom: z.string().optional().describe('The incident this one split off from: its symptom was not explained by, or outlived, that incident’s fault'),
    predictedBreachAt: z.string().optional().describe('PredictedBreach incidents: when the forecast reaches the limit (ISO time)'),
    /** Notes other features add (healing: verified or undone actions). */
    notes: z.array(z.object({ at: z.string(), author: z.string(), text: z.string() })).optional(),
  })
  .meta({ id: 'Incident' });

export const IncidentList = z.object({ items: z.array(Incident) }).meta({ id: 'IncidentList' });

export const IncidentListQuery = z.object({ status: IncidentStatus.optional() }).strict();

export const SilenceMatcher = z
  .object({
    name: labelName,
    value: z.string().max(1024),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .superRefine((matcher, ctx) => {
    // Compiled at creation, so a bad pattern is a 400 here instead of a failure on every later alert.
    const problem = matcherProblem(matcher);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

export const CreateSilenceRequest = z
  .object({
    matchers: z.array(SilenceMatcher).min(1).max(32),
    startsAt: timestamp.optional(),
    endsAt: timestamp,
    createdBy: z.string().min(1).max(256),
    comment: z.string().max(1024).default(''),
  })
  .strict()
  .meta({ id: 'CreateSilenceRequest' });
