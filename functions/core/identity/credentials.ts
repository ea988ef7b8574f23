import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { hasRole, ROLES, type Identity, type Role } from './identity.ts';
import { internalSourceMessage, isInternalAlertSource } from '../alerts/sources.ts';

/**
 * Machine credentials apart from humans:
 * - ingest credentials (`fo_ing_<id>_<secret>`): bound to one alert source, may only post alerts;
 * - scoped API keys (`fo_key_<id>_<secret>`): for scripts, with a role.
 * Only the SHA-256 of the secret is stored. The id inside the secret finds the row with one read;
 * the hash decides. A source may hold two active ingest credentials at once, so a sender can be
 * moved to a new one before the old one is revoked (rotation without downtime).
 */
export type StoredCredentialKind = 'ingest' | 'api-key';

export const INGEST_PREFIX = 'fo_ing_';
export const API_KEY_PREFIX = 'fo_key_';
/** Active ingest credentials per source: the current one and the one being rotated in. */
export const MAX_ACTIVE_INGEST_PER_SOURCE = 2;

/**
 * Which ingest credentials may post Alertmanager webhooks (`POST /v1/alerts/alertmanager`): the
 * alerts are stored as source `alertmanager`, so only a credential issued for that source, or for
 * a named Alertmanager (`alertmanager-eu`, `alertmanager_prod`, `alertmanager.dc1`: the prefix and
 * a separator), may send them. A `datadog` credential posts `/v1/alerts` for `datadog` only.
 */
export const mayPostAlertmanager = (source: string | undefined): boolean =>
  typeof source === 'string' && /^alertmanager(?:[-_.][a-z0-9][a-z0-9._-]*)?$/i.test(source);

export const tooManyIngest = (source: string) =>
  new ConflictError(
    `Source ${source} already has ${MAX_ACTIVE_INGEST_PER_SOURCE} active ingest credentials; revoke the old one (DELETE /v1/credentials/{id}) before creating another`,
    'TOO_MANY_CREDENTIALS',
  );

export interface StoredCredential {
  id: string;
  kind: StoredCredentialKind;
  /** Ingest: the alert source it is bound to. */
  source?: string;
  /** API keys: the role they carry. */
  role?: Role;
  name: string;
  /** hex SHA-256 of the whole secret string. */
  secretHash: string;
  createdAt: string;
  /** Identity subject of the admin who created it. */
  createdBy: string;
  revokedAt?: string;
}

/** What lists and responses show: never the hash. */
export type CredentialView = Omit<StoredCredential, 'secretHash'> & { status: 'active' | 'revoked' };

export interface CredentialStore {
  /**
   * Conditional create: the id is new. With `maxActiveForSource` (ingest credentials), atomically
   * refuses (ConflictError TOO_MANY_CREDENTIALS) when the source already has that many active
   * ones, so two concurrent creates cannot both pass the limit.
   */
  create(credential: StoredCredential, options?: { maxActiveForSource?: number }): Promise<void>;
  get(id: string): Promise<StoredCredential | undefined>;
  list(): Promise<StoredCredential[]>;
  /** Sets revokedAt once (idempotent); undefined when there is no such credential. */
  revoke(id: string, at: string): Promise<StoredCredential | undefined>;
}

export interface CredentialServiceOptions {
  store: CredentialStore;
  now(): Date;
  /** How long a verified secret is trusted without reading the store again (per warm process). */
  cacheSeconds?: number;
}

const SOURCE = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The credential id inside a prefixed secret, or undefined when it is not one of ours. */
export function parseSecret(secret: string): { kind: StoredCredentialKind; id: string } | undefined {
  const kind = secret.startsWith(INGEST_PREFIX) ? 'ingest' : secret.startsWith(API_KEY_PREFIX) ? 'api-key' : undefined;
  if (!kind) return undefined;
  const match = /^([a-f0-9]{16})_[A-Za-z0-9_-]{43}$/.exec(secret.slice(INGEST_PREFIX.length));
  return match ? { kind, id: match[1] } : undefined;
}

export function isStoredCredentialSecret(secret: string): boolean {
  return secret.startsWith(INGEST_PREFIX) || secret.startsWith(API_KEY_PREFIX);
}

function view(credential: StoredCredential): CredentialView {
  const { secretHash: _hash, ...rest } = credential;
  return { ...rest, status: credential.revokedAt ? 'revoked' : 'active' };
}

