import { EVENT_SOURCES } from '../core/platform/events.ts';
import { HEALABLE_ISSUE_TYPES } from '../core/healing/strategies/index.ts';

/**
 * EventBridge rules and schedules, as plain data: CDK deploys them (lib/constructs/events.ts)
 * and the local bus and scheduler (local/) run the very same patterns and targets.
 */
export type EventTarget = { kind: 'function'; handler: string } | { kind: 'workflow'; workflow: string };

export interface RuleDefinition {
  id: string;
  description: string;
  /** An EventBridge event pattern. */
  pattern: Record<string, unknown>;
  target: EventTarget;
  /** The default bus receives AWS service events (CloudWatch alarms); ours receives fleetops events. */
  bus: 'fleetops' | 'default';
}

export interface ScheduleDefinition {
  id: string;
  description: string;
  /** Rate in minutes in AWS. */
  rateMinutes: number;
  /** Environment variable that overrides the local interval in seconds. */
  localIntervalEnv?: string;
  /** Local interval when the variable is unset (default: the AWS rate). */
  localDefaultSeconds?: number;
  target: EventTarget;
}

export { EVENT_SOURCES };

export const RULES: RuleDefinition[] = [
  {
    id: 'cloudwatch-alarms',
    description: 'CloudWatch alarm state changes become alerts: ALARM opens, OK resolves',
    bus: 'default',
    pattern: {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { state: { value: ['ALARM', 'OK'] } },
    },
    target: { kind: 'function', handler: 'ingest-event' },
  },
  {
    id: 'anomalies-to-alerts',
    description: 'Anomalies found by the metric pull become alerts',
    bus: 'fleetops',
    pattern: { source: ['fleetops.metrics'], 'detail-type': ['AnomalyDetected'] },
    target: { kind: 'function', handler: 'ingest-event' },
  },
  {
    id: 'rca-to-healing',
    description: 'An RCA whose issue type has a healing strategy starts a healing run',
    bus: 'fleetops',
    pattern: { source: ['fleetops.rca'], 'detail-type': ['RcaCompleted'], detail: { issueType: [...HEALABLE_ISSUE_TYPES] } },
    target: { kind: 'workflow', workflow: 'healing' },
  },
  {
    id: 'ecr-image-pushes',
    description: 'Image pushes start the deployments their deploy triggers map them to',
    bus: 'default',
    pattern: {
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
    },
    target: { kind: 'function', handler: 'deploy-ecr' },
  },
  {
    id: 'anomaly-ends-to-alerts',
    description: 'An anomaly gone for K consecutive pulls resolves its alert (and the incident once all its alerts have)',
    bus: 'fleetops',
    pattern: { source: ['fleetops.metrics'], 'detail-type': ['AnomalyResolved'] },
    target: { kind: 'function', handler: 'ingest-event' },
  },
  {
    id: 'cluster-deleted-to-alerts',
    description: 'A deregistered cluster is pulled no more: its incidents resolve (those nothing joined since), each announced once',
    bus: 'fleetops',
    pattern: { source: ['fleetops.clusters'], 'detail-type': ['ClusterDeleted'] },
    target: { kind: 'function', handler: 'ingest-event' },
  },
  {
    id: 'cluster-health-to-alerts',
    description:
      'A cluster whose stored health score stayed below the threshold for the window fires ClusterHealthDegraded; its recovery resolves it (issue 24)',
    bus: 'fleetops',
    pattern: { source: ['fleetops.metrics'], 'detail-type': ['ClusterHealthDegraded'] },
    target: { kind: 'function', handler: 'ingest-event' },
  },
  {
    id: 'kube-state-to-alerts',
    description: 'Kubernetes conditions found by the pull (crash loops, OOM kills, image pulls, NotReady nodes, ...) fire and resolve alerts',
    bus: 'fleetops',
    pattern: { source: ['fleetops.metrics'], 'detail-type': ['KubeStateChanged'] },
    target: { kind: 'function', handler: 'ingest-kube-state' },
  },
  {
    id: 'predicted-breach-to-alerts',
    description:
      'A container whose memory is forecast to reach its limit within the hour fires a PredictedBreach alert, resolved when the forecast no longer crosses (issue 22)',
    bus: 'fleetops',
    pattern: { source: ['fleetops.metrics'], 'detail-type': ['PredictedBreach'] },
    target: { kind: 'function', handler: 'ingest-predicted-breach' },
  },
  {
    id: 'training-continue',
    description: 'A model-training run that did not fit in one invocation continues where its cursor stopped',
    bus: 'fleetops',
    pattern: { source: ['fleetops.training'], 'detail-type': ['TrainingContinue'] },
    target: { kind: 'function', handler: 'train-models' },
  },
  {
    id: 'incident-opened-rca',
    description: 'Every new incident gets a root-cause analysis (the RCA id is derived from the incident: redelivery is harmless)',
    bus: 'fleetops',
    pattern: { source: ['fleetops.alerts'], 'detail-type': ['IncidentOpened'] },
    target: { kind: 'function', handler: 'rca-trigger' },
  },
  {
    id: 'rca-report-to-slack',
    description: 'A finished RCA is posted to the Slack conversation that asked for it (/fleet diagnose, Run RCA button)',
    bus: 'fleetops',
    pattern: { source: ['fleetops.rca'], 'detail-type': ['RcaCompleted'] },
    target: { kind: 'function', handler: 'slack-followup' },
  },
  {
    id: 'deploy-result-to-slack',
    description: 'A finished deployment started from Slack (/fleet deploy) posts its per-wave result to that conversation',
    bus: 'fleetops',
    pattern: { source: ['fleetops.deploy'], 'detail-type': ['DeploymentSucceeded', 'DeploymentFailed'] },
    target: { kind: 'function', handler: 'slack-followup' },
  },
];

