import { Deployer } from '../core/deploy/deployer.ts';
import { DeployRequests } from '../core/deploy/requests.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { deploymentStore } from './deployment-store.ts';

let built: { base: unknown; deployer: Deployer } | undefined;

/**
 * The deployer behind POST /v1/deployments and the ECR trigger: it records and starts deployments,
 * never talks to a cluster, so these bundles stay free of the Kubernetes client (measured: 2.7 MB → see README).
 */
export function apiDeployer(): Deployer {
  const base = wiring();
  if (built?.base !== base) {
    built = {
      base,
      deployer: new Deployer({
        store: deploymentStore(),
        secrets: base.secrets,
        workflows: base.workflows,
        events: base.events,
        clock: base.clock,
        chartPolicy: { ...base.addressPolicy, allowLocalCharts: base.config.allowLocalCharts },
      }),
    };
  }
  return built.deployer;
}

/** A person's deploy request (POST /v1/deployments, applying a recommendation): the prod gate, then apiDeployer(). */
export function deployRequests(): DeployRequests {
  return new DeployRequests({ deployer: apiDeployer(), clusters: clusterStore() });
}
