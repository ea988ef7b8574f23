/**
 * A person asking for a deployment through the API: `POST /v1/deployments` and applying a
 * right-sizing recommendation go through this one call, so both meet the same prod gate and record
 * the same audit (the verified identity, never a name from the body).
 */
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import type { Identity } from '../identity/identity.ts';
import type { Deployer, NewDeployment } from './deployer.ts';
import { requireProdApprover } from './prod-gate.ts';

export interface DeployRequestsDeps {
  deployer: Pick<Deployer, 'create'>;
  clusters: { list(): Promise<ClusterRecord[]> };
}

export class DeployRequests {
  readonly #deps: DeployRequestsDeps;

  constructor(deps: DeployRequestsDeps) {
    this.#deps = deps;
  }

  /** Waves that reach a prod cluster need an approver (as in Slack); then the deployment is recorded and started once per id. */
  async start(identity: Identity, deployment: Omit<NewDeployment, 'requestedBy'>): Promise<{ id: string; created: boolean }> {
    requireProdApprover(identity, deployment.waves, await this.#deps.clusters.list());
    return this.#deps.deployer.create({ ...deployment, requestedBy: identity.subject });
  }
}
