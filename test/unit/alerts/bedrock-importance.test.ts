import { describe, expect, it } from 'vitest';
import { BedrockImportanceScorer } from '../../../functions/adapters/notify/bedrock-importance.ts';
import { ruleImportance, type ImportanceInput } from '../../../functions/core/alerts/importance.ts';

const input: ImportanceInput = {
  fingerprint: 'fp1', cluster: 'prod', namespace: 'shop', service: 'cart', type: 'HighErrorRate', severity: 'high',
  message: 'cart 5xx', environment: 'prod', instances: 2, services: 1,
};

function fakeClient(answer: () => Promise<string>) {
  const calls: any[] = [];
  return {
    calls,
    send: async (command: any, options?: { abortSignal?: AbortSignal }) => {
      calls.push(command.input);
      const text = await new Promise<string>((resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted')));
        answer().then(resolve, reject);
      });
      return { output: { message: { role: 'assistant', content: [{ text }] } } };
    },
  };
}

describe('BedrockImportanceScorer', () => {
  it('uses the model score and caches it per fingerprint', async () => {
    const client = fakeClient(async () => 'Sure: {"score": 0.92, "reason": "prod outage"}');
    const scorer = new BedrockImportanceScorer({ modelId: 'm', client: client as never });
    expect(await scorer.score(input)).toBe(0.92);
    expect(await scorer.score(input)).toBe(0.92);
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0].modelId).toBe('m');
    expect(JSON.stringify(client.calls[0].messages)).toContain('HighErrorRate');
  });

  it('falls back to the rules on timeout, errors and nonsense', async () => {
    const rules = ruleImportance(input);
    const slow = new BedrockImportanceScorer({ modelId: 'm', timeoutMs: 50, client: fakeClient(() => new Promise(() => {})) as never });
    expect(await slow.score(input)).toBe(rules);
    const broken = new BedrockImportanceScorer({ modelId: 'm', client: fakeClient(async () => { throw new Error('ThrottlingException'); }) as never });
    expect(await broken.score(input)).toBe(rules);
    const nonsense = new BedrockImportanceScorer({ modelId: 'm', client: fakeClient(async () => '{"score": 7}') as never });
    expect(await nonsense.score(input)).toBe(rules);
  });
});
