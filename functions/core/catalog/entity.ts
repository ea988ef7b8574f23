/**
 * Backstage catalog entities (`catalog-info.yaml`, apiVersion backstage.io/v1alpha1): the shapes
 * fleetops accepts, entity references and their normalised form (`component:default/user-service`).
 */
import * as z from 'zod';
import { ValidationError } from '../errors.ts';

export const API_VERSION = 'backstage.io/v1alpha1';
/** Backstage accepts both for its core kinds (same schema); entities are stored as v1alpha1. */
const API_VERSIONS = [API_VERSION, 'backstage.io/v1beta1'] as const;
export const KINDS = ['Component', 'System', 'API', 'Resource', 'Group', 'User', 'Domain'] as const;
export type EntityKind = (typeof KINDS)[number];

/** Backstage's own rules: 1-63 characters `[a-zA-Z0-9]` separated by `[-_.]`. */
const NAME = /^[a-zA-Z0-9]([-_.]?[a-zA-Z0-9])*$/;
/** Namespaces are DNS labels. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Label and annotation keys: an optional DNS-subdomain prefix, then a name part (as Kubernetes). */
const KEY_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KEY_NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const TAG = /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/;
/** A ref as written: `[kind:][namespace/]name`. */
const REF = /^(?:([a-zA-Z][a-zA-Z0-9]*):)?(?:([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)\/)?([a-zA-Z0-9]([-_.]?[a-zA-Z0-9])*)$/;

export const EntityName = z.string().min(1).max(63).regex(NAME, 'must be 1-63 characters [a-zA-Z0-9] separated by [-_.]');
const Namespace = z.string().min(1).max(63).regex(NAMESPACE, 'must be a DNS label (lowercase letters, digits and dashes)');

const MetadataKey = z
  .string()
  .max(317)
  .refine((key) => {
    const parts = key.split('/');
    if (parts.length > 2) return false;
    const name = parts.pop()!;
    const prefix = parts[0];
    return name.length <= 63 && KEY_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && KEY_PREFIX.test(prefix)));
  }, 'must be a key like `example.com/name` (optional DNS prefix, then 1-63 characters)');

const Ref = z.string().min(1).max(200).regex(REF, 'must be an entity reference `[kind:][namespace/]name`');
const RefList = z.array(Ref).max(200);
const Text = (max: number) => z.string().max(max);

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
/** Backstage links are any URI; fleetops keeps the ones a browser can follow safely. */
const LinkUrl = z.url({ protocol: /^(https?|mailto)$/, error: 'must be an http(s) or mailto URL' }).max(2048);
const Link = z.object({ url: LinkUrl, title: Text(200).optional(), icon: Text(100).optional(), type: Text(100).optional() }).strict();

