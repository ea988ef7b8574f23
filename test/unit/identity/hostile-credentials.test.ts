import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { OidcVerifier } from '../../../functions/http/oidc.ts';
import { parseOidcIssuers } from '../../../functions/schemas/identity.ts';
import { bearerToken } from '../../../functions/http/api-token.ts';
import { CredentialService, type CredentialStore, type StoredCredential } from '../../../functions/core/identity/credentials.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from '../../../local/oidc/issuer.ts';
import type { Identity } from '../../../functions/core/identity/identity.ts';

/** An outside review's hostile tokens against the OIDC verifier and the credential service (issue 19). */
describe('hostile bearer tokens', () => {
  let a: LocalOidcIssuer;
  let b: LocalOidcIssuer;
  let verifier: OidcVerifier;
  beforeAll(async () => {
    a = await startLocalOidcIssuer();
    b = await startLocalOidcIssuer();
    // As the stack reads them: through the schema (its algorithm allow-list included).
    verifier = new OidcVerifier(parseOidcIssuers(JSON.stringify([a.config, b.config])));
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  const refused = async (token: string) => {
    await expect(verifier.verify(token)).rejects.toMatchObject({ kind: expect.stringMatching(/^(unauthorized|forbidden)$/) });
  };

  it('accepts a real admin token (control)', async () => {
    expect((await verifier.verify(await a.tokenFor('admin'))).role).toBe('admin');
  });

  it('refuses alg none naming a trusted issuer', async () => {
    const token = new UnsecuredJWT({ groups: ['fleetops-admins'] })
      .setIssuer(a.issuer)
      .setSubject('eve')
      .setAudience(a.audience)
      .setExpirationTime('1h')
      .encode();
    // jose's unsecured JWTs end in "." — give it a signature part too.
    await refused(token);
    await refused(`${token}x`);
  });

  it('refuses HS256 signed with the published public key (alg confusion)', async () => {
    const jwks = (await (await fetch(a.jwksUrl)).json()) as { keys: { kid: string }[] };
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: jwks.keys[0].kid, typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(JSON.stringify({ iss: a.issuer, sub: 'eve', aud: a.audience, exp: now + 600, groups: ['fleetops-admins'] }));
    for (const secret of [JSON.stringify(jwks.keys[0]), (jwks.keys[0] as unknown as { n: string }).n]) {
      const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await refused(`${header}.${payload}.${sig}`);
    }
  });

  it("refuses a token naming issuer A signed with issuer B's key, and B's kid", async () => {
    const tokenB = await b.tokenFor('admin');
    const [, payloadB, sigB] = tokenB.split('.');
    const payload = JSON.parse(Buffer.from(payloadB, 'base64url').toString()) as Record<string, unknown>;
    const swapped = base64url.encode(JSON.stringify({ ...payload, iss: a.issuer }));
    await refused(`${tokenB.split('.')[0]}.${swapped}.${sigB}`);
    await refused(await b.mint({ sub: 'eve', groups: ['fleetops-admins'], issuer: a.issuer }));
  });

  it('refuses a forged key with an unknown kid and a very long token', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ groups: ['fleetops-admins'], jwk: await exportJWK(publicKey) })
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker', jwk: await exportJWK(publicKey) })
      .setIssuer(a.issuer)
      .setSubject('eve')
      .setAudience(a.audience)
      .setExpirationTime('1h')
      .sign(privateKey);
    await refused(forged);
    await refused(await a.mint({ sub: 'eve', groups: ['fleetops-admins'], claims: { pad: 'x'.repeat(200_000) }, foreignKey: true }));
  });

  it('maps weird role claims to no role, never to a higher one', async () => {
    for (const groups of [
      { 'fleetops-admins': true },
      [['fleetops-admins']],
      [{ toString: 'fleetops-admins' }],
      ['__proto__'],
      ['constructor'],
      'FLEETOPS-ADMINS',
      [' fleetops-admins'],
    ] as unknown[]) {
      await expect(verifier.verify(await a.mint({ sub: 'eve', claims: { groups } }))).rejects.toMatchObject({ kind: 'forbidden', code: 'NO_ROLE' });
    }
  });

  it('refuses a token for another audience and an expired one', async () => {
    await refused(await a.mint({ sub: 'eve', groups: ['fleetops-admins'], audience: 'someone-else' }));
    await refused(await a.mint({ sub: 'eve', groups: ['fleetops-admins'], expiresInSeconds: -120 }));
  });

  it('reads the Bearer scheme case-insensitively but nothing else as a bearer credential', () => {
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Bearerabc')).toBeUndefined();
  });
});

