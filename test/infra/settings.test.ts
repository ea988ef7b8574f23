// Every fleetops setting has a CDK path: either the stack sets it from its resources and typed context keys,
// or `-c settings='{…}'` passes it to every function after checking it against functions/config.ts, or it is
// listed as local-only with the reason (lib/settings.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../functions/config.ts';
import { buildApp } from '../../lib/app.ts';
import { cdkPathOf, LOCAL_ONLY_SETTINGS, settingsFromContext, STACK_SETTINGS } from '../../lib/settings.ts';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const ROOT = join(import.meta.dirname, '../..');

function synth(context: Record<string, unknown>) {
  const { app, stack } = buildApp(new App({ context: { retainData: 'false', ...NO_BUNDLING, ...context } }));
  app.synth();
  return Template.fromStack(stack);
}

describe('every setting has a CDK path', () => {
  it('each configuration key is set by the stack, passable through -c settings, or local-only with a reason', () => {
    const stackSource = ['lib', 'functions/definitions'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(ROOT, dir, f), 'utf8')),
    );
    const unaccounted: string[] = [];
    for (const name of Object.keys(ConfigSchema.shape)) {
      if (name in LOCAL_ONLY_SETTINGS) continue;
      if (stackSource.some((s) => s.includes(name))) continue; // set by the stack
      try {
        settingsFromContext({ [name]: 'x' });
      } catch (error) {
        // A value check may refuse 'x'; only "not a setting" or "set by the stack" would mean no path.
        if (/is not a fleetops setting|is set by the stack|is not used in AWS/.test(String(error))) unaccounted.push(name);
      }
    }
    expect(unaccounted).toEqual([]);
    for (const name of Object.keys(LOCAL_ONLY_SETTINGS)) expect(Object.keys(ConfigSchema.shape)).toContain(name);
  });

  it('lists each configuration variable with its CDK path, and the README’s configuration table has a row for each', () => {
    const table = Object.keys(ConfigSchema.shape).map((name) => ({ name, path: cdkPathOf(name) }));
    expect(table.filter((row) => !row.path)).toEqual([]);
    expect(table.find((row) => row.name === 'FLEETOPS_RCA_ENGINE')?.path).toBe('stack: -c rcaEngine=bedrock');
    expect(table.find((row) => row.name === 'FLEETOPS_HEALING_POLICY')?.path).toBe(`-c settings='{"FLEETOPS_HEALING_POLICY":…}'`);
    expect(table.find((row) => row.name === 'DYNAMODB_ENDPOINT')?.path).toMatch(/^local only: /);
    for (const name of Object.keys(STACK_SETTINGS)) expect(Object.keys(ConfigSchema.shape)).toContain(name);

    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const documented = new Set(
      readme
        .split('\n')
        .filter((line) => /^\| `/.test(line) && line.split('|').length >= 6 && line.split('|')[4].trim() !== '')
        .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    expect(Object.keys(ConfigSchema.shape).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('the stack’s context keys reach the functions; secrets reach them only as ARNs', () => {
    const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const template = synth({
      rcaEngine: 'bedrock',
      rcaModelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      rcaRegion: 'eu-central-1',
      argoCdUrl: 'https://argocd.example.com',
      argoCdTokenSecretArn: arn('argocd'),
      argoCdCaData: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'),
      argoCdClusters: 'prod,staging',
      slackSigningSecretArn: arn('slack'),
      clusterAllowlist: '10.0.0.0/8,.eks.amazonaws.com',
      pullNamespaces: 'shop,payments',
      catalogUrls: 'https://git.example.com/catalog-info.yaml',
      oidcIssuer: 'https://login.example.com',
      oidcAudience: 'fleetops',
    });
    const variables = new Set(
      (Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }[]).flatMap(
        (fn) => Object.keys(fn.Properties.Environment?.Variables ?? {}),
      ),
    );
    const secretsInline = Object.entries(STACK_SETTINGS).filter(([, path]) => path.startsWith('in AWS a secret'));
    expect(secretsInline.length).toBeGreaterThan(0);
    for (const [name] of secretsInline) expect(variables.has(name)).toBe(false);
    expect(Object.keys(STACK_SETTINGS).filter((name) => !variables.has(name) && !secretsInline.some(([secret]) => secret === name))).toEqual([]);
  }, 180_000);

  it('passes checked settings to every function, below the stack’s own values', () => {
    const template = synth({ settings: JSON.stringify({ FLEETOPS_RESOLVE_AFTER_PULLS: '3', FLEETOPS_COST: 'false', FLEETOPS_RCA_MASK_PII: true }) });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      const vars = fn.Properties.Environment?.Variables ?? {};
      if (!('TABLE_NAME' in vars)) continue; // custom-resource providers
      expect(vars).toMatchObject({ FLEETOPS_RESOLVE_AFTER_PULLS: '3', FLEETOPS_COST: 'false', FLEETOPS_RCA_MASK_PII: 'true', FLEETOPS_RUNTIME: 'aws' });
    }
  });

  it('refuses unknown, local-only, stack-managed and malformed settings at synth', () => {
    expect(() => settingsFromContext('{"FLEETOPS_RESOLVE_AFTER_PULS":"3"}')).toThrow(/not a fleetops setting/);
    expect(() => settingsFromContext({ FLEETOPS_DATA_DIR: '/tmp' })).toThrow(/not used in AWS/);
    expect(() => settingsFromContext({ TABLE_NAME: 'other' })).toThrow(/set by the stack/);
    expect(() => settingsFromContext({ FLEETOPS_RESOLVE_AFTER_PULLS: 'soon' })).toThrow(/FLEETOPS_RESOLVE_AFTER_PULLS/);
    expect(() => settingsFromContext('[1]')).toThrow(/JSON object/);
    expect(() => synth({ settings: '{"FLEETOPS_RESOLVE_AFTER_PULLS":"-1"}' })).toThrow(/FLEETOPS_RESOLVE_AFTER_PULLS/);
    expect(() => settingsFromContext({ FLEETOPS_HEALING_POLICY: '{"defaults":{"autoCeiling":"extreme"}}' })).toThrow(/FLEETOPS_HEALING_POLICY/);
  });
});
