// Minimal OpenAPI v3 discovery: enough for kubectl and helm to see that the server validates fields
// itself (the `fieldValidation` query parameter on PATCH), so they skip client-side schema validation.
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceDef } from './resources.ts';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

function writable(): ResourceDef[] {
  return RESOURCES.filter((r) => !r.readOnly && !r.review);
}

function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of writable()) seen.set(gvPath(r.group, r.version), { group: r.group, version: r.version });
  return [...seen.values()];
}

export function openApiV3Document(group: string, version: string): object | undefined {
  const defs = writable().filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const paths: Record<string, object> = {};
  for (const r of defs) {
    const base = `/${gvPath(r.group, r.version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
          { name: 'force', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas: {} } };
}

export function openApiV3Root(): object {
  const paths: Record<string, object> = {};
  for (const { group, version } of groupVersions()) {
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3Document(group, version)))
      .digest('hex')
      .toUpperCase();
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
  }
  return { paths };
}

/** `/openapi/v3/api/v1` or `/openapi/v3/apis/apps/v1`. */
export function openApiV3ForPath(segments: string[]): object | undefined {
  if (segments[0] === 'api' && segments.length === 2) return openApiV3Document('', segments[1]);
  if (segments[0] === 'apis' && segments.length === 3) return openApiV3Document(segments[1], segments[2]);
  return undefined;
}
