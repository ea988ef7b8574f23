import { IncidentRcaLinks } from '../adapters/aws/dynamodb/incident-links.ts';
import { DynamoIncidentStore } from '../adapters/aws/dynamodb/incident-store.ts';
import { DynamoRcaStore } from '../adapters/aws/dynamodb/rca-store.ts';
import type { RcaStore } from '../core/rca/ports.ts';
import { symptomsSince, type RcaStartPorts } from '../core/rca/start.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: DynamoRcaStore; links: IncidentRcaLinks; incidents: DynamoIncidentStore } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const target = { client: base.documentClient, tableName: base.config.TABLE_NAME };
  built = { base, store: new DynamoRcaStore(target), links: new IncidentRcaLinks(target), incidents: new DynamoIncidentStore(target) };
  return built;
}

export const rcaStore = (): RcaStore => build().store;

/** The same store, as the model diagnoser's report cache. */
export const rcaReportCache = () => build().store;

/**
 * When a manual RCA's symptoms began: the start of the open incident (last six hours) that involves the
 * service, else now. An RCA asked for minutes into an outage then compares against the time before it.
 */
export async function manualRcaAt(cluster: string, namespace: string, service: string, now: Date): Promise<string> {
  const open = await build()
    .incidents.listByStatus('open', { cluster, since: new Date(now.getTime() - 6 * 3600_000), limit: 100 })
    .then((page) => page.items)
    .catch(() => []);
  return symptomsSince(open, namespace, service) ?? now.toISOString();
}

export function rcaStartPorts(): RcaStartPorts {
  const base = wiring();
  return { store: build().store, links: build().links, workflows: base.workflows, clock: base.clock };
}

/** FLEETOPS_SERVICE_DEPENDENCIES, parsed; a malformed value is ignored (no dependencies from configuration). */
export function configuredDependencies(): Record<string, string[]> | undefined {
  const raw = wiring().config.FLEETOPS_SERVICE_DEPENDENCIES;
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>)
        .filter(([, v]) => Array.isArray(v))
        .map(([k, v]) => [k, (v as unknown[]).map(String)]),
    );
  } catch {
    return undefined;
  }
}
