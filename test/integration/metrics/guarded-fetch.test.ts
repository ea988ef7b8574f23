import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from '../../../functions/adapters/prometheus/guarded-fetch.ts';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('{"status":"success","data":{"resultType":"vector","result":[]}}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

describe('guardedFetch (Prometheus SSRF defence)', () => {
  it('connects when the resolved address is allowed', async () => {
    const response = await guardedFetch({ allowLoopback: true })(`http://localhost:${port}/api/v1/query`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'success' });
  });

  it('refuses a name that resolves to a forbidden address at connect time', async () => {
    // `localhost` passes a naive string check for "is this an IP?"; the lookup sees 127.0.0.1.
    await expect(guardedFetch({ allowLoopback: false })(`http://localhost:${port}/api/v1/query`)).rejects.toThrow();
    const metadata = guardedFetch({ allowLoopback: true, lookup: async () => [{ address: '169.254.169.254', family: 4 }] });
    await expect(metadata(`http://prometheus.example.internal:${port}/api/v1/query`)).rejects.toThrow();
  });
});
