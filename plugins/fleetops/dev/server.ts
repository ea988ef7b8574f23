/**
 * `npm run backstage`: the fleetops Backstage plugins in a minimal Backstage app, against a running
 * fleetops (FLEETOPS_URL, FLEETOPS_API_TOKEN), on 127.0.0.1:${BACKSTAGE_PORT:-3001}.
 *
 * This small server plays the part of Backstage's backend:
 * - it bundles dev/index.tsx with esbuild and serves it;
 * - sign-in (`/signin`) picks a dev user and sets an HttpOnly session cookie: the browser holds only that;
 * - it is an OIDC issuer for its users (`/api/auth/.well-known/jwks.json`), minting tokens shaped like
 *   Backstage's own user tokens (`sub` user ref, `ent` ownership refs), so fleetops can trust Backstage
 *   users through FLEETOPS_OIDC_ISSUERS (printed as `oidcIssuer` and in dev/README);
 * - `/api/proxy/fleetops/*` (where Backstage's proxy serves `proxy.endpoints['/fleetops']`) forwards to fleetops: reads with the service credential, actions (approve, reject,
 *   diagnose, ack) and `GET /v1/whoami` only with the signed-in user's token, so fleetops records, checks and
 *   describes that user (the plugin shows Approve from whoami's role).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { build } from 'esbuild';

export interface DevUser {
  name: string;
  displayName: string;
  /** Backstage ownership refs; fleetops maps the group refs to roles (roleMap). */
  groups: string[];
}

export const DEV_USERS: DevUser[] = [
  { name: 'alice', displayName: 'Alice (viewer)', groups: ['group:default/fleet-viewers'] },
  { name: 'olga', displayName: 'Olga (operator)', groups: ['group:default/fleet-operators'] },
  { name: 'bob', displayName: 'Bob (approver)', groups: ['group:default/fleet-approvers'] },
];

/** The FLEETOPS_OIDC_ISSUERS entry that makes fleetops trust this dev app's users. */
export function devIssuer(origin: string) {
  return {
    issuer: `${origin}/api/auth`,
    audience: 'fleetops',
    jwksUrl: `${origin}/api/auth/.well-known/jwks.json`,
    rolesClaim: 'ent',
    roleMap: { 'group:default/fleet-viewers': 'viewer', 'group:default/fleet-operators': 'operator', 'group:default/fleet-approvers': 'approver' },
    nameClaim: 'name',
  } as const;
}

/** Actions the dev app may take, always with the user's own token. */
const ACTIONS = [/^\/v1\/healing\/[^/]+\/(approve|reject)$/, /^\/v1\/rca$/, /^\/v1\/incidents\/[^/]+\/ack$/];
/** Reads that are about the user, so they go with the user's own token too (fleetops answers for the user). */
const USER_READS = ['/v1/whoami'];

export interface DevServerOptions {
  fleetopsUrl: string;
  /** Service credential for reads (GET) only. */
  serviceToken: string;
  host?: string;
  port?: number;
}

