/**
 * A `ClusterHealthDegraded` event as an alert of the pipeline: cluster-scoped (namespace kube-system, service
 * `cluster`, as node conditions live on `node/<name>` there), labels cluster and environment. The score stays out
 * of the labels: they make the alert id, which the resolved form must share with the firing one.
 */
import { dedupFingerprint, instanceId } from '../alerts/fingerprint.ts';
import type { NormalizedAlert } from '../alerts/types.ts';
import { CLUSTER_HEALTH_DETAIL_TYPE, type ClusterHealthDegradedDetail } from './health-record.ts';

export const CLUSTER_SERVICE = 'cluster';
const CLUSTER_NAMESPACE = 'kube-system';

export function clusterHealthAlert(detail: ClusterHealthDegradedDetail): NormalizedAlert {
  const subject = {
    cluster: detail.cluster,
    namespace: CLUSTER_NAMESPACE,
    service: CLUSTER_SERVICE,
    type: CLUSTER_HEALTH_DETAIL_TYPE,
    labels: { cluster: detail.cluster, environment: detail.environment, source: 'fleet-health' },
  };
  const pct = (v: number) => `${Math.round(v * 1000) / 10}`;
  return {
    ...subject,
    fingerprint: dedupFingerprint(subject),
    alertId: instanceId(subject),
    source: 'fleet-health',
    severity: 'medium',
    status: detail.status,
    message:
      detail.status === 'firing'
        ? `Cluster ${detail.cluster} health ${pct(detail.score)}/100 has been below ${pct(detail.threshold)} for ${detail.windowMinutes} min`
        : `Cluster ${detail.cluster} health is back to ${pct(detail.score)}/100`,
    startsAt: detail.since,
    ...(detail.status === 'resolved' ? { endsAt: detail.at } : {}),
  };
}