const Metadata = z
  .object({
    name: EntityName,
    namespace: Namespace.optional(),
    title: Text(200).optional(),
    description: Text(2000).optional(),
    labels: z
      .record(
        MetadataKey,
        z
          .string()
          .max(63)
          .regex(/^([a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?)?$/, 'must be a label value'),
      )
      .optional(),
    annotations: z.record(MetadataKey, Text(4096)).optional(),
    tags: z.array(z.string().min(1).max(63).regex(TAG, 'must be lowercase letters, digits, `:+#` separated by dashes')).max(50).optional(),
    links: z.array(Link).max(50).optional(),
  })
  // Other metadata (uid, etag, generation set by a Backstage server, or anything else) is dropped, not stored.
  .strip();

const Lifecycle = z.string().min(1).max(63);
const Type = z.string().min(1).max(63);
const Profile = z.object({ displayName: Text(200).optional(), email: z.email().max(320).optional(), picture: HttpUrl.optional() }).strict();

/**
 * Backstage's placeholder substitutions (`definition: {$text: ./openapi.yaml}`, `$json`, `$yaml`): a pull
 * resolves them relative to the file's URL (placeholders.ts); a document POSTed to the API has no URL to
 * resolve against, so the placeholder is kept as written and reported as unresolved.
 */
const Placeholder = z
  .object({ $text: Text(2048).min(1) })
  .strict()
  .or(z.object({ $json: Text(2048).min(1) }).strict())
  .or(z.object({ $yaml: Text(2048).min(1) }).strict());

export const SPEC_SCHEMAS = {
  Component: z
    .object({
      type: Type,
      lifecycle: Lifecycle,
      owner: Ref,
      system: Ref.optional(),
      subcomponentOf: Ref.optional(),
      providesApis: RefList.optional(),
      consumesApis: RefList.optional(),
      dependsOn: RefList.optional(),
      dependencyOf: RefList.optional(),
    })
    .loose(),
  System: z.object({ owner: Ref, domain: Ref.optional(), type: Type.optional() }).loose(),
  API: z.object({ type: Type, lifecycle: Lifecycle, owner: Ref, definition: z.union([Text(256 * 1024).min(1), Placeholder]), system: Ref.optional() }).loose(),
  Resource: z.object({ type: Type, owner: Ref, system: Ref.optional(), dependsOn: RefList.optional(), dependencyOf: RefList.optional() }).loose(),
  Group: z.object({ type: Type, profile: Profile.optional(), parent: Ref.optional(), children: RefList, members: RefList.optional() }).loose(),
  User: z.object({ profile: Profile.optional(), memberOf: RefList.default([]) }).loose(),
  Domain: z.object({ owner: Ref, subdomainOf: Ref.optional(), type: Type.optional() }).loose(),
} satisfies Record<EntityKind, z.ZodType>;

/**
 * Spec fields Backstage's validators accept but fleetops does not read (Backstage's kind schemas do not
 * forbid additional properties) are kept as written, within these bounds: a stored entity stays far
 * below DynamoDB's 400 KB item and no key can reach an object's prototype.
 */
export const MAX_EXTRA_SPEC_FIELDS = 32;
export const MAX_EXTRA_SPEC_BYTES = 64 * 1024;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function extraSpecProblem(kind: EntityKind, spec: Record<string, unknown>): string | undefined {
  const known = SPEC_SCHEMAS[kind].shape as Record<string, unknown>;
  const extra = Object.keys(spec).filter((key) => !(key in known));
  if (extra.length > MAX_EXTRA_SPEC_FIELDS)
    return `${kind} spec: at most ${MAX_EXTRA_SPEC_FIELDS} fields beyond Backstage's own are kept (${extra.length} given)`;
  const size = Buffer.byteLength(JSON.stringify(Object.fromEntries(extra.map((key) => [key, spec[key]]))) ?? '', 'utf8');
  if (size > MAX_EXTRA_SPEC_BYTES) return `${kind} spec: fields beyond Backstage's own take ${size} bytes, more than ${MAX_EXTRA_SPEC_BYTES}`;
  const unsafe = unsafeKeyPath(spec, ['spec']);
  return unsafe ? `${unsafe}: the key is not allowed` : undefined;
}

/** The first `__proto__`, `constructor` or `prototype` key anywhere in the value, as a dotted path. */
function unsafeKeyPath(value: unknown, path: string[]): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (UNSAFE_KEYS.has(key)) return [...path, key].join('.');
    const below = unsafeKeyPath(child, [...path, Array.isArray(value) ? `[${key}]` : key]);
    if (below) return below;
  }
  return undefined;
}

export type ComponentSpec = z.output<(typeof SPEC_SCHEMAS)['Component']>;

export interface Relation {
  type: string;
  targetRef: string;
}

/** An accepted entity as stored: the document as written (namespace filled in) plus its normalised ref and relations. */
export interface CatalogEntity {
  ref: string;
  apiVersion: typeof API_VERSION;
  kind: EntityKind;
  metadata: z.output<typeof Metadata> & { namespace: string };
  spec: Record<string, unknown>;
  relations: Relation[];
}

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