export async function startDevServer(options: DevServerOptions) {
  const here = dirname(fileURLToPath(import.meta.url));
  const outdir = mkdtempSync(join(tmpdir(), 'fleetops-backstage-'));
  await build({
    entryPoints: [join(here, 'index.tsx')],
    bundle: true,
    outdir,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.eot': 'dataurl' },
    logLevel: 'error',
    entryNames: 'app',
  });
  const assets = new Map<string, { type: string; body: Buffer }>([['/app.js', { type: 'text/javascript', body: readFileSync(join(outdir, 'app.js')) }]]);
  try {
    assets.set('/app.css', { type: 'text/css', body: readFileSync(join(outdir, 'app.css')) });
  } catch {
    // no CSS imported by the bundle
  }

  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };
  const sessions = new Map<string, DevUser>();
  const fleetopsUrl = options.fleetopsUrl.replace(/\/+$/, '');
  let origin = '';

  const tokenFor = (user: DevUser) =>
    new SignJWT({ ent: [`user:default/${user.name}`, ...user.groups], name: user.displayName })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .setIssuer(`${origin}/api/auth`)
      .setAudience('fleetops')
      .setSubject(`user:default/${user.name}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);

  const sessionOf = (req: IncomingMessage) => {
    const id = /(?:^|;\s*)fleetops_session=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
    return id ? sessions.get(id) : undefined;
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  const signinPage = (next: string) => `<!doctype html><html><head><title>Sign in · fleetops Backstage dev app</title></head>
<body style="font-family:sans-serif;max-width:520px;margin:60px auto">
<h2>Sign in to the fleetops Backstage dev app</h2>
<p>Pick a dev user. fleetops sees this user (its token is signed by this dev app) and gives it the role its group maps to.</p>
<form method="post" action="/signin">
<input type="hidden" name="next" value="${next.replace(/[^A-Za-z0-9/_.:-]/g, '')}">
${DEV_USERS.map((u, i) => `<label style="display:block;margin:8px 0"><input type="radio" name="user" value="${u.name}"${i === 0 ? ' checked' : ''}> ${u.displayName}</label>`).join('\n')}
<button type="submit" id="signin">Sign in</button>
</form></body></html>`;

  const index = `<!doctype html><html><head><meta charset="utf-8"><title>fleetops · Backstage</title>${assets.has('/app.css') ? '<link rel="stylesheet" href="/app.css">' : ''}</head><body><div id="root"></div><script type="module" src="/app.js"></script></body></html>`;

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (path === '/api/auth/.well-known/jwks.json') return send(res, 200, { keys: [jwk] });
      if (path === '/api/auth/.well-known/openid-configuration')
        return send(res, 200, {
          issuer: `${origin}/api/auth`,
          jwks_uri: `${origin}/api/auth/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ['ES256'],
        });
      if (path === '/healthz') return send(res, 200, { status: 'ok' });
      const asset = assets.get(path);
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
        return res.end(asset.body);
      }
      if (path === '/signin' && req.method === 'GET') return send(res, 200, signinPage(url.searchParams.get('next') ?? '/fleetops'));
      if (path === '/signin' && req.method === 'POST') {
        const form = new URLSearchParams((await readBody(req)).toString('utf8'));
        const user = DEV_USERS.find((u) => u.name === form.get('user'));
        if (!user) return send(res, 400, signinPage('/fleetops'));
        const id = randomBytes(24).toString('hex');
        sessions.set(id, user);
        const next = form.get('next') ?? '/fleetops';
        return send(res, 303, '', {
          location: next.startsWith('/') && !next.startsWith('//') ? next : '/fleetops',
          'set-cookie': `fleetops_session=${id}; HttpOnly; SameSite=Strict; Path=/`,
        });
      }
      if (path === '/signout') {
        const id = /(?:^|;\s*)fleetops_session=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
        if (id) sessions.delete(id);
        return send(res, 303, '', { location: '/signin', 'set-cookie': 'fleetops_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' });
      }
      const user = sessionOf(req);
      if (path.startsWith('/api/')) {
        if (!user) return error(res, 401, 'UNAUTHENTICATED', 'Sign in to the dev app first (/signin)');
        if (path === '/api/session')
          return send(res, 200, { user: `user:default/${user.name}`, displayName: user.displayName, ownership: [`user:default/${user.name}`, ...user.groups] });
        if (path.startsWith('/api/proxy/fleetops/v1/')) return await forward(req, res, path.slice('/api/proxy/fleetops'.length) + url.search, user);
        return error(res, 404, 'NOT_FOUND', `No dev route ${path}`);
      }
      if (!user) return send(res, 303, '', { location: `/signin?next=${encodeURIComponent(path)}` });
      if (path === '/') return send(res, 303, '', { location: '/fleetops' });
      return send(res, 200, index);
    } catch (e) {
      if (!res.headersSent) error(res, 502, 'BAD_GATEWAY', `The dev server could not complete the request: ${(e as Error).message}`);
      else res.end();
    }
  });

  async function forward(req: IncomingMessage, res: ServerResponse, target: string, user: DevUser) {
    const method = req.method ?? 'GET';
    const path = target.split('?')[0]!;
    let credential: string;
    if (method === 'GET' && USER_READS.includes(path)) credential = await tokenFor(user);
    else if (method === 'GET') credential = options.serviceToken;
    else if (method === 'POST' && ACTIONS.some((re) => re.test(path))) credential = await tokenFor(user);
    else return error(res, 405, 'METHOD_NOT_ALLOWED', `The dev app does not forward ${method} ${path}`);
    const body = method === 'GET' ? undefined : await readBody(req);
    let upstream: Response;
    try {
      upstream = await fetch(`${fleetopsUrl}${target}`, {
        method,
        headers: { authorization: `Bearer ${credential}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body && body.length ? body : method === 'GET' ? undefined : '{}',
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      return error(res, 502, 'FLEETOPS_UNREACHABLE', `fleetops at ${fleetopsUrl} could not be reached: ${(e as Error).message}`);
    }
    const text = await upstream.text();
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' });
    res.end(text);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3001, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 3001);
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    issuer: devIssuer(origin),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fleetopsUrl = process.env.FLEETOPS_URL ?? 'http://127.0.0.1:3000';
  const serviceToken = process.env.FLEETOPS_API_TOKEN;
  if (!serviceToken) {
    console.error('Set FLEETOPS_API_TOKEN (the token npm run demo prints) and FLEETOPS_URL (default http://127.0.0.1:3000).');
    process.exit(2);
  }
  const dev = await startDevServer({
    fleetopsUrl,
    serviceToken,
    host: process.env.BACKSTAGE_HOST ?? '127.0.0.1',
    port: Number(process.env.BACKSTAGE_PORT ?? 3001),
  });
  console.error(`fleetops must trust this app's users for actions: FLEETOPS_OIDC_ISSUERS='${JSON.stringify([dev.issuer])}'`);
  console.log(JSON.stringify({ backstage: dev.url }));
  const stop = () => dev.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
