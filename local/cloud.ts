import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerLocalRuntime } from '../functions/adapters/local/runtime-registry.ts';
import { RULES, SCHEDULES, type EventTarget, type RuleDefinition, type ScheduleDefinition } from '../functions/definitions/events.ts';
import { ROUTE_LIST } from '../functions/definitions/routes.ts';
import { MAIN_TABLE } from '../functions/definitions/table.ts';
import { WORKFLOWS, type WorkflowDefinition } from '../functions/definitions/workflows.ts';
import { loadConfig } from '../functions/config.ts';
import { setWiring } from '../functions/wiring.ts';
import { LocalEventBus, type EventEnvelope } from './bus/local-bus.ts';
import { ensurePrivateDataDir } from './data-dir.ts';
import { ensureTables, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb.ts';
import { createGateway } from './gateway.ts';
import { writeGoldenChart } from './golden-chart.ts';
import { invokeHandler } from './handlers.ts';
import { LocalScheduler } from './scheduler.ts';
import { LocalWorkflowRunner } from './workflows/runner.ts';
import { ensureHelmKubectl } from './layers/helm-kubectl.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from './oidc/issuer.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalCloudOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  /** Keep DynamoDB in memory (tests); otherwise it lives under dataDir/dynamodb. */
  inMemory?: boolean;
  apiToken?: string;
  /** Start the schedules' timers (tests fire them by hand). */
  schedules?: boolean;
  /** Extra environment for the handlers (e.g. FLEETOPS_SLACK_WEBHOOK_URL in tests). */
  env?: Record<string, string>;
  rules?: RuleDefinition[];
  scheduleDefinitions?: ScheduleDefinition[];
  workflows?: WorkflowDefinition[];
  log?: (line: string) => void;
  /**
   * The local OIDC issuer (local/oidc/issuer.ts): started and trusted when no external issuer is
   * configured (FLEETOPS_OIDC_ISSUERS), or beside external ones with FLEETOPS_LOCAL_OIDC=true;
   * `false` (or FLEETOPS_LOCAL_OIDC=false) never starts it.
   */
  localOidc?: boolean;
}

export interface LocalCloud {
  url: string;
  apiToken: string;
  /** The local OIDC issuer the stack trusts, when it started one: mints tokens for the demo users. */
  oidc?: LocalOidcIssuer;
  dataDir: string;
  dynamoEndpoint: string;
  tableName: string;
  bus: LocalEventBus;
  scheduler: LocalScheduler;
  workflows: LocalWorkflowRunner;
  startupMs: number;
  stop(): Promise<void>;
}

/** FLEETOPS_OIDC_ISSUERS as this module last set it for its own issuer (not an operator's setting). */
let ownIssuersSetting: string | undefined;

/** The local issuer, when wanted, and FLEETOPS_OIDC_ISSUERS naming it (after any external issuers). */
async function localOidcIssuer(options: LocalCloudOptions, host: string): Promise<{ oidc?: LocalOidcIssuer; issuers?: string }> {
  const fromEnv = process.env.FLEETOPS_OIDC_ISSUERS === ownIssuersSetting ? undefined : process.env.FLEETOPS_OIDC_ISSUERS;
  const external = (options.env?.FLEETOPS_OIDC_ISSUERS ?? fromEnv)?.trim() || undefined;
  const flag = process.env.FLEETOPS_LOCAL_OIDC?.trim().toLowerCase();
  const wanted = options.localOidc ?? (flag === 'true' ? true : flag === 'false' ? false : !external);
  if (!wanted) return external ? { issuers: external } : {};
  const oidc = await startLocalOidcIssuer({ host: host === '0.0.0.0' ? '127.0.0.1' : host });
  const list: unknown[] = external ? [JSON.parse(external)].flat() : [];
  ownIssuersSetting = JSON.stringify([...list, oidc.config]);
  return { oidc, issuers: ownIssuersSetting };
}