class MemoryCredentials implements CredentialStore {
  rows = new Map<string, StoredCredential>();
  async create(c: StoredCredential) {
    this.rows.set(c.id, c);
  }
  async get(id: string) {
    return this.rows.get(id);
  }
  async list() {
    return [...this.rows.values()];
  }
  async revoke(id: string, at: string) {
    const row = this.rows.get(id);
    if (!row) return undefined;
    row.revokedAt ??= at;
    return row;
  }
}

describe('hostile machine credentials', () => {
  const admin: Identity = { kind: 'oidc', subject: 'https://id#adam', displayName: 'Adam', role: 'admin' };
  it('an API key never creates credentials above its role, an operator key none at all', async () => {
    const service = new CredentialService({ store: new MemoryCredentials(), now: () => new Date() });
    const { secret } = await service.createApiKey({ name: 'ops', role: 'operator' }, admin);
    const key = (await service.authenticate(secret))!;
    expect(key.role).toBe('operator');
    await expect(service.createApiKey({ name: 'up', role: 'admin' }, key)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(service.createIngest({ source: 'x' }, key)).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('an ingest secret presented with the api-key prefix, or a tampered one, authenticates as nothing', async () => {
    const service = new CredentialService({ store: new MemoryCredentials(), now: () => new Date() });
    const { secret } = await service.createIngest({ source: 'am' }, admin);
    expect((await service.authenticate(secret))?.kind).toBe('ingest');
    expect(await service.authenticate(secret.replace('fo_ing_', 'fo_key_'))).toBeUndefined();
    expect(await service.authenticate(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
  });

  it('a revoked credential is refused by another warm process within its cache time only', async () => {
    const store = new MemoryCredentials();
    let now = Date.parse('2026-12-06T20:00:00Z');
    const p1 = new CredentialService({ store, now: () => new Date(now) });
    const p2 = new CredentialService({ store, now: () => new Date(now) });
    const { secret, credential } = await p1.createApiKey({ name: 's', role: 'admin' }, admin);
    expect(await p2.authenticate(secret)).toBeDefined();
    await p1.revoke(credential.id);
    expect(await p1.authenticate(secret)).toBeUndefined();
    now += 31_000;
    expect(await p2.authenticate(secret)).toBeUndefined();
  });
});

describe('hostile OIDC discovery', () => {
  it("refuses keys from a plain-http jwks_uri (or another issuer's document) for an https issuer", async () => {
    const attacker = await startLocalOidcIssuer();
    try {
      const issuer = 'https://idp.example.test';
      const documents = [
        { issuer, jwks_uri: attacker.jwksUrl },
        { issuer: attacker.issuer, jwks_uri: attacker.jwksUrl.replace('http:', 'https:') },
      ];
      for (const document of documents) {
        const discovery = (async () => new Response(JSON.stringify(document), { headers: { 'content-type': 'application/json' } })) as typeof fetch;
        const verifier = new OidcVerifier(parseOidcIssuers(JSON.stringify([{ issuer, audience: 'fleetops', roleMap: { 'fleetops-admins': 'admin' } }])), {
          fetch: discovery,
        });
        const token = await attacker.mint({ sub: 'eve', groups: ['fleetops-admins'], issuer });
        await expect(verifier.verify(token)).rejects.toBeInstanceOf(Error);
        await expect(verifier.verify(token)).rejects.not.toMatchObject({ role: 'admin' });
      }
    } finally {
      await attacker.stop();
    }
  });
});
