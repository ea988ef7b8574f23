import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { registerLocalAdapters } from '../functions/adapters/local/register.ts';

// The handlers' local-only adapters come from here, never from their own imports (Lambda bundles stay clean).
registerLocalAdapters();

const HANDLERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'functions', 'handlers');

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const cache = new Map<string, Promise<LambdaHandler>>();

/** Loads `functions/handlers/<name>.ts`, the very module CDK bundles for the Lambda. */
export function loadHandler(name: string): Promise<LambdaHandler> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Invalid handler name ${name}`);
  let loaded = cache.get(name);
  if (!loaded) {
    loaded = import(join(HANDLERS_DIR, `${name}.ts`)).then((module: { handler?: LambdaHandler }) => {
      if (typeof module.handler !== 'function') throw new Error(`functions/handlers/${name}.ts exports no handler`);
      return module.handler;
    });
    cache.set(name, loaded);
  }
  return loaded;
}

/** A Lambda context good enough for Powertools and middy. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `fleetops-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:fleetops-${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/fleetops-${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function invokeHandler(name: string, event: unknown): Promise<unknown> {
  const handler = await loadHandler(name);
  return handler(event, lambdaContext(name));
}
