import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { findCluster } from '../core/clusters/find.ts';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { rcaIdForIncident, startRca } from '../core/rca/start.ts';
import { logger } from '../observability.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { rcaStartPorts } from '../wiring/rca.ts';

const IncidentOpenedDetail = z.object({
  id: z.string().min(1).max(128),
  cluster: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253),
  service: z.string().min(1).max(253),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  firstSeen: z.string(),
});

/**
 * IncidentOpened → an RCA. The id comes from the incident, so a redelivered event converges on the
 * same RCA (and the same execution name). A malformed event is logged and dropped.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = IncidentOpenedDetail.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('dropping malformed IncidentOpened event', { id: event.id, issues: detail.error.issues.length });
    return { started: false };
  }
  const incident = detail.data;
  const cluster = await findCluster(clusterStore(), incident.cluster);
  const result = await startRca(rcaStartPorts(), {
    rcaId: rcaIdForIncident(incident.id),
    incidentId: incident.id,
    // An unregistered cluster still gets an RCA: its cluster sources fail and the report says so.
    clusterId: cluster?.id ?? '',
    cluster: cluster?.name ?? incident.cluster,
    namespace: incident.namespace,
    service: incident.service,
    severity: incident.severity,
    at: incident.firstSeen,
  });
  logger.info('rca started', { rcaId: result.id, incidentId: incident.id, created: result.created });
  return { started: true, id: result.id };
}).use(injectLambdaContext(logger, { resetKeys: true }));
