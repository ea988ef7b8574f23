import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgoCdClient, type ArgoCdClientOptions } from '../../../functions/adapters/argocd/argocd-client.ts';
import { AppError } from '../../../functions/core/errors.ts';
import { startFakeArgoCd, type FakeArgoApp, type FakeArgoCd } from '../../support/fake-argocd.ts';

let argo: FakeArgoCd;

const APP: FakeArgoApp = {
  key: 'shop-api',
  history: [
    { id: 1, revision: 'a1a1a1', deployedAt: '2026-11-01T00:00:00Z' },
    { id: 2, revision: 'b2b2b2', deployedAt: '2026-11-20T00:00:00Z' },
  ],
  resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api' }],
  health: 'Degraded',
};

function client(overrides: Partial<ArgoCdClientOptions> = {}): ArgoCdClient {
  return new ArgoCdClient({ baseUrl: argo.url, token: () => argo.token, caPem: argo.caPem, policy: { allowLoopback: true, timeoutMs: 2000 }, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  argo = await startFakeArgoCd({ apps: [] });
}, 30_000);

afterAll(async () => {
  await argo?.close();
});

beforeEach(() => {
  argo.requests.length = 0;
  argo.redirect = undefined;
  argo.hang = false;
  argo.apps.clear();
  argo.apps.set('shop-api', structuredClone(APP));
  argo.apps.set('team-a/shop-web', { ...structuredClone(APP), key: 'team-a/shop-web' });
  argo.apps.set('auto', { ...structuredClone(APP), key: 'auto', autoSync: true });
});

describe('ArgoCdClient against a local HTTPS server speaking Argo CD', () => {
  it('reads an Application: GET /api/v1/applications/{name} with the bearer token', async () => {
    const app = await client().application({ name: 'shop-api' });
    expect(argo.requests).toEqual([{ method: 'GET', path: '/api/v1/applications/shop-api', authorization: `Bearer ${argo.token}`, contentType: undefined }]);
    expect(app).toEqual({
      name: 'shop-api',
      autoSync: false,
      sync: { status: 'Synced', revision: 'b2b2b2' },
      health: 'Degraded',
      history: [
        { id: 1, revision: 'a1a1a1', deployedAt: '2026-11-01T00:00:00Z' },
        { id: 2, revision: 'b2b2b2', deployedAt: '2026-11-20T00:00:00Z' },
      ],
      resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api' }],
      destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
    });
    expect((await client().application({ name: 'auto' })).autoSync).toBe(true);
  });

  it('rolls back: POST .../rollback {"id","prune":false,"dryRun":false}; syncs: POST .../sync {"revision","prune":false,"dryRun":false}', async () => {
    await client().rollback({ name: 'shop-api' }, 1);
    await client().sync({ name: 'shop-api' }, 'b2b2b2');
    expect(argo.requests).toEqual([
      {
        method: 'POST',
        path: '/api/v1/applications/shop-api/rollback',
        authorization: `Bearer ${argo.token}`,
        contentType: 'application/json',
        body: '{"id":1,"prune":false,"dryRun":false}',
      },
      {
        method: 'POST',
        path: '/api/v1/applications/shop-api/sync',
        authorization: `Bearer ${argo.token}`,
        contentType: 'application/json',
        body: '{"revision":"b2b2b2","prune":false,"dryRun":false}',
      },
    ]);
    expect(argo.apps.get('shop-api')!.history.map((h) => [h.id, h.revision])).toEqual([
      [1, 'a1a1a1'],
      [2, 'b2b2b2'],
      [3, 'a1a1a1'],
      [4, 'b2b2b2'],
    ]);
  });

  it('apps in any namespace: appNamespace in the query (and the body)', async () => {
    await client().application({ name: 'shop-web', appNamespace: 'team-a' });
    await client().rollback({ name: 'shop-web', appNamespace: 'team-a' }, 1);
    expect(argo.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['GET', '/api/v1/applications/shop-web?appNamespace=team-a', undefined],
      ['POST', '/api/v1/applications/shop-web/rollback?appNamespace=team-a', '{"id":1,"prune":false,"dryRun":false,"appNamespace":"team-a"}'],
    ]);
  });

  it('maps Argo CD errors to the error kinds, and never repeats the token', async () => {
    const missing = await failure(client().application({ name: 'nope' }));
    expect([missing.kind, missing.code]).toEqual(['not-found', 'NOT_FOUND']);
    const refused = await failure(client().rollback({ name: 'auto' }, 1));
    expect([refused.kind, refused.code]).toEqual(['conflict', 'ARGOCD_REJECTED']);
    expect(refused.message).toMatch(/auto-sync is enabled/);
    const wrong = 'wrong-token-secret-value-42';
    const forbidden = await failure(client({ token: () => wrong }).application({ name: 'shop-api' }));
    expect([forbidden.kind, forbidden.code]).toEqual(['upstream', 'ARGOCD_FORBIDDEN']);
    expect(forbidden.message).not.toContain(wrong);
    expect(forbidden.message).toContain('[redacted]');
  });

  it('refuses redirects: the redirect target is never requested and the token never sent there', async () => {
    argo.redirect = { status: 302, location: `${argo.url}/elsewhere` };
    const error = await failure(client().rollback({ name: 'shop-api' }, 1));
    expect([error.kind, error.code]).toEqual(['upstream', 'ARGOCD_REDIRECT']);
    expect(argo.requests.map((r) => r.path)).toEqual(['/api/v1/applications/shop-api/rollback']);
    argo.redirect = { status: 307, location: 'https://169.254.169.254/latest/meta-data' };
    expect((await failure(client().application({ name: 'shop-api' }))).code).toBe('ARGOCD_REDIRECT');
  });

  it('https only, TLS verified, and the cluster address policy at connect time', async () => {
    expect(() => new ArgoCdClient({ baseUrl: argo.url.replace('https:', 'http:'), token: () => 't', policy: { allowLoopback: true } })).toThrow(
      /must be https/,
    );
    // Loopback is refused in AWS (allowLoopback false): nothing is sent.
    const loopback = await failure(client({ policy: { allowLoopback: false } }).application({ name: 'shop-api' }));
    expect([loopback.kind, loopback.code]).toEqual(['invalid', 'UNSAFE_ARGOCD_URL']);
    // A name that resolves to the metadata address (DNS rebinding) is refused when connecting.
    const port = new URL(argo.url).port;
    const rebound = await failure(
      client({
        baseUrl: `https://argocd.example.com:${port}`,
        policy: { allowLoopback: true, lookup: async () => [{ address: '169.254.169.254', family: 4 }] },
      }).application({ name: 'shop-api' }),
    );
    expect([rebound.kind, rebound.code]).toEqual(['invalid', 'UNSAFE_ARGOCD_URL']);
    expect(rebound.message).toMatch(/169\.254\.169\.254/);
    // localhost → 127.0.0.1 through the guarded lookup, allowed locally; the certificate names localhost.
    await client({
      baseUrl: `https://localhost:${port}`,
      policy: { allowLoopback: true, lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
    }).application({ name: 'shop-api' });
    // Without the private CA the certificate is not trusted.
    const untrusted = await failure(client({ caPem: undefined }).application({ name: 'shop-api' }));
    expect([untrusted.kind, untrusted.message]).toEqual(['upstream', expect.stringMatching(/TLS verification failed/)]);
    expect(argo.requests.filter((r) => r.authorization).length).toBe(1);
  });

  it('times out', async () => {
    argo.hang = true;
    const started = Date.now();
    const error = await failure(client({ policy: { allowLoopback: true, timeoutMs: 1000 } }).application({ name: 'shop-api' }));
    expect([error.kind, error.code]).toEqual(['upstream', 'UPSTREAM_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
