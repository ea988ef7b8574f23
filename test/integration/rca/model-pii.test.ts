/** Issue 19: personal data and the missed secret shapes never reach the model (masking on by default, config to turn off). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRcaDiagnoser } from '../../../functions/adapters/aws/bedrock/rca-diagnoser.ts';
import { rulesReport } from '../../../functions/core/rca/complete.ts';
import { investigatingModel, startFakeConverse, type FakeConverse } from '../../support/fake-converse.ts';
import { crashLoopingPod, evidence, previousLog } from '../../support/rca-evidence.ts';

let fake: FakeConverse;
beforeAll(async () => {
  fake = await startFakeConverse(investigatingModel);
});
afterAll(() => fake.close());

const LINES = [
  'payment declined for ana.lopez@example.com card 4111 1111 1111 1111 from 203.0.113.42',
  'upstream 2001:db8::8a2e:370:7334 refused; Authorization: Token 9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  'retrying login with password hunter2 and key 0123456789abcdef0123456789abcdef',
];
const NEVER = [
  'ana.lopez@example.com',
  '4111 1111 1111 1111',
  '203.0.113.42',
  '2001:db8::8a2e:370:7334',
  '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  'hunter2',
  '0123456789abcdef0123456789abcdef',
];

function leakyEvidence() {
  const e = evidence();
  e.pods.push(crashLoopingPod());
  e.logs.push(previousLog('payment-service', LINES, 300));
  return e;
}

async function sent(maskPii?: boolean): Promise<string> {
  fake.script = investigatingModel;
  fake.requests.length = 0;
  const e = leakyEvidence();
  const { findings, report } = rulesReport(e);
  await new BedrockRcaDiagnoser({
    modelId: 'us.anthropic.claude-test-v1:0',
    client: fake.client(),
    maxTurns: 6,
    maxTokens: 50_000,
    timeoutMs: 5000,
    ...(maskPii === undefined ? {} : { maskPii }),
  }).diagnose({ evidence: e, findings, rules: report });
  expect(fake.requests.length).toBeGreaterThan(1);
  return JSON.stringify(fake.requests.map((r) => r.body));
}

describe('what the model sees', () => {
  it('has personal data and secrets masked by default', async () => {
    const wire = await sent();
    expect(wire).toContain('payment declined for [EMAIL] card [CARD] from [IPV4]');
    for (const value of NEVER) expect(wire).not.toContain(value);
    expect(wire).toContain('[EMAIL]');
    expect(wire).toContain('[CARD]');
  });

  it('keeps personal data (secrets still masked) when masking is turned off', async () => {
    const wire = await sent(false);
    expect(wire).toContain('ana.lopez@example.com');
    expect(wire).not.toContain('hunter2');
  });
});
