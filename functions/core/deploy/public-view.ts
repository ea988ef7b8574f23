import type { DeploymentView } from './store.ts';

/** GET /v1/deployments/{id}: the contract's shape, plus a few descriptive extras. Never the values. */
export function publicDeployment(view: DeploymentView) {
  const { record } = view;
  return {
    id: record.id,
    status: record.status,
    release: record.release,
    namespace: record.namespace,
    trigger: record.trigger,
    ...(record.requestedBy ? { requestedBy: record.requestedBy } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
    createdAt: record.createdAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.message ? { message: record.message } : {}),
    waves: record.waves.map((spec, index) => {
      const wave = view.waves.find((w) => w.index === index);
      return {
        name: spec.name,
        status: wave?.status ?? 'PENDING',
        clusters: view.clusters
          .filter((c) => c.waveIndex === index)
          .sort((a, b) => a.cluster.localeCompare(b.cluster))
          .map((c) => ({
            clusterId: c.clusterId,
            cluster: c.cluster,
            status: c.status,
            ...(c.revision !== undefined ? { revision: c.revision } : {}),
            ...(c.message ? { message: c.message } : {}),
          })),
      };
    }),
  };
}
