import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoClusterStore } from './adapters/aws/dynamodb/cluster-store.ts';
import { createDocumentClient } from './adapters/aws/dynamodb/document-client.ts';
import { AwsEksResolver } from './adapters/aws/eks/eks-resolver.ts';
import { KubernetesGateway } from './adapters/kube/kube-gateway.ts';
import type { ClusterStore } from './core/clusters/cluster-record.ts';
import { ClusterRegistry } from './core/clusters/registry.ts';
import { EventBridgePublisher } from './adapters/aws/eventbridge-publisher.ts';
import { SecretsManagerStore } from './adapters/aws/secrets-manager-store.ts';
import { StepFunctionsWorkflows } from './adapters/aws/sfn-workflows.ts';
import { EncryptedFileSecretStore } from './adapters/local/encrypted-file-secret-store.ts';
import { LocalBusPublisher } from './adapters/local/local-bus-publisher.ts';
import { LocalTaskCallbacks, LocalWorkflowStarter } from './adapters/local/local-workflows.ts';
import { loadConfig, type Config } from './config.ts';
import { apiTokenProviderFromConfig } from './http/api-token.ts';
import type { ApiTokenProvider, Clock, EventPublisher, SecretStore, TaskCallbacks, WorkflowStarter } from './ports.ts';

export interface Wiring {
  config: Config;
  clock: Clock;
  apiTokens: ApiTokenProvider;
  documentClient: DynamoDBDocumentClient;
  secrets: SecretStore;
  events: EventPublisher;
  workflows: WorkflowStarter;
  taskCallbacks: TaskCallbacks;
  clusterStore: ClusterStore;
  /** Kube clients are pooled per warm Lambda: one per cluster. */
  clusters: ClusterRegistry;
}

/** Adapters are built on first use, once per cold start, from the zod-parsed environment. */
function buildWiring(config: Config): Wiring {
  const local = config.FLEETOPS_RUNTIME === 'local';
  const lazy = <T>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= build());
  };
  const documentClient = lazy(() =>
    createDocumentClient({ tableName: config.TABLE_NAME, endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION }),
  );
  const secrets = lazy<SecretStore>(() =>
    local
      ? new EncryptedFileSecretStore(config.FLEETOPS_DATA_DIR)
      : new SecretsManagerStore({ prefix: config.SECRET_PREFIX, kmsKeyId: process.env.KMS_KEY_ID }),
  );
  const events = lazy<EventPublisher>(() => (local ? new LocalBusPublisher() : new EventBridgePublisher({ busName: config.EVENT_BUS_NAME })));
  const sfn = lazy(() => new StepFunctionsWorkflows({ stateMachineArns: JSON.parse(config.STATE_MACHINE_ARNS ?? '{}') }));
  const workflows = lazy<WorkflowStarter>(() => (local ? new LocalWorkflowStarter() : sfn()));
  const taskCallbacks = lazy<TaskCallbacks>(() => (local ? new LocalTaskCallbacks() : sfn()));
  const apiTokens = lazy(() => apiTokenProviderFromConfig(config));
  const allowlist = config.FLEETOPS_CLUSTER_ALLOWLIST?.split(',').map((s) => s.trim()).filter(Boolean);
  const policy = { allowLoopback: config.allowLoopbackClusters, ...(allowlist?.length ? { allowlist } : {}) };
  const clusterStore = lazy<ClusterStore>(() => new DynamoClusterStore(documentClient(), config.TABLE_NAME));
  const kube = lazy(() => new KubernetesGateway({ ...policy }));
  const clusters = lazy(
    () =>
      new ClusterRegistry({
        store: clusterStore(),
        secrets: secrets(),
        kube: kube(),
        events: events(),
        clock: { now: () => new Date() },
        eks: local ? undefined : new AwsEksResolver(),
        policy,
      }),
  );

  return {
    config,
    clock: { now: () => new Date() },
    get apiTokens() {
      return apiTokens();
    },
    get documentClient() {
      return documentClient();
    },
    get secrets() {
      return secrets();
    },
    get events() {
      return events();
    },
    get workflows() {
      return workflows();
    },
    get taskCallbacks() {
      return taskCallbacks();
    },
    get clusterStore() {
      return clusterStore();
    },
    get clusters() {
      return clusters();
    },
  };
}

let current: Wiring | undefined;

export function wiring(): Wiring {
  return (current ??= buildWiring(loadConfig()));
}

/** Tests and the local runtime swap in their own wiring (or reset to re-read the environment). */
export function setWiring(next: Wiring | undefined): void {
  current = next;
}
