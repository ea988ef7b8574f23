import { DynamoDeploymentStore } from '../adapters/aws/dynamodb/deployment-store.ts';
import type { DeploymentStore } from '../core/deploy/store.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: DeploymentStore } | undefined;

export function deploymentStore(): DeploymentStore {
  const base = wiring();
  if (built?.base !== base) built = { base, store: new DynamoDeploymentStore(base.documentClient, base.config.TABLE_NAME) };
  return built.store;
}