/** Lower-case, fully qualified: how refs are compared and stored (Backstage compares them case-insensitively). */
export function formatRef(ref: EntityRef): string {
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
}

/**
 * `[kind:][namespace/]name` → normalised ref. The kind defaults to what the field implies (an owner
 * is a Group), the namespace to the referring entity's. Returns undefined for something that is not a ref.
 */
export function parseRef(raw: string, defaults: { kind?: string; namespace?: string } = {}): EntityRef | undefined {
  const match = REF.exec(raw.trim());
  if (!match) return undefined;
  const kind = match[1] ?? defaults.kind;
  if (!kind) return undefined;
  return { kind: kind.toLowerCase(), namespace: (match[2] ?? defaults.namespace ?? 'default').toLowerCase(), name: match[4].toLowerCase() };
}

export function normalizeRef(raw: string, defaults: { kind?: string; namespace?: string } = {}): string | undefined {
  const ref = parseRef(raw, defaults);
  return ref ? formatRef(ref) : undefined;
}

/** Fields that hold refs, the default kind of each, and the relation they create (Backstage's names). */
const REF_FIELDS: { field: string; kind: string; relation: string; many?: boolean }[] = [
  { field: 'owner', kind: 'group', relation: 'ownedBy' },
  { field: 'system', kind: 'system', relation: 'partOf' },
  { field: 'domain', kind: 'domain', relation: 'partOf' },
  { field: 'subcomponentOf', kind: 'component', relation: 'partOf' },
  { field: 'subdomainOf', kind: 'domain', relation: 'partOf' },
  { field: 'providesApis', kind: 'api', relation: 'providesApi', many: true },
  { field: 'consumesApis', kind: 'api', relation: 'consumesApi', many: true },
  { field: 'dependsOn', kind: 'component', relation: 'dependsOn', many: true },
  { field: 'dependencyOf', kind: 'component', relation: 'dependencyOf', many: true },
  { field: 'parent', kind: 'group', relation: 'childOf' },
  { field: 'children', kind: 'group', relation: 'parentOf', many: true },
  { field: 'members', kind: 'user', relation: 'hasMember', many: true },
  { field: 'memberOf', kind: 'group', relation: 'memberOf', many: true },
];

/** The outgoing relations an entity's spec declares, with normalised targets, sorted and deduplicated. */
export function relationsOf(namespace: string, spec: Record<string, unknown>): Relation[] {
  const out = new Map<string, Relation>();
  for (const { field, kind, relation, many } of REF_FIELDS) {
    const value = spec[field];
    const raws = many ? (Array.isArray(value) ? value : []) : typeof value === 'string' ? [value] : [];
    for (const raw of raws) {
      if (typeof raw !== 'string') continue;
      const targetRef = normalizeRef(raw, { kind, namespace });
      if (targetRef) out.set(`${relation} ${targetRef}`, { type: relation, targetRef });
    }
  }
  return [...out.values()].sort((a, b) => (a.type + a.targetRef).localeCompare(b.type + b.targetRef));
}

const Envelope = z
  .object({
    apiVersion: z.enum(API_VERSIONS, { error: `must be ${API_VERSIONS.join(' or ')}` }),
    kind: z.enum(KINDS, { error: `must be one of ${KINDS.join(', ')}` }),
    metadata: Metadata,
    spec: z.unknown(),
  })
  .strict();

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

/** Valid Backstage kinds fleetops does not store, and why: the document is rejected on its own, with this reason. */
const NOT_INGESTED: Record<string, string> = {
  Location:
    'kind Location is followed only in a pull (FLEETOPS_CATALOG_URLS), where its targets are read relative to its own URL on the same host; a posted document has no URL: post the target files themselves',
  Template:
    'kind Template (scaffolder.backstage.io) is a Backstage scaffolder template, not ingested by fleetops; its own golden path is POST /v1/golden-paths/microservice',
};

