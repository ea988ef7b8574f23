import { BedrockRcaDiagnoser } from '../adapters/aws/bedrock/rca-diagnoser.ts';
import { secretsOf } from '../adapters/kube/rca-evidence.ts';
import type { RcaDiagnoser } from '../core/rca/complete.ts';
import type { RcaTarget } from '../core/rca/evidence.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';
import { rcaReportCache } from './rca.ts';

// Apart from wiring/rca.ts: the model client and the Kubernetes client (for the secrets to scrub) are heavy, and only
// the analyze step uses them; the API, trigger and failure handlers start or read RCAs without them.
let diagnoser: { base: unknown; value: RcaDiagnoser | undefined } | undefined;

/** The model diagnoser when FLEETOPS_RCA_ENGINE=bedrock; undefined means rules only. */
export function rcaDiagnoser(): RcaDiagnoser | undefined {
  const base = wiring();
  if (diagnoser?.base === base) return diagnoser.value;
  const c = base.config;
  const value =
    c.FLEETOPS_RCA_ENGINE === 'bedrock'
      ? new BedrockRcaDiagnoser({
          modelId: c.FLEETOPS_RCA_MODEL_ID,
          region: c.FLEETOPS_RCA_BEDROCK_REGION ?? c.AWS_REGION,
          ...(c.FLEETOPS_BEDROCK_ENDPOINT ? { endpoint: c.FLEETOPS_BEDROCK_ENDPOINT } : {}),
          maxTurns: c.FLEETOPS_RCA_MAX_TURNS,
          maxTokens: c.FLEETOPS_RCA_MAX_TOKENS,
          timeoutMs: c.FLEETOPS_RCA_TIMEOUT_MS,
          anonymize: c.FLEETOPS_RCA_ANONYMIZE,
          maskPii: c.FLEETOPS_RCA_MASK_PII,
          cache: c.FLEETOPS_RCA_CACHE_TTL_SECONDS > 0 ? { store: rcaReportCache(), ttlSeconds: c.FLEETOPS_RCA_CACHE_TTL_SECONDS } : undefined,
          secrets: secretsFor,
        })
      : undefined;
  diagnoser = { base, value };
  return value;
}

/** Secret values and secret-backed env names in the namespace: scrubbed from anything sent to the model. */
async function secretsFor(target: RcaTarget): Promise<{ values: string[]; names: string[] }> {
  const record = target.clusterId ? await clusterStore().get(target.clusterId) : undefined;
  if (!record) return { values: [], names: [] };
  return secretsOf(await (await clusterRegistry().client(record)).listPods(target.namespace));
}
