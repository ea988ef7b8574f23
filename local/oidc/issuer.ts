import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Role } from '../../functions/core/identity/identity.ts';

/**
 * A tiny OIDC issuer for the laptop and the tests: `/.well-known/openid-configuration` and a JWKS on
 * 127.0.0.1, an RS256 (or ES256) key made at start, and `mint()` for test users. The local stack starts one when no
 * external issuer is configured and trusts it through FLEETOPS_OIDC_ISSUERS, exactly as AWS trusts
 * Cognito, Okta, Entra ID or Google: the same verifier, the same claim → role mapping.
 */

/** Groups claim values the local issuer's users carry, and the role each maps to. */
export const LOCAL_ROLE_MAP: Record<string, Role> = {
  'fleetops-viewers': 'viewer',
  'fleetops-operators': 'operator',
  'fleetops-approvers': 'approver',
  'fleetops-admins': 'admin',
};

/** The demo's ready-made users, one per role. */
export const DEMO_USERS: Record<Role, { sub: string; name: string; email: string; groups: string[] }> = {
  viewer: { sub: 'alice-viewer', name: 'Alice Viewer', email: 'alice@fleetops.local', groups: ['fleetops-viewers'] },
  operator: { sub: 'oscar-operator', name: 'Oscar Operator', email: 'oscar@fleetops.local', groups: ['fleetops-operators'] },
  approver: { sub: 'april-approver', name: 'April Approver', email: 'april@fleetops.local', groups: ['fleetops-approvers'] },
  admin: { sub: 'adam-admin', name: 'Adam Admin', email: 'adam@fleetops.local', groups: ['fleetops-admins'] },
};

export const LOCAL_AUDIENCE = 'fleetops';

export interface MintOptions {
  sub: string;
  groups?: string[];
  name?: string;
  email?: string;
  /** Lifetime from now (negative: already expired). Default one hour. */
  expiresInSeconds?: number;
  /** Override `iss` (a wrong-issuer token: signed with this issuer's key, naming another). */
  issuer?: string;
  /** null: no `aud` at all (Cognito access tokens carry `client_id` instead). */
  audience?: string | string[] | null;
  /** Sign with a key the JWKS does not publish (a forged token naming this issuer). */
  foreignKey?: boolean;
  /** Extra claims (e.g. a Backstage-style `ent`). */
  claims?: Record<string, unknown>;
}

export interface LocalOidcIssuer {
  /** The issuer URL (`iss`). */
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** The FLEETOPS_OIDC_ISSUERS entry that trusts this issuer. */
  config: { issuer: string; audience: string; rolesClaim: string; roleMap: Record<string, Role>; nameClaim: string };
  mint(options: MintOptions): Promise<string>;
  /** A token for a demo user of the given role. */
  tokenFor(role: Role, options?: Omit<MintOptions, 'sub' | 'groups'>): Promise<string>;
  stop(): Promise<void>;
}

export interface LocalOidcIssuerOptions {
  host?: string;
  port?: number;
  audience?: string;
  /** RS256 (default) or ES256 (Backstage signs its user tokens with ES256). */
  algorithm?: 'RS256' | 'ES256';
}

export async function startLocalOidcIssuer(options: LocalOidcIssuerOptions = {}): Promise<LocalOidcIssuer> {
  const host = options.host ?? '127.0.0.1';
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const alg = options.algorithm ?? 'RS256';
  const kid = randomBytes(8).toString('hex');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  let foreign: CryptoKey | undefined;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };

  let issuer = '';
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { error: 'method_not_allowed' });
    if (path === '/.well-known/openid-configuration') {
      return send(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: [alg],
        subject_types_supported: ['public'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'name', 'email', 'groups'],
      });
    }
    if (path === '/.well-known/jwks.json') return send(200, { keys: [jwk] });
    return send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  issuer = `http://${host}:${typeof address === 'object' && address ? address.port : options.port}`;

  const mint = async (m: MintOptions): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = m.expiresInSeconds ?? 3600;
    let key: CryptoKey = privateKey;
    if (m.foreignKey) key = foreign ??= (await generateKeyPair(alg)).privateKey;
    const iat = lifetime < 0 ? now + lifetime - 3600 : now;
    const jwt = new SignJWT({
      ...(m.groups ? { groups: m.groups } : {}),
      ...(m.name ? { name: m.name } : {}),
      ...(m.email ? { email: m.email } : {}),
      ...m.claims,
    })
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(m.issuer ?? issuer)
      .setSubject(m.sub)
      .setIssuedAt(iat)
      .setExpirationTime(now + lifetime)
      .setJti(randomBytes(8).toString('hex'));
    if (m.audience !== null) jwt.setAudience(m.audience ?? audience);
    return jwt.sign(key);
  };

  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    audience,
    config: { issuer, audience, rolesClaim: 'groups', roleMap: { ...LOCAL_ROLE_MAP }, nameClaim: 'name' },
    mint,
    tokenFor: (role, extra = {}) => {
      const user = DEMO_USERS[role];
      return mint({ ...extra, sub: user.sub, groups: user.groups, name: user.name, email: user.email });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The demo's ready-made sign-in tokens, one per role, as shell lines to paste (`export FLEETOPS_VIEWER_TOKEN=…`). */
export async function demoTokenLines(oidc: LocalOidcIssuer, hours = 12): Promise<string> {
  const lines = [`# signed-in users of the local OIDC issuer ${oidc.issuer} (valid ${hours} h; roles from their groups claim):`];
  for (const role of Object.keys(DEMO_USERS) as Role[]) {
    const token = await oidc.tokenFor(role, { expiresInSeconds: hours * 3600 });
    lines.push(`# ${DEMO_USERS[role].sub} (${role})`, `export FLEETOPS_${role.toUpperCase()}_TOKEN=${token}`);
  }
  return lines.join('\n');
}

/** Run alone (`node local/oidc/issuer.ts`): prints the issuer entry and a token per demo user. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const local = await startLocalOidcIssuer({ port: Number(process.env.FLEETOPS_OIDC_PORT ?? 0) });
  const tokens = Object.fromEntries(
    await Promise.all((Object.keys(DEMO_USERS) as Role[]).map(async (role) => [role, await local.tokenFor(role, { expiresInSeconds: 12 * 3600 })])),
  );
  console.log(JSON.stringify({ FLEETOPS_OIDC_ISSUERS: JSON.stringify([local.config]), tokens }));
  process.on('SIGTERM', () => void local.stop().then(() => process.exit(0)));
  process.on('SIGINT', () => void local.stop().then(() => process.exit(0)));
}