function unsupportedKind(value: Record<string, unknown>): string | undefined {
  const kind = value.kind;
  if (typeof kind !== 'string' || (KINDS as readonly string[]).includes(kind)) return undefined;
  if (NOT_INGESTED[kind]) return NOT_INGESTED[kind];
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  const name = (value.metadata as { name?: unknown } | undefined)?.name;
  const what = `kind ${JSON.stringify(kind.slice(0, 63))}${typeof name === 'string' ? ` (${name.slice(0, 63)})` : ''}`;
  const supported = `kind: must be one of ${KINDS.join(', ')}`;
  if (/^([a-z0-9-]+\.)*backstage\.io\//.test(apiVersion)) return `${supported}; ${what} is not a kind fleetops ingests, skipped`;
  return supported;
}

/** One parsed YAML document → an entity, or the reason it is not one. */
export function validateEntity(value: unknown): { entity: CatalogEntity } | { error: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'the document is not a mapping' };
  const unsupported = unsupportedKind(value as Record<string, unknown>);
  if (unsupported) return { error: unsupported };
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) return { error: describe(envelope.error, '') };
  const { kind, metadata } = envelope.data;
  const spec = SPEC_SCHEMAS[kind].safeParse(envelope.data.spec ?? {});
  if (!spec.success) return { error: `${kind} ${describe(spec.error, 'spec')}` };
  const namespace = metadata.namespace ?? 'default';
  const specData = spec.data as Record<string, unknown>;
  const extra = extraSpecProblem(kind, specData);
  if (extra) return { error: extra };
  return {
    entity: {
      ref: formatRef({ kind, namespace, name: metadata.name }),
      apiVersion: API_VERSION,
      kind,
      metadata: { ...metadata, namespace },
      spec: specData,
      relations: relationsOf(namespace, specData),
    },
  };
}

/** Backstage's Location (`spec.type`, `spec.target`, `spec.targets`): not stored, followed by a pull. */
const LocationSpec = z
  .object({
    type: z.string().min(1).max(63).optional(),
    target: z.string().min(1).max(2048).optional(),
    targets: z.array(z.string().min(1).max(2048)).max(1000).optional(),
    presence: z.enum(['required', 'optional']).optional(),
  })
  .loose();

const LocationEnvelope = z
  .object({
    apiVersion: z.enum(API_VERSIONS, { error: `must be ${API_VERSIONS.join(' or ')}` }),
    kind: z.literal('Location'),
    metadata: Metadata,
    spec: LocationSpec,
  })
  .strict();

export interface LocationDocument {
  name: string;
  type?: string;
  targets: string[];
}

export function isLocation(value: unknown): boolean {
  return !!value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'Location';
}

/** A `kind: Location` document → its targets (`target` and `targets` together, in order), or why it is not one. */
export function validateLocation(value: unknown): { location: LocationDocument } | { error: string } {
  const parsed = LocationEnvelope.safeParse(value);
  if (!parsed.success) return { error: `Location ${describe(parsed.error, '')}` };
  const { spec, metadata } = parsed.data;
  const targets = [...(spec.target ? [spec.target] : []), ...(spec.targets ?? [])];
  return { location: { name: metadata.name, type: spec.type, targets } };
}

export function annotation(entity: Pick<CatalogEntity, 'metadata'>, key: string): string | undefined {
  const value = entity.metadata.annotations?.[key];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** A ref as given in a query or path → its normalised form; a bare name means a Component in `default`. */
export function requestedRef(raw: string): string {
  const ref = parseRef(raw, { kind: 'component' });
  if (!ref) throw new ValidationError(`${JSON.stringify(raw.slice(0, 200))} is not an entity reference`, undefined, 'INVALID_ENTITY_REF');
  return formatRef(ref);
}
