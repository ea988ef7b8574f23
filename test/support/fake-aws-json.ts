import { createServer, type Server } from 'node:http';

export type AwsJsonHandler = (input: Record<string, unknown>) => { status?: number; body: unknown };

/**
 * A local endpoint speaking the AWS JSON 1.0/1.1 protocol (POST /, X-Amz-Target: Service.Operation),
 * so the real SDK clients serialise and parse real requests in tests. Unknown operations answer 400.
 */
export async function startFakeAwsJson(
  handlers: Record<string, AwsJsonHandler>,
): Promise<{ endpoint: string; requests: { operation: string; input: Record<string, unknown> }[]; stop(): Promise<void> }> {
  const requests: { operation: string; input: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      requests.push({ operation, input });
      const handler = handlers[operation];
      const result = handler ? handler(input) : { status: 400, body: { __type: 'UnknownOperationException', message: `unsupported ${operation}` } };
      res.writeHead(result.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(result.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, requests, stop: () => new Promise((r) => server.close(() => r())) };
}

export const awsError = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });
