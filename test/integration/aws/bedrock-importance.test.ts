import { createServer, type Server } from 'node:http';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockImportanceScorer } from '../../../functions/adapters/notify/bedrock-importance.ts';
import type { ImportanceInput } from '../../../functions/core/alerts/importance.ts';

/** A local endpoint speaking Bedrock Runtime's Converse REST protocol: POST /model/{modelId}/converse. */
let server: Server;
let endpoint: string;
const requests: { path: string; body: any }[] = [];
let answer: { delayMs: number; text: string } = { delayMs: 0, text: '{"score": 0.92, "reason": "prod payments down"}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ path: decodeURIComponent(req.url ?? ''), body: JSON.parse(body) });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 50, outputTokens: 12, totalTokens: 62 },
            metrics: { latencyMs: answer.delayMs },
          }),
        );
      }, answer.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

const input = (fingerprint: string): ImportanceInput => ({
  fingerprint,
  cluster: 'prod-eu',
  namespace: 'payments',
  service: 'ledger',
  type: 'HighErrorRate',
  severity: 'high',
  message: '5xx ratio 31% over 5m',
  environment: 'prod',
  instances: 4,
  services: 1,
});
const scorer = (timeoutMs = 1000) =>
  new BedrockImportanceScorer({
    modelId: 'us.anthropic.claude-test-v1:0',
    timeoutMs,
    // Bedrock Runtime defaults to HTTP/2 (for its bidirectional streams); this local endpoint speaks HTTP/1.1.
    client: new BedrockRuntimeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    }),
  });

describe('Bedrock importance scorer against the Converse wire protocol', () => {
  it('sends a Converse request with the alert facts and parses the score; caches per fingerprint', async () => {
    const s = scorer();
    expect(await s.score(input('fp-1'))).toBe(0.92);
    expect(await s.score(input('fp-1'))).toBe(0.92);
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe('/model/us.anthropic.claude-test-v1:0/converse');
    expect(requests[0].body.system[0].text).toContain('JSON only');
    const facts = JSON.parse(/^<alert>\n(.*)\n<\/alert>$/s.exec(requests[0].body.messages[0].content[0].text)![1]);
    expect(facts).toMatchObject({ cluster: 'prod-eu', service: 'ledger', severity: 'high', environment: 'prod' });
    expect(requests[0].body.inferenceConfig).toMatchObject({ maxTokens: 100, temperature: 0 });
  });

  it('falls back to the rule score when the model is slow or answers nonsense', async () => {
    answer = { delayMs: 400, text: '{"score": 0.99}' };
    const slow = await scorer(100).score(input('fp-2'));
    expect(slow).not.toBe(0.99);
    expect(slow).toBeGreaterThan(0);
    expect(slow).toBeLessThanOrEqual(1);
    answer = { delayMs: 0, text: 'I think it is important' };
    const nonsense = await scorer().score(input('fp-3'));
    expect(nonsense).toBe(slow); // same rule inputs, same rule score
  });
});

describe('Titan embedding similarity against the InvokeModel wire protocol', () => {
  it('embeds each text once (cached), sends only the text, and returns cosine similarities', async () => {
    const { BedrockEmbeddingSimilarity } = await import('../../../functions/adapters/notify/bedrock-embeddings.ts');
    const vectors: Record<string, number[]> = {
      'HighErrorRate checkout 5xx above 5%': [1, 0, 0],
      'HighErrorRate cart 5xx above 5%': [0.9, 0.1, 0],
      'DiskFull node disk at 95%': [0, 0, 1],
    };
    const embeddingServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const input = JSON.parse(body) as { inputText: string; dimensions: number; normalize: boolean };
        requests.push({ path: decodeURIComponent(req.url ?? ''), body: input });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ embedding: vectors[input.inputText] ?? [0, 1, 0], inputTextTokenCount: 5 }));
      });
    });
    await new Promise<void>((r) => embeddingServer.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(embeddingServer.address() as { port: number }).port}`;
    const similarity = new BedrockEmbeddingSimilarity({
      modelId: 'amazon.titan-embed-text-v2:0',
      client: new BedrockRuntimeClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler(),
      }),
    });
    requests.length = 0;
    const scores = await similarity.similarities('HighErrorRate checkout 5xx above 5%', ['HighErrorRate cart 5xx above 5%', 'DiskFull node disk at 95%']);
    expect(scores[0]).toBeGreaterThan(0.95);
    expect(scores[1]).toBe(0);
    await similarity.similarities('HighErrorRate checkout 5xx above 5%', ['DiskFull node disk at 95%']);
    expect(requests).toHaveLength(3); // three distinct texts, each embedded once
    expect(requests[0].path).toBe('/model/amazon.titan-embed-text-v2:0/invoke');
    expect(requests[0].body).toEqual({ inputText: expect.any(String), dimensions: 256, normalize: true });
    embeddingServer.close();
  });
});
