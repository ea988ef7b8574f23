import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { ErrorResponse, IdParams } from '../../schemas/common.ts';
import { CreateApiKeyRequest, CreatedCredential, CreateIngestCredentialRequest, CredentialList, CredentialSchema, WhoAmI } from '../../schemas/identity.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/credentials.ts (see ../routes.ts for the whole table). */
export const CREDENTIALS_ROUTES = {
  whoAmI: defineRoute({
    method: 'GET',
    path: '/v1/whoami',
    handler: 'credentials',
    auth: 'bearer',
    role: 'viewer',
    summary: 'The identity and role fleetops sees for the presented credential',
    tags: ['identity'],
    responses: { 200: { description: 'Identity', schema: WhoAmI }, ...unauthorized },
  }),
  createIngestCredential: defineRoute({
    method: 'POST',
    path: '/v1/credentials/ingest',
    handler: 'credentials',
    auth: 'bearer',
    role: 'admin',
    summary:
      'A new ingest credential for one alert source (it may only post alerts); the secret is returned once. A source may hold two at a time, for rotation',
    tags: ['identity'],
    body: CreateIngestCredentialRequest,
    responses: {
      201: { description: 'Created; `secret` is shown only now', schema: CreatedCredential },
      ...badRequest,
      ...unauthorized,
      409: { description: 'The source already has two active credentials: revoke one first', schema: ErrorResponse },
    },
  }),
  createApiKey: defineRoute({
    method: 'POST',
    path: '/v1/credentials/api-keys',
    handler: 'credentials',
    auth: 'bearer',
    role: 'admin',
    summary: 'A new scoped API key for scripts, with a role; the secret is returned once',
    tags: ['identity'],
    body: CreateApiKeyRequest,
    responses: { 201: { description: 'Created; `secret` is shown only now', schema: CreatedCredential }, ...badRequest, ...unauthorized },
  }),
  listCredentials: defineRoute({
    method: 'GET',
    path: '/v1/credentials',
    handler: 'credentials',
    auth: 'bearer',
    role: 'admin',
    summary: 'Ingest credentials and API keys (never their secrets), active and revoked',
    tags: ['identity'],
    responses: { 200: { description: 'Credentials', schema: CredentialList }, ...unauthorized },
  }),
  revokeCredential: defineRoute({
    method: 'DELETE',
    path: '/v1/credentials/{id}',
    handler: 'credentials',
    auth: 'bearer',
    role: 'admin',
    summary: 'Revoke an ingest credential or API key at once (idempotent)',
    tags: ['identity'],
    params: IdParams,
    responses: { 200: { description: 'Revoked', schema: CredentialSchema }, ...unauthorized, ...notFound },
  }),
  // --- Cost and capacity (issue 22) ---
} satisfies Record<string, RouteDefinition>;
