import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { hasRole, type Identity } from '../core/identity/identity.ts';
import { isStoredCredentialSecret, type CredentialService } from '../core/identity/credentials.ts';
import type { ApiTokenProvider } from '../ports.ts';
import { tokensMatch } from './api-token.ts';
import { looksLikeJwt, type OidcVerifier } from './oidc.ts';
import type { RouteDefinition } from './route-definition.ts';

export const BOOTSTRAP_IDENTITY: Identity = Object.freeze({ kind: 'bootstrap', subject: 'bootstrap', displayName: 'bootstrap admin token', role: 'admin' });

export interface AuthenticatorDeps {
  bootstrapTokens: ApiTokenProvider;
  /** Ingest credentials and API keys (`fo_ing_…`, `fo_key_…`). */
  credentials?: Pick<CredentialService, 'authenticate'>;
  oidc?: Pick<OidcVerifier, 'verify' | 'configured'>;
}

/**
 * Turns a bearer token into an Identity: the prefix names the store (`fo_ing_`/`fo_key_`: the
 * credential table), a JWT goes to the OIDC verifier, anything else is compared with the bootstrap
 * token. Unknown or invalid → 401.
 */
export class Authenticator {
  readonly #deps: AuthenticatorDeps;

  constructor(deps: AuthenticatorDeps) {
    this.#deps = deps;
  }

  async authenticate(token: string): Promise<Identity> {
    if (isStoredCredentialSecret(token)) {
      const identity = await this.#deps.credentials?.authenticate(token);
      if (!identity) throw new UnauthorizedError('Unknown or revoked credential');
      return identity;
    }
    if (looksLikeJwt(token) && this.#deps.oidc?.configured) return this.#deps.oidc.verify(token);
    if (tokensMatch(token, await this.#deps.bootstrapTokens.getTokens())) return BOOTSTRAP_IDENTITY;
    throw new UnauthorizedError();
  }
}

/** Whether an identity may call a route: ingest credentials only on ingest routes, everyone else by role. */
export function authorize(identity: Identity, route: Pick<RouteDefinition, 'method' | 'path' | 'role' | 'ingest'>): void {
  if (identity.kind === 'ingest') {
    if (!route.ingest) throw new ForbiddenError('An ingest credential may only post alerts (POST /v1/alerts, POST /v1/alerts/alertmanager)', 'INGEST_ONLY');
    return;
  }
  if (!route.role) throw new ForbiddenError(`${route.method} ${route.path} declares no role`);
  if (!hasRole(identity, route.role)) {
    throw new ForbiddenError(`${route.method} ${route.path} needs the ${route.role} role; this credential has ${identity.role ?? 'none'}`, 'INSUFFICIENT_ROLE');
  }
}
