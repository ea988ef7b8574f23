/**
 * A local endpoint speaking Bedrock Runtime's Converse REST protocol (POST /model/{modelId}/converse),
 * scripted turn by turn, recording every request body exactly as the SDK serialised it.
 */
import { createServer, type Server } from 'node:http';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface ConverseReply {
  status?: number;
  /** Error type for non-200 replies (e.g. ThrottlingException). */
  errorType?: string;
  delayMs?: number;
  content?: unknown[];
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  usage?: { inputTokens: number; outputTokens: number };
}

export type ConverseScript = (request: any, turn: number) => ConverseReply;

export interface FakeConverse {
  endpoint: string;
  requests: { path: string; raw: string; body: any }[];
  script: ConverseScript;
  client(): BedrockRuntimeClient;
  close(): Promise<void>;
}

export async function startFakeConverse(script: ConverseScript): Promise<FakeConverse> {
  const state = { script };
  const requests: FakeConverse['requests'] = [];
  let turn = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ path: decodeURIComponent(req.url ?? ''), raw, body });
      // A new conversation starts with a single user message.
      if (body.messages?.length === 1) turn = 0;
      const reply = state.script(body, turn++);
      setTimeout(() => {
        if (reply.status && reply.status !== 200) {
          res.writeHead(reply.status, { 'content-type': 'application/json', 'x-amzn-errortype': reply.errorType ?? 'InternalServerException' });
          res.end(JSON.stringify({ message: reply.errorType ?? 'error' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: reply.content ?? [{ text: '{}' }] } },
            stopReason: reply.stopReason ?? 'end_turn',
            usage: {
              ...(reply.usage ?? { inputTokens: 1000, outputTokens: 100 }),
              totalTokens: (reply.usage?.inputTokens ?? 1000) + (reply.usage?.outputTokens ?? 100),
            },
            metrics: { latencyMs: reply.delayMs ?? 0 },
          }),
        );
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    endpoint,
    requests,
    get script() {
      return state.script;
    },
    set script(next: ConverseScript) {
      state.script = next;
    },
    // Bedrock Runtime defaults to HTTP/2 (for its bidirectional streams); this endpoint speaks HTTP/1.1.
    client: () =>
      new BedrockRuntimeClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler(),
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Every evidence id ("id": "...") in the tool results the model has been sent so far. */
export function idsSeen(request: any): string[] {
  const ids = new Set<string>();
  for (const m of request.messages ?? []) {
    for (const c of m.content ?? []) {
      const text = JSON.stringify(c.toolResult ?? '');
      for (const match of text.matchAll(/\\?"id\\?":\\?"([^"\\]+)\\?"/g)) ids.add(match[1]);
    }
  }
  return [...ids];
}

/**
 * A model that investigates like one: asks for the findings and the logs, then the pods, then
 * answers citing ids it was shown (and one it made up, which must be dropped).
 */
export const investigatingModel: ConverseScript = (request, turn) => {
  if (turn === 0) {
    return {
      stopReason: 'tool_use',
      content: [
        { text: 'Let me look at the findings and logs.' },
        { toolUse: { toolUseId: 'tu-1', name: 'get_findings', input: {} } },
        { toolUse: { toolUseId: 'tu-2', name: 'get_logs', input: {} } },
      ],
      usage: { inputTokens: 1200, outputTokens: 60 },
    };
  }
  if (turn === 1)
    return {
      stopReason: 'tool_use',
      content: [{ toolUse: { toolUseId: 'tu-3', name: 'get_pods', input: { name: '' } } }],
      usage: { inputTokens: 2500, outputTokens: 40 },
    };
  const ids = idsSeen(request).filter((id) => id.startsWith('container:') || id.startsWith('event:') || id.startsWith('log:'));
  const findings = JSON.stringify(request.messages).match(/\\?"category\\?":\\?"(\w+)\\?",\\?"kind\\?":\\?"cause\\?",\\?"resource\\?":\\?"([^"\\]+)\\?"/);
  return {
    content: [
      {
        text: `Here is the report:\n${JSON.stringify({
          summary: `The ${findings?.[2] ?? 'workload'} crashes on startup.`,
          symptoms: ['pods restarting'],
          rootCauses: [
            {
              category: findings?.[1] ?? 'Unknown',
              resource: findings?.[2] ?? 'unknown',
              description: 'The container exits at startup (see logs).',
              evidence: [...ids.slice(0, 3), 'made-up:evidence'],
              confidence: 0.8,
            },
            { category: 'Hallucination', resource: 'deployment/ghost', description: 'Not backed by anything.', evidence: ['made-up:1'], confidence: 0.4 },
          ],
          contributingFactors: [],
          timeline: [],
          remediation: ['Fix the startup dependency'],
          prevention: ['Startup probe'],
          issueType: 'pod_crash_loop',
        })}`,
      },
    ],
    usage: { inputTokens: 4000, outputTokens: 300 },
  };
};
