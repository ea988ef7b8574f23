import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../functions/core/errors.ts';
import { OidcVerifier, roleFromClaims } from '../../../functions/http/oidc.ts';
import { OidcIssuerSchema, parseOidcIssuers } from '../../../functions/schemas/identity.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from '../../../local/oidc/issuer.ts';

let local: LocalOidcIssuer;
let backstage: LocalOidcIssuer;
let stranger: LocalOidcIssuer;
let verifier: OidcVerifier;

beforeAll(async () => {
  [local, backstage, stranger] = await Promise.all([
    startLocalOidcIssuer(),
    startLocalOidcIssuer({ algorithm: 'ES256', audience: 'backstage' }),
    startLocalOidcIssuer(),
  ]);
  verifier = new OidcVerifier(
    parseOidcIssuers(
      JSON.stringify([
        local.config,
        // Backstage user tokens: ES256, ownership refs in `ent`, discovery → JWKS.
        {
          issuer: backstage.issuer,
          audience: 'backstage',
          rolesClaim: 'ent',
          roleMap: { 'group:default/sre': 'operator', 'group:default/platform': 'admin' },
          defaultRole: 'viewer',
        },
      ]),
    ),
    { clockSkewSeconds: 30 },
  );
});
afterAll(async () => {
  await Promise.all([local?.stop(), backstage?.stop(), stranger?.stop()]);
});

async function refusal(token: string): Promise<{ kind: string; code: string }> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { kind: (error as AppError).kind, code: (error as AppError).code };
}

