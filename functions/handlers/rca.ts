import { NotFoundError } from '../core/errors.ts';
import { findCluster } from '../core/clusters/find.ts';
import { newRcaId, startRca } from '../core/rca/start.ts';
import { RCA_ROUTES } from '../definitions/routes/rca.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { manualRcaAt, rcaStartPorts, rcaStore } from '../wiring/rca.ts';
import { wiring } from '../wiring.ts';
import { openIncidents } from '../wiring/healing-approvals.ts';
import { admitManualRcaFor } from '../wiring/rca-limits.ts';

export const handler = httpHandler(RCA_ROUTES, {
  startRca: async ({ body, identity }) => {
    const cluster = await findCluster(clusterStore(), body.clusterId);
    if (!cluster) throw new NotFoundError(`Cluster ${body.clusterId} not found`);
    // Per caller and per service: a script or a person cannot run up model spend (429 beyond).
    await admitManualRcaFor(identity, { cluster: cluster.name, namespace: body.namespace, service: body.service });
    // A manual RCA carries the severity of the service's open incident; without one, its healing only proposes.
    const open = await openIncidents().openIncident({ cluster: cluster.name, namespace: body.namespace, service: body.service });
    const { id } = await startRca(rcaStartPorts(), {
      rcaId: newRcaId(),
      clusterId: cluster.id,
      cluster: cluster.name,
      namespace: body.namespace,
      service: body.service,
      severity: open?.severity ?? 'medium',
      at: await manualRcaAt(cluster.name, body.namespace, body.service, wiring().clock.now()),
    });
    return json(202, { id });
  },

  getRca: async ({ params }) => {
    const record = await rcaStore().get(params.id);
    if (!record) throw new NotFoundError(`RCA ${params.id} not found`);
    const { id, status, report, incidentId, cluster, namespace, service, error, createdAt, updatedAt } = record;
    return json(200, {
      id,
      status,
      ...(report ? { report } : {}),
      ...(incidentId ? { incidentId } : {}),
      cluster,
      namespace,
      service,
      ...(error ? { error } : {}),
      createdAt,
      ...(status === 'RUNNING' ? {} : { completedAt: updatedAt }),
    });
  },
});
