/**
 * Manual RCAs (POST /v1/rca, `/fleet diagnose`, the Run RCA button) cost model tokens and post log
 * excerpts: each caller and each service gets a fixed number per window. The counter is a
 * conditional write (DynamoDB in AWS and locally), so concurrent Lambdas cannot overshoot.
 * Approvers and admins (on-call leads) skip the per-service limit, which one operator could
 * otherwise exhaust and lock on-call out of diagnosing the service; they keep the per-caller limit.
 */
import { RateLimitedError } from '../errors.ts';
import { hasRole, type Role } from '../identity/identity.ts';

export interface RateCounter {
  /** Counts one against `key` in the window starting at `windowStart`; false (nothing counted) once `limit` is reached. */
  take(key: string, windowStart: Date, windowSeconds: number, limit: number): Promise<boolean>;
  /** Gives one back (a request refused by a later limit does not count against the earlier one). */
  release(key: string, windowStart: Date): Promise<void>;
}

export interface ManualRcaLimits {
  perUser: number;
  perService: number;
  windowSeconds: number;
}

export async function admitManualRca(
  counter: RateCounter,
  limits: ManualRcaLimits,
  caller: { subject: string; role?: Role | null },
  target: { cluster: string; namespace: string; service: string },
  now: Date,
): Promise<void> {
  const windowMs = limits.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  const span = limits.windowSeconds % 3600 === 0 ? `${limits.windowSeconds / 3600} h` : `${Math.round(limits.windowSeconds / 60)} min`;
  const userKey = `rca-user#${caller.subject}`;
  if (!(await counter.take(userKey, windowStart, limits.windowSeconds, limits.perUser))) {
    throw new RateLimitedError(`At most ${limits.perUser} manual RCAs per ${span} per caller; try again in ${retryAfter} s.`, retryAfter, 'RCA_RATE_LIMITED');
  }
  if (caller.role && hasRole({ role: caller.role }, 'approver')) return;
  const service = `${target.cluster}/${target.namespace}/${target.service}`;
  if (!(await counter.take(`rca-service#${service}`, windowStart, limits.windowSeconds, limits.perService))) {
    await counter.release(userKey, windowStart);
    throw new RateLimitedError(
      `At most ${limits.perService} manual RCAs per ${span} for ${service}; try again in ${retryAfter} s.`,
      retryAfter,
      'RCA_RATE_LIMITED',
    );
  }
}
