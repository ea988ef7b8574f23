import { DynamoHealingStore } from '../adapters/aws/dynamodb/healing-store.ts';
import { DynamoIncidentStore } from '../adapters/aws/dynamodb/incident-store.ts';
import { DynamoIncidentHealingLinks } from '../adapters/aws/dynamodb/incident-healing-links.ts';
import { HealingRequests } from '../core/healing/requests.ts';
import { answerApproval, type ApprovalAnswer } from '../core/healing/approval.ts';
import type { OpenIncidents } from '../core/healing/ports.ts';
import { openIncidentFor } from '../core/healing/safety.ts';
import type { HealingRecord } from '../core/healing/types.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';

let built: { base: unknown; store: DynamoHealingStore } | undefined;
let incidents: { base: unknown; value: OpenIncidents } | undefined;

/** Unresolved incidents looked at for the severity floor: open or acknowledged, last seen within a week. */
const FLOOR_WINDOW_MS = 7 * 86400_000;

/**
 * The service's most severe unresolved incident (open or acknowledged): the severity floor of
 * healing, and the severity a manual RCA of the service carries (API, Slack).
 */
export function openIncidents(): OpenIncidents {
  const base = wiring();
  if (incidents?.base === base) return incidents.value;
  const store = new DynamoIncidentStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  const value: OpenIncidents = {
    openIncident: async ({ cluster, namespace, service }) => {
      const since = new Date(base.clock.now().getTime() - FLOOR_WINDOW_MS);
      const pages = await Promise.all((['open', 'acknowledged'] as const).map((status) => store.listByStatus(status, { cluster, since, limit: 1000 })));
      return openIncidentFor(
        pages.flatMap((p) => p.items),
        { namespace, service },
      );
    },
    incident: async (id) => store.get(id),
  };
  incidents = { base, value };
  return value;
}

/** Healing records only: the approval path (API, Slack) stays free of the Kubernetes client. */
export function healingStore(): DynamoHealingStore {
  const base = wiring();
  if (built?.base !== base) built = { base, store: new DynamoHealingStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }) };
  return built.store;
}

/**
 * Approve or reject a healing waiting in PENDING_APPROVAL: what `POST /v1/healing/{id}/approve`
 * and `/reject` call, and what the Slack buttons and `/fleet heal approve|reject` call with the
 * Slack user as `by`. Throws NotFoundError, or ConflictError NOT_PENDING / APPROVAL_EXPIRED.
 */
export function answerHealingApproval(answer: ApprovalAnswer): Promise<HealingRecord> {
  const base = wiring();
  return answerApproval({ store: healingStore(), callbacks: base.taskCallbacks, clock: base.clock }, answer);
}

/** Recording heal requests (the API's part): no cluster client, Argo CD or notifier. */
export function healingRequests(): HealingRequests {
  const base = wiring();
  return new HealingRequests({
    store: healingStore(),
    clusterName: async (clusterId) => (await clusterStore().get(clusterId))?.name,
    incidents: new DynamoIncidentHealingLinks({ client: base.documentClient, tableName: base.config.TABLE_NAME }),
    openIncidents: openIncidents(),
    clock: base.clock,
  });
}
