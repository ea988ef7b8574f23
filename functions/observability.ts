import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger per process. Handlers add their context through the middy middleware;
 * nothing secret is ever passed to it (kubeconfigs and tokens stay inside adapters).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'fleetops',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? (process.env.VITEST ? 'SILENT' : 'INFO'),
});

/**
 * Business metrics as CloudWatch EMF (alerts received, anomalies found, clusters unreachable).
 * The local stack sets POWERTOOLS_METRICS_DISABLED so nothing is printed there.
 */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'fleetops', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'fleetops' });