export function identityOf(credential: StoredCredential): Identity {
  if (credential.kind === 'ingest') {
    return {
      kind: 'ingest',
      subject: `ingest:${credential.id}`,
      displayName: `ingest credential ${credential.name} (${credential.source})`,
      role: null,
      source: credential.source,
    };
  }
  return { kind: 'api-key', subject: `api-key:${credential.id}`, displayName: `API key ${credential.name}`, role: credential.role ?? null };
}

export class CredentialService {
  readonly #store: CredentialStore;
  readonly #now: () => Date;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { hash: string; identity: Identity; until: number }>();

  constructor(options: CredentialServiceOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#cacheMs = (options.cacheSeconds ?? 30) * 1000;
  }

  /** A new ingest credential for an alert source; the secret is returned once and never stored. */
  async createIngest(input: { source: string; name?: string }, by: Identity): Promise<{ credential: CredentialView; secret: string }> {
    if (!hasRole(by, 'admin')) throw new ForbiddenError('Creating credentials needs the admin role');
    if (!SOURCE.test(input.source)) throw new ValidationError('source must be 1-63 letters, digits, dots, dashes or underscores');
    if (isInternalAlertSource(input.source)) throw new ValidationError(internalSourceMessage(input.source), undefined, 'RESERVED_SOURCE');
    const active = (await this.#store.list()).filter((c) => c.kind === 'ingest' && c.source === input.source && !c.revokedAt);
    if (active.length >= MAX_ACTIVE_INGEST_PER_SOURCE) throw tooManyIngest(input.source);
    // The check above gives the usual answer cheaply; the store's conditional write is what holds under concurrency.
    return this.#create({ kind: 'ingest', source: input.source, name: input.name ?? input.source }, by, { maxActiveForSource: MAX_ACTIVE_INGEST_PER_SOURCE });
  }

  /** A scoped API key for scripts; its role may not exceed its creator's. */
  async createApiKey(input: { name: string; role: Role }, by: Identity): Promise<{ credential: CredentialView; secret: string }> {
    if (!hasRole(by, 'admin')) throw new ForbiddenError('Creating credentials needs the admin role');
    if (!ROLES.includes(input.role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')}`);
    if (!hasRole(by, input.role)) throw new ForbiddenError(`An API key cannot carry a role above its creator's`);
    return this.#create({ kind: 'api-key', role: input.role, name: input.name }, by);
  }

  async #create(
    fields: Pick<StoredCredential, 'kind' | 'name'> & Partial<Pick<StoredCredential, 'source' | 'role'>>,
    by: Identity,
    options?: { maxActiveForSource?: number },
  ): Promise<{ credential: CredentialView; secret: string }> {
    const id = randomBytes(8).toString('hex');
    const secret = `${fields.kind === 'ingest' ? INGEST_PREFIX : API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const credential: StoredCredential = { id, ...fields, secretHash: hashSecret(secret), createdAt: this.#now().toISOString(), createdBy: by.subject };
    await this.#store.create(credential, options);
    return { credential: view(credential), secret };
  }

  async list(): Promise<CredentialView[]> {
    return (await this.#store.list()).map(view).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Revokes at once (this process forgets it too); revoking twice is fine. */
  async revoke(id: string): Promise<CredentialView> {
    this.#cache.delete(id);
    const revoked = await this.#store.revoke(id, this.#now().toISOString());
    if (!revoked) throw new NotFoundError(`No credential ${id}`);
    return view(revoked);
  }

  /** The identity of a prefixed secret, or undefined when it is unknown, wrong or revoked. */
  async authenticate(secret: string): Promise<Identity | undefined> {
    const parsed = parseSecret(secret);
    if (!parsed) return undefined;
    const hash = hashSecret(secret);
    const now = this.#now().getTime();
    const cached = this.#cache.get(parsed.id);
    if (cached && cached.until > now && cached.hash === hash) return cached.identity;
    const stored = await this.#store.get(parsed.id);
    if (!stored || stored.revokedAt || stored.kind !== parsed.kind) return undefined;
    if (!timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(stored.secretHash, 'hex'))) return undefined;
    const identity = identityOf(stored);
    if (this.#cacheMs > 0) this.#cache.set(parsed.id, { hash, identity, until: now + this.#cacheMs });
    return identity;
  }
}
