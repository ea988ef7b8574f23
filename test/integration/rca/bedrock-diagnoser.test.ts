import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRcaDiagnoser, type ReportCache } from '../../../functions/adapters/aws/bedrock/rca-diagnoser.ts';
import { rulesReport } from '../../../functions/core/rca/complete.ts';
import type { RcaReport } from '../../../functions/core/rca/report.ts';
import { investigatingModel, startFakeConverse, type FakeConverse } from '../../support/fake-converse.ts';
import { AT, crashLoopingPod, evidence, previousLog } from '../../support/rca-evidence.ts';

let fake: FakeConverse;

beforeAll(async () => {
  fake = await startFakeConverse(investigatingModel);
});
afterAll(() => fake.close());

function crashingEvidence() {
  const e = evidence();
  e.pods.push(crashLoopingPod());
  e.events.push({
    id: 'event:1',
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container app in pod payment-service-abc123-a',
    object: { kind: 'Pod', name: 'payment-service-abc123-a' },
    count: 4,
    lastSeen: AT,
  });
  e.logs.push(previousLog('payment-service', ['{"level":"error","msg":"failed to connect to database"}'], 60));
  return e;
}

const diagnoser = (over: Partial<ConstructorParameters<typeof BedrockRcaDiagnoser>[0]> = {}) =>
  new BedrockRcaDiagnoser({ modelId: 'us.anthropic.claude-test-v1:0', client: fake.client(), maxTurns: 6, maxTokens: 50_000, timeoutMs: 5000, ...over });

async function run(d: BedrockRcaDiagnoser, e = crashingEvidence()) {
  const { findings, report } = rulesReport(e);
  return { rules: report, result: await d.diagnose({ evidence: e, findings, rules: report }) };
}

describe('Bedrock RCA diagnoser over the Converse wire protocol', () => {
  it('runs a tool-use conversation and keeps only root causes backed by existing evidence', async () => {
    fake.script = investigatingModel;
    fake.requests.length = 0;
    const { result } = await run(diagnoser());
    expect('report' in result, JSON.stringify(result)).toBe(true);
    if (!('report' in result)) return;
    expect(result.report.engine).toBe('bedrock');
    expect(result.report.rootCauses).toHaveLength(1);
    expect(result.report.rootCauses[0]).toMatchObject({ category: 'CrashLoopBackOff', resource: 'deployment/payment-service' });
    expect(result.report.rootCauses[0].evidence).not.toContain('made-up:evidence');
    expect(result.report.rootCauses[0].evidence.length).toBeGreaterThan(0);
    expect(result.report.issueType).toBe('pod_crash_loop');
    expect(result.usage).toEqual({ inputTokens: 7700, outputTokens: 400, turns: 3 });

    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0].path).toBe('/model/us.anthropic.claude-test-v1:0/converse');
    expect(fake.requests[0].body.toolConfig.tools.map((t: any) => t.toolSpec.name)).toEqual([
      'get_pods',
      'get_events',
      'get_logs',
      'get_metrics',
      'get_rollout_history',
      'get_findings',
    ]);
    // The second request carries the model's toolUse turn and our toolResults, matched by id.
    const second = fake.requests[1].body.messages;
    expect(second[1].content.map((c: any) => c.toolUse?.toolUseId).filter(Boolean)).toEqual(['tu-1', 'tu-2']);
    expect(second[2].content.map((c: any) => c.toolResult.toolUseId)).toEqual(['tu-1', 'tu-2']);
    expect(JSON.stringify(second[2].content[1].toolResult.content)).toContain('failed to connect to database');
  });

  it('asks once more after an invalid answer, then falls back with the reason', async () => {
    fake.requests.length = 0;
    fake.script = () => ({ content: [{ text: 'I think it is the database.' }] });
    const { result } = await run(diagnoser());
    expect(result).toMatchObject({ fallback: expect.stringMatching(/^invalid answer after retry: unparsable answer/) });
    expect(fake.requests).toHaveLength(2);
    expect(JSON.stringify(fake.requests[1].body.messages.at(-1))).toContain('rejected');
  });

  it('an answer citing no existing evidence is rejected', async () => {
    fake.script = () => ({
      content: [
        {
          text: JSON.stringify({
            summary: 's',
            symptoms: [],
            rootCauses: [{ category: 'X', resource: 'r', description: 'd', evidence: ['nope:1'], confidence: 0.9 }],
            contributingFactors: [],
            timeline: [],
            remediation: [],
            prevention: [],
          }),
        },
      ],
    });
    const { result } = await run(diagnoser());
    expect(result).toMatchObject({ fallback: expect.stringContaining('no root cause cites existing evidence') });
  });

  it('throttling, timeouts and endless tool use fall back with the reason', async () => {
    fake.script = () => ({ status: 429, errorType: 'ThrottlingException' });
    expect((await run(diagnoser())).result).toMatchObject({ fallback: 'throttled' });
    fake.script = () => ({ delayMs: 1500, content: [{ text: '{}' }] });
    expect((await run(diagnoser({ timeoutMs: 300 }))).result).toMatchObject({ fallback: 'timeout' });
    fake.script = () => ({ stopReason: 'tool_use', content: [{ toolUse: { toolUseId: 'x', name: 'get_pods', input: {} } }] });
    expect((await run(diagnoser({ maxTurns: 3 }))).result).toMatchObject({ fallback: 'turn limit (3) reached' });
    fake.script = () => ({
      stopReason: 'tool_use',
      content: [{ toolUse: { toolUseId: 'x', name: 'get_pods', input: {} } }],
      usage: { inputTokens: 30_000, outputTokens: 10 },
    });
    expect((await run(diagnoser({ maxTokens: 50_000 }))).result).toMatchObject({ fallback: 'token budget (50000) spent' });
  });

  it('anonymises names in every request and restores them in the report', async () => {
    fake.script = investigatingModel;
    fake.requests.length = 0;
    const { result } = await run(diagnoser({ anonymize: true }));
    for (const r of fake.requests) {
      expect(r.raw).not.toContain('payment-service');
      expect(r.raw).not.toContain('"shop"');
    }
    expect(fake.requests[0].raw).toContain('workload-');
    expect('report' in result && result.report.rootCauses[0].resource).toBe('deployment/payment-service');
  });

  it('caches the answer per evidence hash', async () => {
    const stored = new Map<string, RcaReport>();
    const cache: ReportCache = { cachedReport: async (h) => stored.get(h), cacheReport: async (h, r) => void stored.set(h, r) };
    fake.script = investigatingModel;
    fake.requests.length = 0;
    const d = diagnoser({ cache: { store: cache, ttlSeconds: 60 } });
    const e = crashingEvidence();
    const first = await run(d, e);
    const requestsAfterFirst = fake.requests.length;
    const second = await run(d, { ...e, target: { ...e.target, rcaId: 'rca-2' } });
    expect(fake.requests.length).toBe(requestsAfterFirst);
    expect(second.result).toMatchObject({ cached: true, usage: { turns: 0 } });
    expect('report' in second.result && second.result.report).toEqual('report' in first.result && first.result.report);
  });
});
