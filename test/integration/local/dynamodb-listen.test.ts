import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb.ts';

/** Local listening sockets on `port` as `ss -ltn` prints them (address:port). */
function listeners(port: number): string[] {
  const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((address): address is string => Boolean(address));
}

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSs)('DynamoDB Local is reachable from this machine only', () => {
  let db: DynamoDbLocal;
  beforeAll(async () => {
    db = await startDynamoDbLocal();
  }, 60_000);
  afterAll(async () => db?.stop());

  it('listens on 127.0.0.1 and nowhere else', () => {
    const addresses = listeners(db.port);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(address).toMatch(/^(\[::ffff:)?127\.0\.0\.1\]?:\d+$/);
  });

  it('gives a browser on another origin no CORS permission', async () => {
    const response = await fetch(db.endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://evil.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-amz-target,authorization',
      },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('DynamoDB Local on a port someone else holds', () => {
  it('fails with the bind error (the one a start on a free port retries on another port)', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(/BindException|Address already in use/);
    } finally {
      server.close();
    }
  }, 60_000);
});
