import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per process. Handlers add their context through the middy middleware;
 * nothing secret is ever passed to it (kubeconfigs and tokens stay inside adapters).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'fleetops',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? (process.env.VITEST ? 'SILENT' : 'INFO'),
});
