/**
 * Approving or rejecting a healing that waits in PENDING_APPROVAL. The API route calls this; a
 * Slack button handler calls the very same function with the Slack user as `by`.
 */
import type { Clock, TaskCallbacks } from '../platform/ports.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { HealingStore } from './ports.ts';
import type { HealingRecord } from './types.ts';

export interface ApprovalAnswer {
  id: string;
  decision: 'approve' | 'reject';
  /** Who answered: recorded on the item and in the audit trail. */
  by: string;
  reason?: string;
}

export interface ApprovalDeps {
  store: HealingStore;
  callbacks: TaskCallbacks;
  clock: Clock;
}

/**
 * Records the answer with a conditional write (only a PENDING_APPROVAL, unexpired record
 * changes, so two answers cannot both win), then resumes the workflow through its task token.
 * Throws NotFoundError, or ConflictError `NOT_PENDING` / `APPROVAL_EXPIRED`.
 */
export async function answerApproval(deps: ApprovalDeps, answer: ApprovalAnswer): Promise<HealingRecord> {
  const record = await deps.store.get(answer.id);
  if (!record) throw new NotFoundError(`Healing ${answer.id} not found`);
  if (record.status !== 'PENDING_APPROVAL' || !record.taskToken) throw new ConflictError(`Healing ${answer.id} is ${record.status}, not waiting for approval`, 'NOT_PENDING');
  const now = deps.clock.now();
  if (record.approvalExpiresAt && Date.parse(record.approvalExpiresAt) <= now.getTime()) {
    throw new ConflictError(`The approval of healing ${answer.id} expired at ${record.approvalExpiresAt}`, 'APPROVAL_EXPIRED');
  }
  const at = now.toISOString();
  const approve = answer.decision === 'approve';
  const changes: Partial<HealingRecord> = approve
    ? { status: 'EXECUTING', approvedBy: answer.by, approvedAt: at, reason: `approved by ${answer.by}: ${record.reason.replace(/^waiting for approval until \S+: /, '')}`, updatedAt: at }
    : { status: 'REJECTED', rejectedBy: answer.by, rejectedAt: at, reason: `rejected by ${answer.by}${answer.reason ? `: ${answer.reason}` : ''}`, updatedAt: at };
  const won = await deps.store.update(answer.id, changes, { statusIn: ['PENDING_APPROVAL'] });
  if (!won) throw new ConflictError(`Healing ${answer.id} was answered or expired meanwhile`, 'NOT_PENDING');
  await deps.store.audit(answer.id, {
    step: 'approval',
    at,
    actor: answer.by,
    what: approve ? 'approved' : 'rejected',
    result: approve ? 'approved' : 'rejected',
    ...(answer.reason ? { after: { reason: answer.reason } } : {}),
  });
  try {
    await deps.callbacks.succeed(record.taskToken, { decision: approve ? 'approved' : 'rejected', by: answer.by });
  } catch (error) {
    // The wait ended (timed out) between our read and the callback: the expiry step rules.
    if ((error as { name?: string }).name === 'TaskDoesNotExist' || (error as { name?: string }).name === 'TaskTimedOut') {
      throw new ConflictError(`The approval of healing ${answer.id} expired`, 'APPROVAL_EXPIRED');
    }
    throw error;
  }
  return { ...record, ...changes };
}