export const SCHEDULES: ScheduleDefinition[] = [
  {
    id: 'metric-pull',
    description: 'Pull and score the golden signals of every service on every active cluster',
    rateMinutes: 5,
    localIntervalEnv: 'FLEETOPS_PULL_INTERVAL_SECONDS',
    localDefaultSeconds: 60,
    target: { kind: 'workflow', workflow: 'metric-pull' },
  },
  {
    id: 'train-models',
    description: 'Retrain the per-service Isolation Forests and autoencoders on the last days of samples',
    rateMinutes: 360,
    localIntervalEnv: 'FLEETOPS_TRAIN_INTERVAL_SECONDS',
    localDefaultSeconds: 900,
    target: { kind: 'function', handler: 'train-models' },
  },
  {
    id: 'incident-escalation',
    description: 'Escalate open incidents not acknowledged in time',
    rateMinutes: 1,
    localIntervalEnv: 'FLEETOPS_ESCALATION_INTERVAL_SECONDS',
    target: { kind: 'function', handler: 'incident-escalation' },
  },
  {
    id: 'cluster-health',
    description: 'Probe every registered cluster; mark it active or unreachable',
    rateMinutes: 5,
    localIntervalEnv: 'FLEETOPS_HEALTH_INTERVAL_SECONDS',
    target: { kind: 'function', handler: 'cluster-health' },
  },
  {
    id: 'catalog-pull',
    description: 'Read the configured catalog-info.yaml URLs (FLEETOPS_CATALOG_URLS) into the service catalog',
    rateMinutes: 15,
    localIntervalEnv: 'FLEETOPS_CATALOG_PULL_INTERVAL_SECONDS',
    localDefaultSeconds: 300,
    target: { kind: 'function', handler: 'catalog-pull' },
  },
  {
    id: 'scorecards-refresh',
    description: 'Recompute the scorecards of the components whose stored card is older than FLEETOPS_SCORECARD_MAX_AGE_SECONDS, stalest first',
    rateMinutes: 15,
    localIntervalEnv: 'FLEETOPS_SCORECARD_REFRESH_INTERVAL_SECONDS',
    localDefaultSeconds: 900,
    target: { kind: 'function', handler: 'scorecards-refresh' },
  },
];
