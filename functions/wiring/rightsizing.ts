import { RecommendationApplier } from '../core/cost/apply-recommendation.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { costService } from './cost.ts';
import { deployRequests } from './deploy-api.ts';
import { deploymentStore } from './deployment-store.ts';

/** Applying right-sizing recommendations through the deploy workflow. */
export function recommendationApplier(): RecommendationApplier {
  return new RecommendationApplier({
    recommendations: costService(),
    deployments: deploymentStore(),
    secrets: wiring().secrets,
    deploys: deployRequests(),
    clusters: clusterStore(),
  });
}