/** The API token: from the environment, else generated once into the data dir (mode 0600). */
function resolveApiToken(dataDir: string, explicit?: string): string {
  if (explicit) return explicit;
  const file = join(dataDir, 'api-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/**
 * Starts the laptop cloud in this process: DynamoDB Local, the handlers' environment, the bus,
 * the scheduler, the workflow runner and the HTTP gateway.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const host = options.host ?? process.env.FLEETOPS_HOST ?? '127.0.0.1';
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const dataDir = resolve(options.dataDir ?? process.env.FLEETOPS_DATA_DIR ?? '.fleetops');
  ensurePrivateDataDir(dataDir);
  const apiToken = resolveApiToken(dataDir, options.apiToken ?? process.env.FLEETOPS_API_TOKEN);
  const tableName = 'fleetops';

  const dynamo: DynamoDbLocal = await startDynamoDbLocal(options.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') });
  const stops: (() => Promise<void> | void)[] = [() => dynamo.stop()];
  try {
    const { oidc, issuers } = await localOidcIssuer(options, host);
    if (oidc) {
      stops.push(() => oidc.stop());
      log(`Local OIDC issuer on ${oidc.issuer}`);
    }
    await ensureTables(dynamo.endpoint, [{ name: tableName, definition: MAIN_TABLE }]);
    log(`DynamoDB Local on ${dynamo.endpoint}`);

    Object.assign(process.env, {
      FLEETOPS_RUNTIME: 'local',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      FLEETOPS_DATA_DIR: dataDir,
      FLEETOPS_API_TOKEN: apiToken,
      FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: process.env.FLEETOPS_ALLOW_LOOPBACK_CLUSTERS ?? 'true',
      // Golden-path deploys use the golden chart, written into the data dir (in AWS: a published chart).
      FLEETOPS_GOLDEN_CHART_PATH: process.env.FLEETOPS_GOLDEN_CHART_PATH ?? writeGoldenChart(join(dataDir, 'charts')),
      POWERTOOLS_SERVICE_NAME: 'fleetops',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_NAMESPACE: 'fleetops',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...options.env,
      // After options.env: the issuers the stack actually trusts (external ones plus the local issuer).
      FLEETOPS_OIDC_ISSUERS: issuers ?? '',
    });
    setWiring(undefined);
    // Fail at start-up, not on the first request, when the environment is invalid.
    loadConfig();

    const runner = new LocalWorkflowRunner(options.workflows ?? WORKFLOWS, invokeHandler, {
      rootDir: PROJECT_ROOT,
      onFailure: (workflow, error) => log(`workflow ${workflow} failed: ${error}`),
    });
    const invokeTarget = async (target: EventTarget, event: EventEnvelope) =>
      target.kind === 'function' ? invokeHandler(target.handler, event) : runner.start(target.workflow, event);
    const bus = new LocalEventBus(options.rules ?? RULES, invokeTarget, {
      deadLetterFile: join(dataDir, 'dead-letters.jsonl'),
      onError: (d) => log(`event delivery to rule ${d.ruleId} failed ${d.attempts} times: ${d.error}`),
    });
    const scheduler = new LocalScheduler(options.scheduleDefinitions ?? SCHEDULES, invokeTarget, process.env, (id, error) =>
      log(`schedule ${id} failed: ${error instanceof Error ? error.message : String(error)}`),
    );

    registerLocalRuntime({
      putEvents: async (events) => {
        await bus.put(events);
      },
      startWorkflow: (workflow, input, name) => runner.start(workflow, input, name),
      describeExecution: (id) => runner.describe(id),
      sendTaskSuccess: (token, output) => runner.sendTaskSuccess(token, output),
      sendTaskFailure: (token, error, cause) => runner.sendTaskFailure(token, error, cause),
      // Extracted from the layer's zip on the first deploy, not at start-up (it is 120 MB).
      helmBinary: async () => ensureHelmKubectl(dataDir).helm,
    });
    stops.push(() => registerLocalRuntime(undefined));

    const server: Server = createGateway({
      routes: ROUTE_LIST,
      invoke: invokeHandler,
      defaultHandler: 'not-found',
      onError: (error) => log(`handler crashed: ${error instanceof Error ? error.message : String(error)}`),
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolveListen());
    });
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    stops.push(() => server.closeAllConnections());
    const address = server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;

    if (options.schedules ?? true) {
      scheduler.start();
      stops.push(() => scheduler.stop());
    }

    return {
      url: `http://${host}:${boundPort}`,
      apiToken,
      ...(oidc ? { oidc } : {}),
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      bus,
      scheduler,
      workflows: runner,
      startupMs: Date.now() - started,
      async stop() {
        // Let event deliveries finish (bounded) before their handlers lose DynamoDB.
        await Promise.race([bus.drain(), new Promise((r) => setTimeout(r, 5000))]);
        for (const stop of [...stops].reverse()) await stop();
        stops.length = 0;
      },
    };
  } catch (error) {
    for (const stop of [...stops].reverse()) await stop();
    throw error;
  }
}
