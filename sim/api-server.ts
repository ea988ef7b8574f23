// HTTPS Kubernetes API server: auth, routing, CRUD/patch/watch semantics, Status errors, discovery, fault endpoints.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { Cluster } from './cluster.ts';
import type { ClusterPki } from './certs.ts';
import { applyDefaults, validate } from './admission.ts';
import { deletePod } from './controller.ts';
import { FaultError, injectFault, publicFault, removeFault } from './faults.ts';
import { LogError, podLogs } from './logs.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.ts';
import {
  API_GROUPS,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersionOf,
  apiVersions,
  findResource,
  RESOURCES,
  storeKey,
  type ResourceDef,
} from './resources.ts';
import { matchLabels, parseFieldSelector, parseLabelSelector, SelectorError, selectorToString, matchFields } from './selectors.ts';
import { K8S_VERSION } from './seed-workloads.ts';
import { toTable } from './tables.ts';
import { openApiV3ForPath, openApiV3Root } from './openapi.ts';
import { decodeKubernetesProtobuf, ProtobufError } from './protobuf.ts';
import { clone, nowIso, randSuffix, type Obj } from './util.ts';
import { accessReview, authorize, escalationProblem, forbiddenMessage, rulesReview, validateRbac, type Attributes, type UserInfo } from './rbac.ts';

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: Obj;
  constructor(code: number, reason: string, message: string, details?: Obj) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

export function statusBody(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const qualified = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);
const notFound = (def: ResourceDef, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.plural });

/**
 * Whether the first media type the Accept header names that this server can give is a meta.k8s.io
 * PartialObjectMetadata (a get) or PartialObjectMetadataList (a list): metadata only, as a real API server
 * answers `application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json`.
 */
function asPartialMetadata(accept: string, list: boolean): boolean {
  for (const clause of accept.split(',')) {
    const params = clause.split(';').map((p) => p.trim());
    const as = params.find((p) => p.startsWith('as='))?.slice(3);
    if (!as) return false;
    if (as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata') && params.includes('g=meta.k8s.io') && params.includes('v=v1')) return true;
  }
  return false;
}

function partialMetadata(o: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRawBody(req)).toString('utf8');
}

/** A create or update body: JSON, or the Kubernetes protobuf encoding for the kinds helm stores releases in. */
async function readObjectBody(req: IncomingMessage): Promise<Obj> {
  const contentType = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const raw = await readRawBody(req);
  if (contentType !== 'application/vnd.kubernetes.protobuf') return parseJson(raw.toString('utf8')) as Obj;
  try {
    return decodeKubernetesProtobuf(raw);
  } catch (e) {
    if (e instanceof ProtobufError) throw new ApiError(415, 'UnsupportedMediaType', e.message);
    throw e;
  }
}

async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const ch of req) {
    size += (ch as Buffer).length;
    if (size > 10 * 1024 * 1024) throw new ApiError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(ch as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string, yamlOk = false): unknown {
  try {
    return yamlOk ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

export interface ApiServerOptions {
  cluster: Cluster;
  pki: ClusterPki;
  token: string;
}

export class ApiServer {
  readonly server: Server;
  private readonly c: Cluster;
  private readonly watches = new Set<ServerResponse>();
  address = '';

  constructor(opts: ApiServerOptions) {
    this.c = opts.cluster;
    // The kubeconfig's token is the admin ServiceAccount's (cluster-admin through seedRbac's binding).
    this.c.tokens.registerAdmin(opts.token);
    this.server = createServer({ key: opts.pki.serverKeyPem, cert: opts.pki.serverCertPem }, (req, res) => {
      this.handle(req, res).catch((e) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (e instanceof ApiError) send(res, e.code, statusBody(e.code, e.reason, e.message, e.details));
        else {
          process.stderr.write(`sim ${this.c.name}: ${(e as Error).stack}\n`);
          send(res, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
        }
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (this.server.address() as { port: number }).port;
    this.address = `127.0.0.1:${port}`;
    return port;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.end();
    this.watches.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** RBAC: 403 Forbidden Status unless a binding allows the request. */
  private authorize(user: UserInfo, a: Attributes): void {
    if (authorize(this.c, user, a)) return;
    const details = a.resourceRequest ? { ...(a.name ? { name: a.name } : {}), group: a.apiGroup ?? '', kind: a.resource } : undefined;
    throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), details);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const user = this.c.tokens.authenticate(req.headers.authorization);
    if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = (req.method ?? 'GET').toUpperCase();
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const isResourcePath = (segs[0] === 'api' && segs[1] === 'v1' && segs.length > 2) || (segs[0] === 'apis' && segs.length > 3);
    if (!isResourcePath)
      this.authorize(user, { verb: method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase(), resourceRequest: false, path: url.pathname });

    if (method === 'GET') {
      if (p === '/version') return send(res, 200, versionInfo());
      if (p === '/healthz' || p === '/livez' || p === '/readyz') return send(res, 200, 'ok', 'text/plain; charset=utf-8');
      if (p === '/api') return send(res, 200, apiVersions(this.address));
      if (p === '/apis') return send(res, 200, apiGroupList());
      if (p === '/openapi/v3') return send(res, 200, openApiV3Root());
      if (segs[0] === 'openapi' && segs[1] === 'v3') {
        const doc = openApiV3ForPath(segs.slice(2));
        if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return send(res, 200, doc);
      }
      if (segs[0] === 'apis' && segs.length === 2) {
        if (!API_GROUPS.includes(segs[1])) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return send(res, 200, apiGroup(segs[1]));
      }
    }
    if (segs[0] === 'sim' && segs[1] === 'v1' && segs[2] === 'faults') return this.handleFaults(req, res, method, segs[3]);

    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');

    if (rest.length === 0) {
      const list = apiResourceList(group, version);
      if (!list || method !== 'GET') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return send(res, 200, list);
    }
    let ns: string | undefined;
    // As the real request-info resolver: namespaces/{ns}/{resource}… unless it is a namespace's own subresource.
    if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2])) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub, ...extra] = rest;
    const watching = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const verb =
      method === 'GET'
        ? name
          ? 'get'
          : watching
            ? 'watch'
            : 'list'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? name
                  ? 'delete'
                  : 'deletecollection'
                : method.toLowerCase();
    // Authorisation comes before routing, as in a real API server: an ungranted request for a resource the
    // cluster does not serve (say a CRD that is not installed) is 403, not 404.
    this.authorize(user, {
      verb,
      resourceRequest: true,
      apiGroup: group,
      resource: plural,
      subresource: sub,
      name,
      // a namespace's own name is its namespace
      namespace: group === '' && plural === 'namespaces' && ns === undefined ? name : ns,
    });
    const def = findResource(group, version, plural);
    if (!def || extra.length) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (!def.namespaced && ns !== undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (sub && !(def.subresources ?? []).includes(sub)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (def.review) {
      if (method !== 'POST' || name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return send(res, 201, this.review(def, user, await readObjectBody(req)));
    }
    if (def.kind === 'ServiceAccount' && sub === 'token') {
      if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return send(res, 201, this.tokenRequest(ns!, name!, await readObjectBody(req)));
    }
    if (def.group === 'metrics.k8s.io') {
      if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      return this.handleMetrics(res, def, url, ns, name);
    }
    const table = /as=Table/.test(String(req.headers.accept ?? ''));
    const metadataOnly = !table && asPartialMetadata(String(req.headers.accept ?? ''), !name);
    const dryRun = url.searchParams.getAll('dryRun').includes('All');

    switch (method) {
      case 'GET':
        if (name && sub === 'log') return this.handleLog(res, url, ns, name);
        if (name && sub === 'scale') return send(res, 200, this.toScale(def, this.mustGet(def, ns, name)));
        if (name) {
          const obj = this.mustGet(def, ns, name);
          if (metadataOnly) return send(res, 200, partialMetadata(obj));
          return send(res, 200, table ? toTable(def, [obj], url.searchParams.get('includeObject') ?? 'Metadata', this.c.store.currentRv()) : obj);
        }
        if (watching) return this.handleWatch(req, res, def, url, ns);
        return this.handleList(res, def, url, ns, table, metadataOnly);
      case 'POST':
        if (name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        return send(res, 201, this.create(def, ns, await readObjectBody(req), dryRun, user));
      case 'PUT': {
        if (!name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const body = await readObjectBody(req);
        if (sub === 'scale') return send(res, 200, this.updateScale(def, ns, name, body, dryRun));
        return send(res, 200, this.update(def, ns, name, body, sub, dryRun, user));
      }
      case 'PATCH': {
        if (!name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const ct = String(req.headers['content-type'] ?? '')
          .split(';')[0]
          .trim()
          .toLowerCase();
        const raw = await readBody(req);
        return send(res, 200, this.patch(def, ns, name, sub, ct, raw, dryRun, user));
      }
      case 'DELETE':
        if (name) return send(res, 200, this.remove(def, ns, name, dryRun));
        return send(res, 200, this.removeCollection(def, url, ns, dryRun));
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private mustGet(def: ResourceDef, ns: string | undefined, name: string): Obj {
    const o = this.c.store.get(storeKey(def), def.namespaced ? ns : undefined, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  private selectors(url: URL): { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> } {
    try {
      return { labels: parseLabelSelector(url.searchParams.get('labelSelector')), fields: parseFieldSelector(url.searchParams.get('fieldSelector')) };
    } catch (e) {
      if (e instanceof SelectorError) throw new ApiError(400, 'BadRequest', e.message);
      throw e;
    }
  }

  private handleList(res: ServerResponse, def: ResourceDef, url: URL, ns: string | undefined, table: boolean, metadataOnly = false): void {
    const { labels, fields } = this.selectors(url);
    let items = this.c.store.list(storeKey(def), def.namespaced ? ns : undefined, labels, fields);
    const rv = this.c.store.currentRv();
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const cont = url.searchParams.get('continue');
    let offset = 0;
    if (cont) {
      offset = Number(Buffer.from(cont, 'base64url').toString()) || 0;
    }
    let next: string | undefined;
    if (limit > 0) {
      if (offset + limit < items.length) next = Buffer.from(String(offset + limit)).toString('base64url');
      items = items.slice(offset, offset + limit);
    } else if (offset) items = items.slice(offset);
    if (table) {
      const t = toTable(def, items, url.searchParams.get('includeObject') ?? 'Metadata', rv);
      if (next) t.metadata.continue = next;
      return send(res, 200, t);
    }
    const metadata = { resourceVersion: rv, ...(next ? { continue: next } : {}) };
    if (metadataOnly) return send(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map(partialMetadata) });
    send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items });
  }

  private handleWatch(req: IncomingMessage, res: ServerResponse, def: ResourceDef, url: URL, ns: string | undefined): void {
    const { labels, fields } = this.selectors(url);
    const rvParam = url.searchParams.get('resourceVersion');
    const match = (o: Obj): boolean => matchLabels(labels, o.metadata?.labels) && matchFields(fields, o);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, object: Obj): void => {
      res.write(JSON.stringify({ type, object }) + '\n');
    };
    const initial = url.searchParams.get('sendInitialEvents') === 'true';
    if (!rvParam || rvParam === '0' || initial) {
      for (const o of this.c.store.list(storeKey(def), def.namespaced ? ns : undefined, labels, fields)) write('ADDED', o);
    }
    if (initial) {
      // WatchList: a bookmark marks the end of the initial state.
      write('BOOKMARK', {
        kind: def.kind,
        apiVersion: apiVersionOf(def),
        metadata: { resourceVersion: this.c.store.currentRv(), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
    const since = rvParam && rvParam !== '0' && !initial ? Number(rvParam) : undefined;
    const unsub = this.c.store.watch(storeKey(def), def.namespaced ? ns : undefined, since, (ev) => {
      if (match(ev.object)) write(ev.type, ev.object);
    });
    this.watches.add(res);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = setTimeout(() => res.end(), (timeout > 0 ? timeout : 1800) * 1000);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      unsub();
      this.watches.delete(res);
    };
    res.on('close', done);
    req.on('close', done);
  }

  private handleMetrics(res: ServerResponse, def: ResourceDef, url: URL, ns: string | undefined, name: string | undefined): void {
    const { labels } = this.selectors(url);
    let items = def.plural === 'pods' ? this.c.metrics.podMetrics(ns) : this.c.metrics.nodeMetrics();
    items = items.filter((o) => matchLabels(labels, o.metadata.labels));
    if (name) {
      const o = items.find((x) => x.metadata.name === name);
      if (!o)
        throw new ApiError(404, 'NotFound', `${def.plural === 'pods' ? 'podmetrics' : 'nodemetrics'}.metrics.k8s.io "${name}" not found`, {
          name,
          group: 'metrics.k8s.io',
          kind: def.plural,
        });
      return send(res, 200, o);
    }
    send(res, 200, { kind: `${def.kind}List`, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
  }

  private handleLog(res: ServerResponse, url: URL, ns: string | undefined, name: string): void {
    const pod = this.mustGet(findResource('', 'v1', 'pods')!, ns, name);
    try {
      send(res, 200, podLogs(this.c, pod, url.searchParams), 'text/plain');
    } catch (e) {
      if (e instanceof LogError) throw new ApiError(400, 'BadRequest', e.message);
      throw e;
    }
  }

  private checkBody(def: ResourceDef, obj: unknown): Obj {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ApiError(400, 'BadRequest', 'the body of the request must be a JSON object');
    const o = obj as Obj;
    if (o.kind !== undefined && o.kind !== def.kind) {
      throw new ApiError(
        400,
        'BadRequest',
        `${o.kind} in version "${String(o.apiVersion ?? '')
          .split('/')
          .pop()}" cannot be handled as a ${def.kind}: no kind "${o.kind}" is registered for version "${apiVersionOf(def)}"`,
      );
    }
    o.kind = def.kind;
    o.apiVersion = apiVersionOf(def);
    o.metadata = o.metadata && typeof o.metadata === 'object' ? o.metadata : {};
    return o;
  }

  private invalid(def: ResourceDef, obj: Obj, old?: Obj): void {
    const causes = [...validate(def, obj, old), ...(def.group === 'rbac.authorization.k8s.io' ? validateRbac(def.kind, obj, old) : [])];
    if (!causes.length) return;
    const what = `${def.kind}${def.group ? '.' + def.group : ''} "${obj.metadata?.name ?? ''}"`;
    const msg = `${what} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`;
    throw new ApiError(422, 'Invalid', msg, {
      name: obj.metadata?.name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    });
  }

  create(def: ResourceDef, ns: string | undefined, body: Obj, dryRun = false, user?: UserInfo): Obj {
    const obj = this.checkBody(def, body);
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = ns;
      const nsObj = this.c.store.get('namespaces', undefined, ns!);
      if (!nsObj) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
      if (nsObj.status?.phase === 'Terminating')
        throw new ApiError(
          403,
          'Forbidden',
          `${def.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        );
    } else delete obj.metadata.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randSuffix(5)}`;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation', 'managedFields']) delete obj.metadata[k];
    applyDefaults(def, obj);
    this.invalid(def, obj);
    this.noEscalation(def, obj, user);
    if (this.c.store.has(storeKey(def), obj.metadata.namespace, obj.metadata.name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualified(def)} "${obj.metadata.name}" already exists`, {
        name: obj.metadata.name,
        ...(def.group ? { group: def.group } : {}),
        kind: def.plural,
      });
    }
    if (dryRun) return { ...obj, metadata: { ...obj.metadata, uid: 'dry-run', creationTimestamp: nowIso() } };
    const saved = this.c.store.create(storeKey(def), obj);
    this.c.reconcile();
    return saved;
  }

  private conflict(def: ResourceDef, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, ...(def.group ? { group: def.group } : {}), kind: def.plural },
    );
  }

  /** Writes a full replacement (main resource or status subresource) after preconditions. */
  private replace(def: ResourceDef, cur: Obj, next: Obj, sub: string | undefined, dryRun: boolean, user?: UserInfo): Obj {
    const obj = this.checkBody(def, next);
    if (obj.metadata.name !== undefined && obj.metadata.name !== cur.metadata.name) {
      throw new ApiError(400, 'BadRequest', `the name of the object (${obj.metadata.name}) does not match the name on the URL (${cur.metadata.name})`);
    }
    if (def.namespaced && obj.metadata.namespace !== undefined && obj.metadata.namespace !== cur.metadata.namespace) {
      throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== null && rv !== '' && String(rv) !== cur.metadata.resourceVersion) throw this.conflict(def, cur.metadata.name);
    let out: Obj;
    if (sub === 'status') {
      out = { ...cur, status: obj.status };
    } else {
      out = obj;
      out.metadata = {
        ...obj.metadata,
        name: cur.metadata.name,
        namespace: cur.metadata.namespace,
        uid: cur.metadata.uid,
        creationTimestamp: cur.metadata.creationTimestamp,
      };
      if (!out.metadata.namespace) delete out.metadata.namespace;
      if ((def.subresources ?? []).includes('status')) out.status = clone(cur.status);
      if (def.kind === 'Pod') out.spec = { ...cur.spec, ...(out.spec ?? {}), nodeName: cur.spec.nodeName };
      if (def.kind === 'Node') out.status = clone(cur.status);
      applyDefaults(def, out, cur);
      this.invalid(def, out, cur);
      this.noEscalation(def, out, user);
    }
    if (dryRun) return out;
    const saved = this.c.store.update(storeKey(def), out);
    this.c.reconcile();
    return this.c.store.get(storeKey(def), saved.metadata.namespace, saved.metadata.name) ?? saved;
  }

  update(def: ResourceDef, ns: string | undefined, name: string, body: Obj, sub: string | undefined, dryRun = false, user?: UserInfo): Obj {
    const cur = this.mustGet(def, ns, name);
    return this.replace(def, cur, body, sub, dryRun, user);
  }

  private applyPatch(target: Obj, ct: string, raw: string): Obj {
    let out: unknown;
    try {
      if (ct === 'application/json-patch+json') out = jsonPatch(target, parseJson(raw));
      else if (ct === 'application/merge-patch+json') out = mergePatch(target, parseJson(raw));
      else if (ct === 'application/strategic-merge-patch+json') out = strategicMergePatch(target, parseJson(raw));
      else if (ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+json') out = strategicMergePatch(target, parseJson(raw, true));
      else
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        );
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${e.message}`);
      throw e;
    }
    if (!out || typeof out !== 'object' || Array.isArray(out)) throw new ApiError(422, 'Invalid', 'patch result must be an object');
    return out as Obj;
  }

  patch(def: ResourceDef, ns: string | undefined, name: string, sub: string | undefined, ct: string, raw: string, dryRun = false, user?: UserInfo): Obj {
    const isApply = ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+json';
    // Server-side apply creates what does not exist yet (helm 4 installs this way).
    if (isApply && !sub && !this.c.store.has(storeKey(def), def.namespaced ? ns : undefined, name)) {
      const body = parseJson(raw, true) as Obj;
      if (body?.metadata?.name !== undefined && body.metadata.name !== name) {
        throw new ApiError(400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      }
      return this.create(def, ns, { ...body, metadata: { ...(body?.metadata ?? {}), name } }, dryRun, user);
    }
    const cur = this.mustGet(def, ns, name);
    if (sub === 'scale') {
      const scale = this.applyPatch(this.toScale(def, cur), ct, raw);
      return this.updateScale(def, ns, name, scale, dryRun, true);
    }
    const patched = this.applyPatch(cur, ct, raw);
    patched.metadata = patched.metadata ?? {};
    const prv = patched.metadata.resourceVersion;
    if (prv !== undefined && prv !== null && String(prv) !== cur.metadata.resourceVersion) throw this.conflict(def, name);
    patched.metadata.resourceVersion = cur.metadata.resourceVersion;
    patched.metadata.name = cur.metadata.name;
    if (def.namespaced) patched.metadata.namespace = cur.metadata.namespace;
    return this.replace(def, cur, patched, sub, dryRun, user);
  }

  /** RBAC writes may not grant more than their author holds (403, as the real API server's escalation check). */
  private noEscalation(def: ResourceDef, obj: Obj, user: UserInfo | undefined): void {
    if (!user || def.group !== 'rbac.authorization.k8s.io') return;
    const problem = escalationProblem(this.c, user, def.kind, obj, obj.metadata?.namespace);
    if (problem) throw new ApiError(403, 'Forbidden', problem, { name: obj.metadata?.name, group: def.group, kind: def.plural });
  }

  /** SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview: answered for the caller, never stored. */
  private review(def: ResourceDef, user: UserInfo, body: Obj): Obj {
    const obj = this.checkBody(def, body);
    const spec = obj.spec ?? {};
    const head = { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { creationTimestamp: null } };
    if (def.kind === 'SelfSubjectAccessReview') {
      if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
        throw new ApiError(
          422,
          'Invalid',
          `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`,
        );
      }
      return { ...head, spec, status: accessReview(this.c, user, spec) };
    }
    if (def.kind === 'SelfSubjectRulesReview') return { ...head, spec, status: rulesReview(this.c, user, String(spec.namespace ?? '')) };
    return { ...head, status: { userInfo: { username: user.username, uid: user.uid, groups: user.groups } } };
  }

  /** TokenRequest (POST serviceaccounts/{name}/token): a token bound to the ServiceAccount. */
  private tokenRequest(ns: string, name: string, body: Obj): Obj {
    const sa = this.mustGet(findResource('', 'v1', 'serviceaccounts')!, ns, name);
    if (body?.kind !== undefined && body.kind !== 'TokenRequest') throw new ApiError(400, 'BadRequest', `${body.kind} cannot be handled as a TokenRequest`);
    const spec = body?.spec ?? {};
    const requested = spec.expirationSeconds ?? 3600;
    if (!Number.isInteger(requested) || requested < 600) {
      throw new ApiError(
        422,
        'Invalid',
        `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${JSON.stringify(requested)}: may not specify a duration less than 10 minutes`,
      );
    }
    const seconds = Math.min(requested, 48 * 3600);
    const { token, expirationTimestamp } = this.c.tokens.issue(sa, seconds);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc'], expirationSeconds: seconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token, expirationTimestamp },
    };
  }

  private toScale(def: ResourceDef, obj: Obj): Obj {
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: { replicas: obj.status?.replicas ?? 0, selector: selectorToString(obj.spec?.selector) },
    };
  }

  private updateScale(def: ResourceDef, ns: string | undefined, name: string, body: Obj, dryRun: boolean, fromPatch = false): Obj {
    const cur = this.mustGet(def, ns, name);
    const rv = body?.metadata?.resourceVersion;
    if (!fromPatch && rv && String(rv) !== cur.metadata.resourceVersion) throw this.conflict(def, name);
    const replicas = body?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        {
          name,
          group: 'autoscaling',
          kind: 'Scale',
          causes: [{ reason: 'FieldValueInvalid', message: 'must be greater than or equal to 0', field: 'spec.replicas' }],
        },
      );
    }
    cur.spec.replicas = replicas;
    if (dryRun) return this.toScale(def, cur);
    this.c.store.update(storeKey(def), cur);
    this.c.reconcile();
    return this.toScale(def, this.mustGet(def, ns, name));
  }

  remove(def: ResourceDef, ns: string | undefined, name: string, dryRun = false): Obj {
    const cur = this.mustGet(def, ns, name);
    const ts = nowIso();
    if (dryRun) return cur;
    if (def.kind === 'Namespace') {
      if (['default', 'kube-system', 'kube-public'].includes(name))
        throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      for (const r of RESOURCES) {
        if (!r.namespaced || r.readOnly) continue;
        for (const o of this.c.store.list(storeKey(r), name)) {
          if (r.kind === 'Pod') deletePod(this.c, o);
          else this.c.store.delete(storeKey(r), name, o.metadata.name);
        }
      }
      for (const [id, f] of this.c.faults) if (f.namespace === name) removeFault(this.c, id);
      this.c.store.delete('namespaces', undefined, name);
      this.c.reconcile();
      return { ...cur, metadata: { ...cur.metadata, deletionTimestamp: ts }, status: { phase: 'Terminating' } };
    }
    if (def.kind === 'Pod') deletePod(this.c, cur);
    else this.c.store.delete(storeKey(def), def.namespaced ? ns : undefined, name);
    this.c.reconcile();
    if (def.kind === 'Pod')
      return { ...cur, metadata: { ...cur.metadata, deletionTimestamp: ts, deletionGracePeriodSeconds: cur.spec?.terminationGracePeriodSeconds ?? 30 } };
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: cur.metadata.uid },
    };
  }

  private removeCollection(def: ResourceDef, url: URL, ns: string | undefined, dryRun: boolean): Obj {
    const { labels, fields } = this.selectors(url);
    const items = this.c.store.list(storeKey(def), def.namespaced ? ns : undefined, labels, fields);
    if (!dryRun) for (const o of items) this.remove(def, o.metadata.namespace, o.metadata.name);
    return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: this.c.store.currentRv() }, items };
  }

  private async handleFaults(req: IncomingMessage, res: ServerResponse, method: string, id: string | undefined): Promise<void> {
    try {
      if (method === 'GET' && !id) return send(res, 200, { items: [...this.c.faults.values()].map(publicFault) });
      if (method === 'GET' && id) {
        const f = this.c.faults.get(id);
        if (!f) throw new ApiError(404, 'NotFound', `fault "${id}" not found`);
        return send(res, 200, publicFault(f));
      }
      if (method === 'POST' && !id) {
        const f = injectFault(this.c, parseJson(await readBody(req)));
        return send(res, 201, publicFault(f));
      }
      if (method === 'DELETE' && id) {
        const f = removeFault(this.c, id);
        if (!f) throw new ApiError(404, 'NotFound', `fault "${id}" not found`);
        return send(res, 200, { ...publicFault(f), status: 'removed' });
      }
    } catch (e) {
      if (e instanceof FaultError) throw new ApiError(e.code, e.reason, e.message);
      throw e;
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

export function versionInfo(): Obj {
  const m = /^v(\d+)\.(\d+)\./.exec(K8S_VERSION)!;
  return {
    major: m[1],
    minor: m[2],
    gitVersion: K8S_VERSION,
    gitCommit: '39683505b630ff2121012f3c5b16215a1449d5ed',
    gitTreeState: 'clean',
    buildDate: '2024-06-11T20:21:00Z',
    goVersion: 'go1.22.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
