import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { GitHubRepositoryInspector } from '../adapters/github/github-repository.ts';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { KubeWorkloadInspector } from '../adapters/kube/workload-inspector.ts';
import { DynamoScorecardStore } from '../adapters/aws/dynamodb/scorecard-store.ts';
import { ScorecardService } from '../core/catalog/scorecard-service.ts';
import type { Config } from '../config.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';

let built: { base: unknown; github: GitHubRepositoryInspector; store: DynamoScorecardStore } | undefined;

/** A scorecard service per request (or refresh run): its Kubernetes lists are shared by the checks of that request only. */
export function scorecardService(): ScorecardService {
  const base = wiring();
  if (built?.base !== base) {
    built = {
      base,
      github: new GitHubRepositoryInspector({
        baseUrl: base.config.FLEETOPS_GITHUB_API_URL,
        token: gitHubToken(base.config),
        fetch: guardedFetch(base.addressPolicy),
        policy: base.addressPolicy,
      }),
      store: new DynamoScorecardStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }),
    };
  }
  return new ScorecardService({
    catalog: serviceCatalog(),
    workloads: new KubeWorkloadInspector({ clusters: () => clusterStore().list(), client: (record) => clusterRegistry().client(record) }),
    repositories: built.github,
    clock: base.clock,
    passingMark: base.config.FLEETOPS_SCORECARD_PASSING_MARK,
    store: built.store,
    maxAgeSeconds: base.config.FLEETOPS_SCORECARD_MAX_AGE_SECONDS,
  });
}

function gitHubToken(config: Config): string | (() => Promise<string | undefined>) | undefined {
  if (config.FLEETOPS_GITHUB_TOKEN) return config.FLEETOPS_GITHUB_TOKEN;
  const arn = config.FLEETOPS_GITHUB_TOKEN_SECRET_ARN;
  if (!arn) return undefined;
  return async () => {
    const secret = await getSecret(arn, { maxAge: 300 });
    return typeof secret === 'string' && secret.trim() ? secret.trim() : undefined;
  };
}
