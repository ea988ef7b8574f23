import { DynamoHealingStore } from '../adapters/aws/dynamodb/healing-store.ts';
import { answerApproval, type ApprovalAnswer } from '../core/healing/approval.ts';
import type { HealingRecord } from '../core/healing/types.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: DynamoHealingStore } | undefined;

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
