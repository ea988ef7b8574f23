/** A `KubeStateChanged` event as an alert of the pipeline: one alert instance per (cluster, namespace, service, condition). */
import { dedupFingerprint, instanceId } from '../alerts/fingerprint.ts';
import type { NormalizedAlert } from '../alerts/types.ts';
import type { KubeStateChangedDetail } from './pull.ts';

export function kubeStateAlert(detail: KubeStateChangedDetail): NormalizedAlert {
  // Pod names stay out of the labels: they make the alert id, which must survive pod replacement.
  const subject = {
    cluster: detail.cluster,
    namespace: detail.namespace,
    service: detail.service,
    type: detail.type,
    labels: { issue_type: detail.issueType, source: 'kube-state' },
  };
  return {
    ...subject,
    fingerprint: dedupFingerprint(subject),
    alertId: instanceId(subject),
    source: 'kube-state',
    severity: detail.severity,
    status: detail.status,
    message: detail.message,
    startsAt: detail.since,
    ...(detail.status === 'resolved' ? { endsAt: detail.at } : {}),
  };
}
