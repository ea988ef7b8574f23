import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { observabilityConfig } from './config.ts';

const settings = observabilityConfig();

/**
 * One logger per process. Handlers add their context through the middy middleware;
 * nothing secret is ever passed to it (kubeconfigs and tokens stay inside adapters).
 */
export const logger = new Logger({
  serviceName: settings.serviceName,
  logLevel: settings.logLevel as 'INFO',
});

/**
 * Business metrics as CloudWatch EMF (alerts received, anomalies found, clusters unreachable).
 * The local stack and the tests set POWERTOOLS_METRICS_DISABLED (read by Powertools) so nothing is printed there.
 */
export const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
