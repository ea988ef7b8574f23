import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError, ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { roleRank, type Identity, type Role } from '../core/identity/identity.ts';
import type { OidcIssuer } from '../schemas/identity.ts';

export interface OidcVerifierOptions {
  clockSkewSeconds?: number;
  /** Discovery and JWKS requests (tests may pass their own). */
  fetch?: typeof fetch;
}

/** A token that looks like a JWS compact serialisation (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Reads `a.b.c` from a claims object. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The highest role the token's claim values map to; the issuer's defaultRole when none does. */
export function roleFromClaims(payload: Record<string, unknown>, issuer: Pick<OidcIssuer, 'rolesClaim' | 'roleMap' | 'defaultRole'>): Role | null {
  const raw = claimAt(payload, issuer.rolesClaim);
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  let best: Role | null = null;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const role = Object.hasOwn(issuer.roleMap, value) ? issuer.roleMap[value] : undefined;
    if (role && roleRank(role) > roleRank(best)) best = role;
  }
  return best ?? issuer.defaultRole ?? null;
}

/**
 * `aud` must name one of the configured audiences; a token without `aud` may name it in `client_id`
 * instead (Cognito access tokens), which is what API Gateway's JWT authorizer accepts too.
 */
export function audienceMatches(payload: JWTPayload, audience: string | string[]): boolean {
  const wanted = [audience].flat();
  if (payload.aud !== undefined) return [payload.aud].flat().some((a) => wanted.includes(a));
  return typeof payload.client_id === 'string' && wanted.includes(payload.client_id);
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Verifies OIDC access/ID tokens from any of the configured issuers with `jose`: signature against
 * the issuer's JWKS (cached by jose, refetched on an unknown `kid`), `iss`, `aud`, `exp`/`nbf` with
 * a small clock skew, and an algorithm allow-list. The issuer is chosen by the token's (unverified)
 * `iss`, then everything is verified against that issuer's own keys.
 */
export class OidcVerifier {
  readonly #issuers: Map<string, OidcIssuer>;
  readonly #keys = new Map<string, Promise<JWTVerifyGetKey>>();
  readonly #skew: number;
  readonly #fetch: typeof fetch;

  constructor(issuers: OidcIssuer[], options: OidcVerifierOptions = {}) {
    this.#issuers = new Map(issuers.map((i) => [trimSlash(i.issuer), i]));
    this.#skew = options.clockSkewSeconds ?? 30;
    this.#fetch = options.fetch ?? fetch;
  }

  get configured(): boolean {
    return this.#issuers.size > 0;
  }

  async verify(token: string): Promise<Identity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new UnauthorizedError('The bearer token is not a valid JWT');
    }
    const issuer = typeof unverified.iss === 'string' ? this.#issuers.get(trimSlash(unverified.iss)) : undefined;
    if (!issuer) throw new UnauthorizedError('The token was issued by an issuer this API does not trust');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.#keySet(issuer), {
        issuer: [issuer.issuer, trimSlash(issuer.issuer)],
        algorithms: issuer.algorithms,
        clockTolerance: this.#skew,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw this.#mapError(error, issuer);
    }
    if (!audienceMatches(payload, issuer.audience)) throw new UnauthorizedError("The token's aud claim is not valid here");
    const role = roleFromClaims(payload, issuer);
    const subject = `${payload.iss}#${payload.sub}`;
    if (!role) throw new ForbiddenError(`No fleetops role for ${subject}: its ${issuer.rolesClaim} claim maps to none`, 'NO_ROLE');
    const name = [issuer.nameClaim, 'name', 'email', 'preferred_username']
      .map((claim) => (claim ? claimAt(payload, claim) : undefined))
      .find((v): v is string => typeof v === 'string' && v.length > 0);
    return { kind: 'oidc', subject, displayName: name ?? String(payload.sub), role };
  }

  #mapError(error: unknown, issuer: OidcIssuer): Error {
    if (error instanceof errors.JWTExpired) return new UnauthorizedError('The token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) return new UnauthorizedError(`The token's ${error.claim} claim is not valid here`);
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
      // The issuer's keys could not be fetched: not the caller's fault, and worth a retry.
      this.#keys.delete(issuer.issuer);
      return new AppError('retry-later', 'IDENTITY_PROVIDER_UNAVAILABLE', `The keys of ${issuer.issuer} could not be fetched; retry`);
    }
    return new UnauthorizedError('The token signature or algorithm is not valid');
  }

  #keySet(issuer: OidcIssuer): Promise<JWTVerifyGetKey> {
    let keys = this.#keys.get(issuer.issuer);
    if (!keys) {
      keys = this.#jwksUrl(issuer).then((url) => createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }));
      keys.catch(() => this.#keys.delete(issuer.issuer));
      this.#keys.set(issuer.issuer, keys);
    }
    return keys;
  }

  async #jwksUrl(issuer: OidcIssuer): Promise<string> {
    if (issuer.jwksUrl) return issuer.jwksUrl;
    const base = trimSlash(issuer.issuer);
    try {
      const response = await this.#fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), redirect: 'error' });
      if (response.ok) {
        const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
        // The document must be this issuer's (OIDC Discovery 4.3), and an https issuer's keys come over https only.
        const scheme = base.startsWith('https:') ? /^https:\/\//i : /^https?:\/\//i;
        const own = typeof document.issuer === 'string' && trimSlash(document.issuer) === base;
        if (own && typeof document.jwks_uri === 'string' && scheme.test(document.jwks_uri)) return document.jwks_uri;
      }
    } catch {
      // fall through to the conventional location
    }
    return `${base}/.well-known/jwks.json`;
  }
}
