/**
 * Approving or rejecting a healing that waits in PENDING_APPROVAL. The API route calls this with the
 * verified identity of the request; a Slack button handler calls the very same function with the
 * mapped Slack identity. Only an `approver` may answer; the record and the audit name the identity.
 */
import type { Clock, TaskCallbacks } from '../platform/ports.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { hasRole, type Identity } from '../identity/identity.ts';
import type { HealingStore } from './ports.ts';
import type { HealingRecord } from './types.ts';

export interface ApprovalAnswer {
  id: string;
  decision: 'approve' | 'reject';
  /** Who answered, verified (from the credential, never from a request body): its role is checked. */
  identity?: Identity;
  /** A name only: never enough on its own (refused with 403); kept so callers may still pass it. */
  by?: string;
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
  const { identity } = answer;
  // A bare name is not a verified approver: it may neither approve nor reject (a reject would end the run).
  if (!identity)
    throw new ForbiddenError(
      `An answer to healing ${answer.id} needs a verified identity with the approver role${answer.by ? `, not just a name (${answer.by})` : ''}`,
    );
  if (!hasRole(identity, 'approver'))
    throw new ForbiddenError(`${identity.displayName} may not answer healing approvals (role ${identity.role ?? 'none'}, needs approver)`);
  const by = `${identity.subject} (${identity.displayName})`;
  const who = { approvedBySubject: identity.subject, ...(identity.role ? { approvedByRole: identity.role } : {}) };
  const record = await deps.store.get(answer.id);
  if (!record) throw new NotFoundError(`Healing ${answer.id} not found`);
  if (record.status !== 'PENDING_APPROVAL' || !record.taskToken)
    throw new ConflictError(`Healing ${answer.id} is ${record.status}, not waiting for approval`, 'NOT_PENDING');
  const now = deps.clock.now();
  if (record.approvalExpiresAt && Date.parse(record.approvalExpiresAt) <= now.getTime()) {
    throw new ConflictError(`The approval of healing ${answer.id} expired at ${record.approvalExpiresAt}`, 'APPROVAL_EXPIRED');
  }
  const at = now.toISOString();
  const approve = answer.decision === 'approve';
  const changes: Partial<HealingRecord> = approve
    ? {
        status: 'EXECUTING',
        approvedBy: by,
        ...who,
        approvedAt: at,
        reason: `approved by ${by}: ${record.reason.replace(/^waiting for approval until \S+: /, '')}`,
        updatedAt: at,
      }
    : { status: 'REJECTED', rejectedBy: by, rejectedAt: at, reason: `rejected by ${by}${answer.reason ? `: ${answer.reason}` : ''}`, updatedAt: at };
  const won = await deps.store.update(answer.id, changes, { statusIn: ['PENDING_APPROVAL'] });
  if (!won) throw new ConflictError(`Healing ${answer.id} was answered or expired meanwhile`, 'NOT_PENDING');
  await deps.store.audit(answer.id, {
    step: 'approval',
    at,
    actor: by,
    what: approve ? 'approved' : 'rejected',
    result: approve ? 'approved' : 'rejected',
    // Answering a run one requested oneself is allowed (an approver may heal directly under the ceiling) but recorded.
    after: {
      subject: identity.subject,
      displayName: identity.displayName,
      role: identity.role,
      credential: identity.kind,
      requestedBy: record.requestedBy,
      ...(record.requestedBy === identity.subject ? { selfApproved: true } : {}),
      ...(answer.reason ? { reason: answer.reason } : {}),
    },
  });
  try {
    await deps.callbacks.succeed(record.taskToken, { decision: approve ? 'approved' : 'rejected', by });
  } catch (error) {
    // The wait ended (timed out) between our read and the callback: the expiry step rules.
    if ((error as { name?: string }).name === 'TaskDoesNotExist' || (error as { name?: string }).name === 'TaskTimedOut') {
      throw new ConflictError(`The approval of healing ${answer.id} expired`, 'APPROVAL_EXPIRED');
    }
    throw error;
  }
  return { ...record, ...changes };
}
