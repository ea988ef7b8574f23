import { createServer, type Server } from 'node:http';

/**
 * A local endpoint speaking Secrets Manager's wire protocol (JSON 1.1, X-Amz-Target), so the real
 * AWS SDK client (and Powertools on top of it) serialises and parses real requests in tests.
 */
export async function startFakeSecretsManager(): Promise<{ endpoint: string; secrets: Map<string, string>; requests: string[]; stop(): Promise<void> }> {
  const secrets = new Map<string, string>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
      requests.push(target);
      const input = JSON.parse(body || '{}') as { SecretId?: string; Name?: string; SecretString?: string };
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const notFound = () => reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
      switch (target) {
        case 'GetSecretValue': {
          const value = secrets.get(input.SecretId!);
          return value === undefined ? notFound() : reply(200, { ARN: arn(input.SecretId!), Name: input.SecretId, SecretString: value, VersionId: 'v1', CreatedDate: Date.now() / 1000 });
        }
        case 'PutSecretValue':
          if (!secrets.has(input.SecretId!)) return notFound();
          secrets.set(input.SecretId!, input.SecretString!);
          return reply(200, { ARN: arn(input.SecretId!), Name: input.SecretId, VersionId: 'v2' });
        case 'CreateSecret':
          if (secrets.has(input.Name!)) return reply(400, { __type: 'ResourceExistsException', message: 'exists' });
          secrets.set(input.Name!, input.SecretString!);
          return reply(200, { ARN: arn(input.Name!), Name: input.Name, VersionId: 'v1' });
        case 'DeleteSecret':
          if (!secrets.delete(input.SecretId!)) return notFound();
          return reply(200, { ARN: arn(input.SecretId!), Name: input.SecretId, DeletionDate: Date.now() / 1000 });
        default:
          return reply(400, { __type: 'InvalidRequestException', message: `unsupported ${target}` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, secrets, requests, stop: () => new Promise((r) => server.close(() => r())) };
}