describe('OIDC verification against a real issuer (local/oidc)', () => {
  it('turns a valid token into an identity: subject iss#sub, display name, role from the groups claim', async () => {
    const identity = await verifier.verify(await local.tokenFor('approver'));
    expect(identity).toEqual({ kind: 'oidc', subject: `${local.issuer}#april-approver`, displayName: 'April Approver', role: 'approver' });
  });

  it('takes the highest mapped role when a user is in several groups', async () => {
    const token = await local.mint({ sub: 'multi', groups: ['fleetops-viewers', 'fleetops-admins', 'fleetops-operators', 'unrelated'] });
    expect((await verifier.verify(token)).role).toBe('admin');
  });

  it('refuses a valid token with no mapped role and no default role with 403 NO_ROLE', async () => {
    expect(await refusal(await local.mint({ sub: 'nobody', groups: ['marketing'] }))).toEqual({ kind: 'forbidden', code: 'NO_ROLE' });
    expect(await refusal(await local.mint({ sub: 'nogroups' }))).toEqual({ kind: 'forbidden', code: 'NO_ROLE' });
  });

  it.each([
    ['expired', () => local.tokenFor('admin', { expiresInSeconds: -120 })],
    ['from an issuer it does not trust', () => stranger.tokenFor('admin')],
    ['naming a trusted issuer but signed by another key', () => local.mint({ sub: 'forger', groups: ['fleetops-admins'], foreignKey: true })],
    ['naming another issuer but signed by a trusted key', () => local.mint({ sub: 'x', groups: ['fleetops-admins'], issuer: 'https://evil.example' })],
    ['for another audience', () => local.tokenFor('admin', { audience: 'someone-else' })],
  ])('refuses a token %s with 401', async (_name, token) => {
    expect((await refusal(await token())).kind).toBe('unauthorized');
  });

  it('refuses unsigned (alg none) and HMAC tokens, whose algorithms are not allowed', async () => {
    const claims = { sub: 'x', groups: ['fleetops-admins'] };
    const unsecured = new UnsecuredJWT(claims).setIssuer(local.issuer).setAudience('fleetops').setExpirationTime('1h').encode();
    expect((await refusal(unsecured)).kind).toBe('unauthorized');
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(local.issuer)
      .setAudience('fleetops')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a'.repeat(32)));
    expect((await refusal(hmac)).kind).toBe('unauthorized');
  });

  it('accepts a Cognito-style access token naming the audience in client_id only when it has no aud', async () => {
    const issuer = await startLocalOidcIssuer();
    try {
      const cognito = new OidcVerifier(parseOidcIssuers(JSON.stringify([{ ...issuer.config, audience: 'client-123' }])));
      const accessToken = (claims: Record<string, unknown>) => issuer.mint({ sub: 'u', groups: ['fleetops-operators'], claims, audience: null });
      expect((await cognito.verify(await accessToken({ client_id: 'client-123', token_use: 'access' }))).role).toBe('operator');
      await expect(cognito.verify(await accessToken({ client_id: 'someone-else' }))).rejects.toMatchObject({ kind: 'unauthorized' });
      await expect(cognito.verify(await accessToken({}))).rejects.toMatchObject({ kind: 'unauthorized' });
      // With an aud, client_id does not matter: the aud must match.
      await expect(
        cognito.verify(await issuer.mint({ sub: 'u', groups: ['fleetops-operators'], claims: { client_id: 'client-123' }, audience: 'other' })),
      ).rejects.toMatchObject({ kind: 'unauthorized' });
    } finally {
      await issuer.stop();
    }
  });

  it('allows a small clock skew on exp', async () => {
    const justExpired = await local.tokenFor('viewer', { expiresInSeconds: -5 });
    expect((await verifier.verify(justExpired)).role).toBe('viewer');
  });

  it('verifies Backstage-style ES256 user tokens, mapping ownership refs (ent) to roles, with a default role', async () => {
    const sre = await backstage.mint({ sub: 'user:default/jane', claims: { ent: ['user:default/jane', 'group:default/sre'] } });
    expect(await verifier.verify(sre)).toMatchObject({ subject: `${backstage.issuer}#user:default/jane`, role: 'operator', displayName: 'user:default/jane' });
    const other = await backstage.mint({ sub: 'user:default/joe', claims: { ent: ['user:default/joe', 'group:default/marketing'] } });
    expect((await verifier.verify(other)).role).toBe('viewer');
  });

  it('reads roles from a dotted claim path (Keycloak realm_access.roles) and from a space-separated string', () => {
    const issuer = OidcIssuerSchema.parse({
      issuer: 'https://id.example',
      audience: 'a',
      rolesClaim: 'realm_access.roles',
      roleMap: { 'fleet-approve': 'approver' },
    });
    expect(roleFromClaims({ realm_access: { roles: ['offline_access', 'fleet-approve'] } }, issuer)).toBe('approver');
    expect(roleFromClaims({ realm_access: { roles: ['offline_access'] } }, issuer)).toBeNull();
    const scp = OidcIssuerSchema.parse({ issuer: 'https://id.example', audience: 'a', rolesClaim: 'scp', roleMap: { 'fleet.admin': 'admin' } });
    expect(roleFromClaims({ scp: 'openid fleet.admin' }, scp)).toBe('admin');
    // Prototype keys of the map are not roles.
    expect(roleFromClaims({ groups: ['constructor', '__proto__'] }, OidcIssuerSchema.parse({ issuer: 'https://id.example', audience: 'a' }))).toBeNull();
  });

  it('rejects a malformed FLEETOPS_OIDC_ISSUERS naming the field', () => {
    expect(() => parseOidcIssuers('[{"issuer":"https://id.example"}]')).toThrow(/audience/);
    expect(() => parseOidcIssuers('[{"issuer":"https://id.example","audience":"a","roleMap":{"g":"root"}}]')).toThrow(/roleMap/);
    expect(() => parseOidcIssuers('not json')).toThrow(/not JSON/);
    expect(parseOidcIssuers(undefined)).toEqual([]);
  });

  it('answers retry-later (503) when the keys of the issuer cannot be fetched: not the fault of the caller', async () => {
    const gone = await startLocalOidcIssuer();
    const token = await gone.tokenFor('viewer');
    const config = gone.config;
    await gone.stop();
    const lonely = new OidcVerifier(parseOidcIssuers(JSON.stringify([{ ...config, jwksUrl: `${config.issuer}/.well-known/jwks.json` }])));
    const error = await lonely.verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'retry-later', code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
  });
});
