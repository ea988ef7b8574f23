import { DynamoRateCounter } from '../adapters/aws/dynamodb/rate-counter.ts';
import { admitManualRca } from '../core/rca/rate-limit.ts';
import type { Role } from '../core/identity/identity.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; counter: DynamoRateCounter } | undefined;

/** The per-caller and per-service limit on manual RCAs (FLEETOPS_RCA_MANUAL_*), for the API and Slack alike. */
export async function admitManualRcaFor(
  caller: { subject: string; role?: Role | null },
  target: { cluster: string; namespace: string; service: string },
): Promise<void> {
  const base = wiring();
  if (built?.base !== base) built = { base, counter: new DynamoRateCounter(base.documentClient, base.config.TABLE_NAME) };
  const { FLEETOPS_RCA_MANUAL_PER_USER: perUser, FLEETOPS_RCA_MANUAL_PER_SERVICE: perService, FLEETOPS_RCA_MANUAL_WINDOW_SECONDS: windowSeconds } = base.config;
  await admitManualRca(built.counter, { perUser, perService, windowSeconds }, caller, target, base.clock.now());
}
