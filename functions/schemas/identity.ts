import * as z from 'zod';
import { ROLES } from '../core/identity/identity.ts';

export const RoleSchema = z.enum(ROLES);

/**
 * One trusted OIDC issuer (FLEETOPS_OIDC_ISSUERS is a JSON array of these). Roles come from a claim
 * (`rolesClaim`, a dotted path; string or array values) mapped through `roleMap`; the highest wins.
 */
export const OidcIssuerSchema = z
  .object({
    issuer: z.url({ protocol: /^https?$/ }),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Default: the discovery document's `jwks_uri`, else `<issuer>/.well-known/jwks.json`. */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    rolesClaim: z.string().min(1).max(200).default('groups'),
    roleMap: z.record(z.string(), RoleSchema).default({}),
    /** Role of a valid token whose claim maps to no role; unset or null: such tokens get 403. */
    defaultRole: RoleSchema.nullable().optional(),
    /** Claim shown as the display name (default: name, then email, then sub). */
    nameClaim: z.string().min(1).max(200).optional(),
    algorithms: z
      .array(z.enum(['RS256', 'ES256', 'RS384', 'RS512', 'ES384', 'PS256', 'EdDSA']))
      .min(1)
      .default(['RS256', 'ES256']),
  })
  .strict();

export type OidcIssuer = z.output<typeof OidcIssuerSchema>;

export const OidcIssuersSchema = z.array(OidcIssuerSchema).max(20);

/** Parses FLEETOPS_OIDC_ISSUERS; throws with the field that is wrong. */
export function parseOidcIssuers(value: string | undefined): OidcIssuer[] {
  if (!value?.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error('Invalid fleetops configuration in environment: FLEETOPS_OIDC_ISSUERS (not JSON)');
  }
  const parsed = OidcIssuersSchema.safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ');
    throw new Error(`Invalid fleetops configuration in environment: FLEETOPS_OIDC_ISSUERS ${fields}`);
  }
  return parsed.data;
}

export const CreateIngestCredentialRequest = z
  .object({
    source: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dots, dashes, underscores'),
    name: z.string().min(1).max(100).optional(),
  })
  .strict();

export const CreateApiKeyRequest = z.object({ name: z.string().min(1).max(100), role: RoleSchema }).strict();

export const CredentialSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['ingest', 'api-key']),
    source: z.string().optional(),
    role: RoleSchema.optional(),
    name: z.string(),
    status: z.enum(['active', 'revoked']),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'Credential' });

export const CreatedCredential = z
  .object({ credential: CredentialSchema, secret: z.string().meta({ description: 'Shown once; only its SHA-256 is stored' }) })
  .meta({ id: 'CreatedCredential' });

export const CredentialList = z.object({ items: z.array(CredentialSchema) }).meta({ id: 'CredentialList' });

export const WhoAmI = z
  .object({ kind: z.string(), subject: z.string(), displayName: z.string(), role: RoleSchema.nullable(), source: z.string().optional() })
  .meta({ id: 'Identity' });
