import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './adapters/aws/dynamodb/document-client.ts';
import { EventBridgePublisher } from './adapters/aws/eventbridge-publisher.ts';
import { SecretsManagerStore } from './adapters/aws/secrets-manager-store.ts';
import { StepFunctionsWorkflows } from './adapters/aws/sfn-workflows.ts';
import { loadConfig, type Config } from './config.ts';
import { apiTokenProviderFromConfig } from './http/api-token.ts';
import { Authenticator } from './http/authenticator.ts';
import { OidcVerifier } from './http/oidc.ts';
import { CredentialService } from './core/identity/credentials.ts';
import { DynamoCredentialStore } from './adapters/aws/dynamodb/credential-store.ts';
import { SlackRequestVerifier } from './http/slack-auth.ts';
import { DynamoSlackReplayGuard } from './adapters/aws/dynamodb/slack-replay-guard.ts';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { ApiTokenProvider, Clock, EventPublisher, SecretStore, TaskCallbacks, WorkflowStarter } from './ports.ts';

export interface Wiring {
  config: Config;
  clock: Clock;
  apiTokens: ApiTokenProvider;
  /** Bearer credential → Identity (bootstrap token, OIDC JWT, ingest credential, API key). */
  authenticator: Authenticator;
  /** Ingest credentials and API keys (created and revoked by admins). */
  credentials: CredentialService;
  documentClient: DynamoDBDocumentClient;
  secrets: SecretStore;
  events: EventPublisher;
  workflows: WorkflowStarter;
  taskCallbacks: TaskCallbacks;
  /** Checks Slack's request signature (and replays) on `auth: 'slack'` routes. */
  slackVerifier: SlackRequestVerifier;
  /** Operator policy for cluster and Prometheus addresses. */
  addressPolicy: { allowLoopback: boolean; allowlist?: string[] };
}

/**
 * Local-only adapters (encrypted file secrets, the in-process bus and workflow runner). The local
 * runtime provides them (local/handlers.ts → functions/adapters/local/register.ts), so nothing here
 * imports them and no Lambda bundle carries them.
 */
export interface LocalAdapters {
  secrets(dataDir: string): SecretStore;
  events(): EventPublisher;
  workflows(): WorkflowStarter;
  taskCallbacks(): TaskCallbacks;
}

const LOCAL_ADAPTERS = Symbol.for('fleetops.localAdapters');
type WithLocalAdapters = typeof globalThis & { [LOCAL_ADAPTERS]?: LocalAdapters };

export function provideLocalAdapters(adapters: LocalAdapters | undefined): void {
  (globalThis as WithLocalAdapters)[LOCAL_ADAPTERS] = adapters;
}

function localAdapters(): LocalAdapters {
  const adapters = (globalThis as WithLocalAdapters)[LOCAL_ADAPTERS];
  if (!adapters) throw new Error('FLEETOPS_RUNTIME=local needs the local runtime (npm start, or fleetops invoke), which provides the local adapters');
  return adapters;
}

/**
 * Adapters are built on first use, once per cold start, from the zod-parsed environment.
 * Feature wiring (clusters, alerts, metrics) lives in functions/wiring/*.ts, so a handler's bundle
 * only carries the adapters it uses (the Kubernetes client alone is 2 MB).
 */
function buildWiring(config: Config): Wiring {
  const local = config.FLEETOPS_RUNTIME === 'local';
  const lazy = <T>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= build());
  };
  const documentClient = lazy(() => createDocumentClient({ tableName: config.TABLE_NAME, endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION }));
  const secrets = lazy<SecretStore>(() =>
    local ? localAdapters().secrets(config.FLEETOPS_DATA_DIR) : new SecretsManagerStore({ prefix: config.SECRET_PREFIX, kmsKeyId: config.KMS_KEY_ID }),
  );
  const events = lazy<EventPublisher>(() => (local ? localAdapters().events() : new EventBridgePublisher({ busName: config.EVENT_BUS_NAME })));
  const sfn = lazy(() => new StepFunctionsWorkflows({ stateMachineArns: JSON.parse(config.STATE_MACHINE_ARNS ?? '{}') }));
  const workflows = lazy<WorkflowStarter>(() => (local ? localAdapters().workflows() : sfn()));
  const taskCallbacks = lazy<TaskCallbacks>(() => (local ? localAdapters().taskCallbacks() : sfn()));
  const apiTokens = lazy(() => apiTokenProviderFromConfig(config));
  const credentials = lazy(
    () =>
      new CredentialService({
        store: new DynamoCredentialStore(documentClient(), config.TABLE_NAME),
        now: () => new Date(),
        cacheSeconds: config.FLEETOPS_AUTH_CACHE_SECONDS,
      }),
  );
  const authenticator = lazy(
    () =>
      new Authenticator({
        bootstrapTokens: apiTokens(),
        credentials: credentials(),
        oidc: new OidcVerifier(config.oidcIssuers, { clockSkewSeconds: config.FLEETOPS_OIDC_CLOCK_SKEW_SECONDS }),
      }),
  );
  const slackVerifier = lazy(
    () =>
      new SlackRequestVerifier({
        signingSecret: async () => {
          if (config.FLEETOPS_SLACK_SIGNING_SECRET) return config.FLEETOPS_SLACK_SIGNING_SECRET;
          if (!config.FLEETOPS_SLACK_SIGNING_SECRET_ARN) return undefined;
          const value = await getSecret(config.FLEETOPS_SLACK_SIGNING_SECRET_ARN, { maxAge: 300 });
          return typeof value === 'string' && value ? value : undefined;
        },
        replayGuard: new DynamoSlackReplayGuard(documentClient(), config.TABLE_NAME),
        now: () => new Date(),
      }),
  );
  const allowlist = config.FLEETOPS_CLUSTER_ALLOWLIST?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const policy = { allowLoopback: config.allowLoopbackClusters, ...(allowlist?.length ? { allowlist } : {}) };

  return {
    config,
    clock: { now: () => new Date() },
    get apiTokens() {
      return apiTokens();
    },
    get authenticator() {
      return authenticator();
    },
    get credentials() {
      return credentials();
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
    get slackVerifier() {
      return slackVerifier();
    },
    addressPolicy: policy,
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
