import { GitHubRepositoryInspector } from '../adapters/github/github-repository.ts';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { KubeWorkloadInspector } from '../adapters/kube/workload-inspector.ts';
import { ScorecardService } from '../core/catalog/scorecard-service.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';

let built: { base: unknown; github: GitHubRepositoryInspector } | undefined;

/** A scorecard service per request: its Kubernetes lists are shared by the checks of that request only. */
export function scorecardService(): ScorecardService {
  const base = wiring();
  if (built?.base !== base) {
    built = {
      base,
      github: new GitHubRepositoryInspector({ baseUrl: base.config.FLEETOPS_GITHUB_API_URL, token: base.config.FLEETOPS_GITHUB_TOKEN, fetch: guardedFetch(base.addressPolicy), policy: base.addressPolicy }),
    };
  }
  return new ScorecardService({
    catalog: serviceCatalog(),
    workloads: new KubeWorkloadInspector({ clusters: () => clusterStore().list(), client: (record) => clusterRegistry().client(record) }),
    repositories: built.github,
    clock: base.clock,
    passingMark: base.config.FLEETOPS_SCORECARD_PASSING_MARK,
  });
}
