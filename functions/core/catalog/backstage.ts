/** fleetops' registered clusters as Backstage `Resource` entities, so a Backstage instance can import them. */
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { API_VERSION, normalizeRef } from './entity.ts';

const LABEL = /^([a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?)?$/;

export function clusterResourceEntity(
  record: Pick<ClusterRecord, 'id' | 'name' | 'environment' | 'labels' | 'server' | 'version' | 'status'>,
  defaultOwner = 'group:default/platform',
): Record<string, unknown> {
  const owner =
    (record.labels.owner && normalizeRef(record.labels.owner, { kind: 'group' })) ||
    (record.labels.team && normalizeRef(record.labels.team, { kind: 'group' })) ||
    defaultOwner;
  const labels = Object.fromEntries(Object.entries(record.labels).filter(([k, v]) => k.length <= 63 && LABEL.test(k) && v.length <= 63 && LABEL.test(v)));
  return {
    apiVersion: API_VERSION,
    kind: 'Resource',
    metadata: {
      name: record.name,
      namespace: 'default',
      title: `${record.name} (${record.environment})`,
      description: `Kubernetes cluster registered in fleetops (${record.version}, ${record.status})`,
      labels: { ...labels, 'fleetops.io/environment': record.environment },
      annotations: {
        'fleetops.io/cluster-id': record.id,
        'kubernetes.io/api-server': record.server,
        'fleetops.io/kubernetes-version': record.version,
        'fleetops.io/status': record.status,
      },
      tags: ['kubernetes', 'fleetops'],
    },
    spec: { type: 'kubernetes-cluster', owner },
  };
}
