import { DEFAULT_LEARNED_OPTIONS } from '../core/detection/learned.ts';
import { MetricPull } from '../core/pull/metric-pull.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { serviceCatalog } from './catalog.ts';
import { catalogGuardrails, withCatalogGuardrails } from '../core/catalog/guardrails.ts';
import { metricSourceFor } from './metric-sources.ts';
import { metricsStore } from './metrics-store.ts';

let built: { base: unknown; pull: MetricPull } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const pull = new MetricPull({
    // Catalog SLO annotations (fleetops.io/slo-*) join the cluster's guardrails, under its own per-service limits.
    clusters: {
      get: async (id) => {
        const record = await clusterStore().get(id);
        if (!record) return record;
        const fromCatalog = await serviceCatalog()
          .snapshot()
          .then(catalogGuardrails)
          .catch(() => ({}));
        const guardrails = withCatalogGuardrails(record.guardrails, fromCatalog);
        return guardrails ? { ...record, guardrails } : record;
      },
    },
    sourceFor: metricSourceFor,
    store: metricsStore(),
    events: base.events,
    clock: base.clock,
    config: {
      defaultNamespaces: base.config.pullNamespaces,
      detection: {
        resolveAfterPulls: base.config.FLEETOPS_RESOLVE_AFTER_PULLS,
        learned: { ...DEFAULT_LEARNED_OPTIONS, warmupMinutes: base.config.FLEETOPS_LEARNED_WARMUP_MINUTES },
      },
    },
  });
  built = { base, pull };
  return built;
}

export const metricPull = (): MetricPull => build().pull;
