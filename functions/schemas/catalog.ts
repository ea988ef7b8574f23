import * as z from 'zod';
import { KINDS } from '../core/catalog/entity.ts';
import { MicroserviceParams } from '../core/catalog/golden-path.ts';

export { MicroserviceParams };

/** One or more `catalog-info.yaml` documents; parsed by the handler through the hardened YAML path. */
export const CatalogYaml = z.string().min(1).meta({ description: 'One or more Backstage catalog-info.yaml documents separated by ---' });

export const CatalogIngestResult = z
  .object({
    accepted: z.int(),
    rejected: z.array(z.object({ index: z.int().meta({ description: 'Zero-based document index in the request' }), error: z.string() })),
    refs: z.array(z.string()).optional(),
    unresolved: z
      .array(z.object({ index: z.int(), ref: z.string(), fields: z.array(z.string()) }))
      .optional()
      .meta({ description: 'Accepted documents whose $text/$json/$yaml placeholders were kept as written: a posted body has no URL to resolve them against' }),
  })
  .meta({ id: 'CatalogIngestResult' });

export const CatalogEntityQuery = z.object({ kind: z.enum([...KINDS, ...KINDS.map((k) => k.toLowerCase())] as [string, ...string[]]).optional() }).strict();

const EntityShape = z
  .object({
    ref: z.string(),
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.object({ name: z.string(), namespace: z.string() }).catchall(z.unknown()),
    spec: z.record(z.string(), z.unknown()),
    relations: z.array(z.object({ type: z.string(), targetRef: z.string() })),
  })
  .meta({ id: 'CatalogEntity' });

export const CatalogEntityList = z.object({ items: z.array(EntityShape) }).meta({ id: 'CatalogEntityList' });

const RefString = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?:[a-zA-Z][a-zA-Z0-9]*:)?(?:[a-zA-Z0-9][-a-zA-Z0-9]*\/)?[a-zA-Z0-9][-_.a-zA-Z0-9]*$/,
    'must be an entity reference such as component:default/user-service',
  );

export const CatalogGraphQuery = z
  .object({
    entity: RefString,
    depth: z.coerce.number().int().min(1).max(10).optional(),
  })
  .strict();

export const CatalogGraph = z
  .object({
    entity: z.string(),
    nodes: z.array(
      z.object({ ref: z.string(), kind: z.string(), namespace: z.string(), name: z.string(), title: z.string().optional(), missing: z.boolean().optional() }),
    ),
    edges: z.array(z.object({ from: z.string(), to: z.string(), type: z.string() })),
    upstream: z.array(z.string()),
    downstream: z.array(z.string()),
  })
  .meta({ id: 'CatalogGraph' });

export const EntityRefParams = z.object({ entityRef: RefString });

export const Scorecard = z
  .object({
    entity: z.string(),
    score: z.number(),
    passing: z.boolean(),
    passingMark: z.number(),
    checks: z.array(z.object({ name: z.string(), weight: z.number(), passed: z.boolean(), detail: z.string() })),
    computedAt: z.string().optional().describe('When the checks ran (a stored card is served while younger than FLEETOPS_SCORECARD_MAX_AGE_SECONDS)'),
  })
  .meta({ id: 'Scorecard' });

export const ScorecardSummary = z
  .object({
    passingMark: z.number(),
    components: z.int(),
    passing: z.int(),
    averageScore: z.number(),
    items: z.array(z.object({ entity: z.string(), score: z.number(), passing: z.boolean(), failed: z.array(z.string()) })),
    pending: z.int().optional().describe('Components without a card yet: the scorecards-refresh schedule computes them'),
    oldestComputedAt: z.string().optional().describe('The oldest stored card in the summary'),
  })
  .meta({ id: 'ScorecardSummary' });

export const BackstageEntityList = z
  .object({ apiVersion: z.literal('backstage.io/v1alpha1').optional(), items: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'BackstageEntityList' });
