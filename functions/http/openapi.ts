import * as z from 'zod';
import type { RouteDefinition } from './route-definition.ts';
import { ErrorResponse } from '../schemas/common.ts';

type JsonSchema = Record<string, unknown>;

/** Named schemas (`.meta({ id })`) are hoisted to components; everything else stays inline. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components?: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  const defs = json.$defs as Record<string, JsonSchema> | undefined;
  delete json.$defs;
  const rewrite = (value: JsonSchema) => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  if (defs && components) for (const [name, def] of Object.entries(defs)) components[name] ??= rewrite(def);
  return rewrite(json);
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input', {}) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const MEDIA_TYPES = { json: 'application/json', yaml: 'application/yaml', form: 'application/x-www-form-urlencoded', text: 'text/plain' };

/** OpenAPI 3.1 from the route table, with the very zod schemas the middleware validates with. */
export function buildOpenApiDocument(routes: (RouteDefinition & { id: string })[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemas: Record<string, JsonSchema> = {};
  toSchema(ErrorResponse, 'output', schemas);
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: route.id,
      summary: route.summary,
      tags: route.tags,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema ? { content: { 'application/json': { schema: toSchema(response.schema, 'output', schemas) } } } : {}),
          },
        ]),
      ),
    };
    if (route.body) {
      operation.requestBody = {
        required: !route.body.safeParse(undefined).success,
        content: { [MEDIA_TYPES[route.bodyFormat ?? 'json']]: { schema: toSchema(route.body, 'input', schemas) } },
      };
    }
    if (route.auth === 'bearer') {
      operation.security = [{ bearerAuth: [] }];
      // Who may call it: the least role, and whether alert senders' ingest credentials are accepted.
      operation['x-fleetops-role'] = route.role;
      if (route.ingest) operation['x-fleetops-ingest'] = true;
      const responses = operation.responses as Record<string, JsonSchema>;
      const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      responses['401'] ??= { description: 'Missing or invalid credential', ...error };
      responses['403'] ??= { description: `Valid credential without the ${route.role} role${route.ingest ? '' : ' (or an ingest credential)'}`, ...error };
      operation.description = `Needs role \`${route.role}\`${route.ingest ? ', or an ingest credential' : ''}.`;
    }
    if (route.auth === 'slack') operation.security = [{ slackSignature: [] }];
    if (route.auth === 'none') operation.security = [];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'fleetops: serverless, AI-assisted operations for fleets of Kubernetes clusters' },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An OIDC JWT from a configured issuer (roles viewer < operator < approver < admin from a claim mapping), a scoped API key (fo_key_…), an ingest credential (fo_ing_…, only POST /v1/alerts*), or the bootstrap admin token. Each operation names its least role in x-fleetops-role.',
        },
        slackSignature: { type: 'apiKey', in: 'header', name: 'X-Slack-Signature', description: 'Slack v0 request signature' },
      },
    },
    security: [{ bearerAuth: [] }],
  };
}
