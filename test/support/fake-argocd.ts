import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { generateClusterPki } from '../../sim/certs.ts';

export interface FakeArgoApp {
  /** `<namespace>/<name>` for apps in any namespace, else the name. */
  key: string;
  autoSync?: boolean;
  history: { id: number; revision: string; deployedAt: string }[];
  resources: { group?: string; kind: string; namespace: string; name: string }[];
  health?: string;
  /** `spec.destination`; default Argo CD's own cluster (`https://kubernetes.default.svc`), namespace shop. */
  destination?: { server?: string; name?: string; namespace?: string };
}

export interface FakeArgoRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body?: string;
}

export interface FakeArgoCd {
  url: string;
  /** base64 of the CA's PEM (FLEETOPS_ARGOCD_CA_DATA). */
  caData: string;
  caPem: string;
  token: string;
  requests: FakeArgoRequest[];
  apps: Map<string, FakeArgoApp>;
  /** Answer every request with this redirect (to `location`). */
  redirect?: { status: number; location: string };
  /** Never answer (timeouts). */
  hang?: boolean;
  close(): Promise<void>;
}

/**
 * A local HTTPS server (its own CA, SAN 127.0.0.1 and localhost) speaking the parts of Argo CD's REST
 * API healing uses, in Argo CD's shapes: the Application (spec.syncPolicy, status.sync, status.health,
 * status.history, status.resources), rollback and sync (each appends a history entry, as Argo CD
 * does), and grpc-gateway errors `{"error","code","message"}`. Records every request.
 */
export async function startFakeArgoCd(options: { token?: string; apps?: FakeArgoApp[] } = {}): Promise<FakeArgoCd> {
  const pki = generateClusterPki('argocd');
  const token = options.token ?? 'argocd-test-token-0123456789';
  const apps = new Map((options.apps ?? []).map((a) => [a.key, a]));
  const fake = { requests: [] as FakeArgoRequest[], apps, token } as FakeArgoCd;
  const error = (res: ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message, code, message }));
  };
  const view = (app: FakeArgoApp) => {
    const [ns, name] = app.key.includes('/') ? app.key.split('/') : ['argocd', app.key];
    const current = app.history[app.history.length - 1];
    return {
      metadata: { name, namespace: ns },
      spec: {
        project: 'default',
        source: { repoURL: 'https://git.example.com/shop.git', path: name, targetRevision: 'HEAD' },
        destination: app.destination ?? { server: 'https://kubernetes.default.svc', namespace: 'shop' },
        ...(app.autoSync ? { syncPolicy: { automated: { prune: false, selfHeal: true } } } : { syncPolicy: {} }),
      },
      status: {
        sync: { status: 'Synced', revision: current?.revision, comparedTo: { source: {}, destination: {} } },
        health: { status: app.health ?? 'Healthy' },
        history: app.history.map((h) => ({
          ...h,
          source: { repoURL: 'https://git.example.com/shop.git', path: name },
          deployStartedAt: h.deployedAt,
          initiatedBy: { username: 'admin' },
        })),
        resources: app.resources.map((r) => ({ version: 'v1', status: 'Synced', health: { status: 'Healthy' }, ...r })),
        reconciledAt: new Date().toISOString(),
      },
    };
  };
  const server: Server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks).toString() : undefined;
      fake.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        ...(body !== undefined ? { body } : {}),
      });
      if (fake.hang) return;
      if (fake.redirect) {
        res.writeHead(fake.redirect.status, { location: fake.redirect.location });
        res.end();
        return;
      }
      // Argo CD's error message for a bad token; it echoes nothing, but this fake echoes the header to prove redaction.
      if (req.headers.authorization !== `Bearer ${token}`) return error(res, 401, 16, `invalid session: ${req.headers.authorization ?? ''}`);
      const url = new URL(req.url ?? '/', 'https://x');
      const match = /^\/api\/v1\/applications\/([^/]+)(\/rollback|\/sync)?$/.exec(url.pathname);
      if (!match) return error(res, 404, 5, 'Not Found');
      const name = decodeURIComponent(match[1]);
      const appNamespace = url.searchParams.get('appNamespace');
      const app = apps.get(appNamespace ? `${appNamespace}/${name}` : name);
      // Argo CD answers 403 for applications that do not exist (no information leak), 404 when RBAC allows.
      if (!app) return error(res, 404, 5, `applications.argoproj.io "${name}" not found`);
      const nextId = Math.max(0, ...app.history.map((h) => h.id)) + 1;
      if (req.method === 'GET' && !match[2]) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(view(app)));
        return;
      }
      if (req.method !== 'POST') return error(res, 405, 12, 'Method Not Allowed');
      let parsed: { id?: number | string; revision?: string };
      try {
        parsed = JSON.parse(body ?? '{}');
      } catch {
        return error(res, 400, 3, 'invalid JSON');
      }
      if (match[2] === '/rollback') {
        if (app.autoSync) return error(res, 400, 9, `rollback cannot be initiated when auto-sync is enabled`);
        const entry = app.history.find((h) => h.id === Number(parsed.id));
        if (!entry) return error(res, 400, 3, `application ${name} does not have deployment with id ${parsed.id}`);
        app.history.push({ id: nextId, revision: entry.revision, deployedAt: new Date().toISOString() });
      } else {
        app.history.push({
          id: nextId,
          revision: parsed.revision ?? app.history[app.history.length - 1]?.revision ?? 'HEAD',
          deployedAt: new Date().toISOString(),
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(view(app)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.caPem = pki.caCertPem;
  fake.caData = Buffer.from(pki.caCertPem).toString('base64');
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
