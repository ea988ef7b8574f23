// The Bedrock RCA switch: `-c rcaEngine=bedrock -c bedrockModelId=...` sets the engine and model on the functions that
// run RCA, and grants InvokeModel on that model only (its inference profile and the model it routes to); without it,
// no function gets a Bedrock grant or the engine variable. Bad settings fail the synth with a message.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const PROFILE = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

function synth(context: Record<string, unknown>): { template: Template; error: unknown } {
  const { app, stack } = buildApp(new App({ context: { retainData: 'false', ...NO_BUNDLING, ...context } }));
  let error: unknown;
  try {
    app.synth(); // cdk-nag (AwsSolutions) validates here
  } catch (e) {
    error = e;
  }
  return { template: Template.fromStack(stack), error };
}

type Resource = { Type: string; Properties: Record<string, any> };
const functionsOf = (t: Template) => Object.entries(t.findResources('AWS::Lambda::Function')) as [string, Resource][];
const rcaFunction = (t: Template) => functionsOf(t).find(([id]) => id.startsWith('Fnrcaanalyze'))!;

/** Every bedrock:InvokeModel resource granted to the role of a function, as JSON text. */
function bedrockResources(t: Template, fn: Resource): string[] {
  const role = JSON.stringify(fn.Properties.Role);
  const roleId = /"Fn::GetAtt":\["([^"]+)"/.exec(role)?.[1];
  const out: string[] = [];
  for (const policy of Object.values(t.findResources('AWS::IAM::Policy')) as Resource[]) {
    if (!JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`)) continue;
    for (const st of policy.Properties.PolicyDocument.Statement) {
      const actions = [st.Action].flat();
      if (actions.includes('bedrock:InvokeModel')) out.push(...[st.Resource].flat().map((r: unknown) => JSON.stringify(r)));
    }
  }
  return out;
}

describe('CDK switch for Bedrock RCA', () => {
  it('-c rcaEngine=bedrock -c bedrockModelId=<profile>: engine and model in the RCA function, InvokeModel on that model only, cdk-nag clean', () => {
    const { template, error } = synth({ rcaEngine: 'bedrock', bedrockModelId: PROFILE });
    expect(error).toBeUndefined();
    const [, fn] = rcaFunction(template);
    expect(fn.Properties.Environment.Variables).toMatchObject({ FLEETOPS_RCA_ENGINE: 'bedrock', FLEETOPS_RCA_MODEL_ID: PROFILE });
    const granted = bedrockResources(template, fn);
    expect(granted.some((r) => r.includes(`inference-profile/${PROFILE}`))).toBe(true);
    expect(granted.some((r) => r.includes(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0'))).toBe(true);
    expect(granted.join(' ')).not.toMatch(/foundation-model\/\*|inference-profile\/\*/);
    // Functions without Bedrock access get neither the variable nor a grant.
    const [, pull] = functionsOf(template).find(([id]) => id.startsWith('Fnclusters'))!;
    expect(pull.Properties.Environment.Variables.FLEETOPS_RCA_ENGINE).toBeUndefined();
    expect(bedrockResources(template, pull)).toEqual([]);
  }, 180_000);

  it('a plain model id (no profile) is granted in the stack region; rcaModelId overrides bedrockModelId for RCA', () => {
    const { template, error } = synth({
      rcaEngine: 'bedrock',
      rcaModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      bedrockModelId: 'amazon.nova-micro-v1:0',
    });
    expect(error).toBeUndefined();
    const [, fn] = rcaFunction(template);
    expect(fn.Properties.Environment.Variables.FLEETOPS_RCA_MODEL_ID).toBe('anthropic.claude-3-5-haiku-20241022-v1:0');
    const granted = bedrockResources(template, fn).join(' ');
    expect(granted).toContain('foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(granted).toContain('foundation-model/amazon.nova-micro-v1:0');
    expect(granted).not.toContain('bedrock:*::');
  }, 180_000);

  it('-c rcaRegion: the model is called in that region, and granted there only', () => {
    const { template, error } = synth({ rcaEngine: 'bedrock', rcaModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', rcaRegion: 'eu-central-1' });
    expect(error).toBeUndefined();
    const [, fn] = rcaFunction(template);
    expect(fn.Properties.Environment.Variables).toMatchObject({ FLEETOPS_RCA_BEDROCK_REGION: 'eu-central-1' });
    const granted = bedrockResources(template, fn);
    expect(granted).toHaveLength(1);
    expect(granted[0]).toContain(':bedrock:eu-central-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
  }, 180_000);

  it('default (rules): no engine variable and no Bedrock grant anywhere', () => {
    const { template } = synth({});
    for (const [, fn] of functionsOf(template)) {
      expect(fn.Properties.Environment?.Variables?.FLEETOPS_RCA_ENGINE).toBeUndefined();
      expect(bedrockResources(template, fn)).toEqual([]);
    }
  }, 180_000);

  it('bad settings fail the synth with a message', () => {
    expect(() => buildApp(new App({ context: { ...NO_BUNDLING, rcaEngine: 'gpt' } }))).toThrow(/rcaEngine must be rules or bedrock/);
    expect(() => buildApp(new App({ context: { ...NO_BUNDLING, rcaEngine: 'bedrock' } }))).toThrow(/needs a model: -c bedrockModelId=/);
    expect(() => buildApp(new App({ context: { ...NO_BUNDLING, rcaEngine: 'bedrock', bedrockModelId: 'x y' } }))).toThrow(/not a Bedrock model/);
    expect(() =>
      buildApp(new App({ context: { ...NO_BUNDLING, rcaEngine: 'bedrock', bedrockModelId: 'amazon.nova-micro-v1:0', rcaRegion: 'Frankfurt' } })),
    ).toThrow(/rcaRegion "Frankfurt" is not an AWS region/);
  });
});
