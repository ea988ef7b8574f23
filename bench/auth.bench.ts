/**
 * What authentication costs per request, in-process (no HTTP): the bootstrap token, an OIDC JWT from
 * the local issuer (JWKS fetched once, then cached by jose), and an ingest credential read from
 * DynamoDB Local (cache miss) and from the per-process cache (hit). One JSON line per case.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoCredentialStore } from '../functions/adapters/aws/dynamodb/credential-store.ts';
import { CredentialService } from '../functions/core/identity/credentials.ts';
import { MAIN_TABLE } from '../functions/definitions/table.ts';
import { Authenticator } from '../functions/http/authenticator.ts';
import { OidcVerifier } from '../functions/http/oidc.ts';
import { parseOidcIssuers } from '../functions/schemas/identity.ts';
import { ensureTables, startDynamoDbLocal } from '../local/dynamodb.ts';
import { startLocalOidcIssuer } from '../local/oidc/issuer.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const dynamo = await startDynamoDbLocal();
const tableName = `bench-auth-${randomUUID().slice(0, 8)}`;
await ensureTables(dynamo.endpoint, [{ name: tableName, definition: MAIN_TABLE }]);
const issuer = await startLocalOidcIssuer();
const store = new DynamoCredentialStore(createDocumentClient({ tableName, endpoint: dynamo.endpoint, region: 'us-east-1' }), tableName);
const admin = { kind: 'bootstrap', subject: 'bootstrap', displayName: 'bootstrap', role: 'admin' } as const;
const bootstrap = 'bench-bootstrap-token-0123456789';

function authenticator(cacheSeconds: number): Authenticator {
  return new Authenticator({
    bootstrapTokens: { getTokens: async () => [bootstrap] },
    credentials: new CredentialService({ store, now: () => new Date(), cacheSeconds }),
    oidc: new OidcVerifier(parseOidcIssuers(JSON.stringify([issuer.config]))),
  });
}

async function measure(name: string, auth: Authenticator, token: string, n = iterations): Promise<void> {
  await auth.authenticate(token); // warm: JWKS fetched, modules loaded
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await auth.authenticate(token);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
  console.log(
    JSON.stringify({ bench: 'auth', case: name, n, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: Number((times.reduce((a, b) => a + b, 0) / n).toFixed(3)) }),
  );
}

try {
  const { secret } = await new CredentialService({ store, now: () => new Date() }).createIngest({ source: 'bench' }, admin);
  await measure('bootstrap-token', authenticator(30), bootstrap);
  await measure('oidc-jwt-rs256', authenticator(30), await issuer.tokenFor('operator'));
  await measure('ingest-credential-cached', authenticator(30), secret);
  await measure('ingest-credential-dynamodb', authenticator(0), secret, Math.min(iterations, 500));
} finally {
  await issuer.stop();
  await dynamo.stop();
}
