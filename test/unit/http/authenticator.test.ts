import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../functions/core/identity/identity.ts';
import { authorize, Authenticator, BOOTSTRAP_IDENTITY } from '../../../functions/http/authenticator.ts';

const BOOTSTRAP = 'bootstrap-token-0123456789abcdef';
const ingest: Identity = { kind: 'ingest', subject: 'ingest:1', displayName: 'ingest am', role: null, source: 'am' };
const human = (role: Identity['role']): Identity => ({ kind: 'oidc', subject: 'https://id.example#u', displayName: 'u', role });
const route = (role: 'viewer' | 'operator' | 'approver' | 'admin', ingestRoute = false) => ({
  method: 'POST' as const,
  path: '/v1/x',
  role,
  ingest: ingestRoute,
});

describe('Authenticator (credential → identity)', () => {
  const seen: string[] = [];
  const auth = new Authenticator({
    bootstrapTokens: { getTokens: async () => [BOOTSTRAP] },
    credentials: { authenticate: async (secret) => (seen.push(secret), secret === 'fo_ing_known' ? ingest : undefined) },
    oidc: { configured: true, verify: async (token) => (token === 'a.b.c' ? human('viewer') : Promise.reject(new Error('bad'))) },
  });

  it('routes each credential to its store by shape', async () => {
    expect(await auth.authenticate(BOOTSTRAP)).toEqual(BOOTSTRAP_IDENTITY);
    expect(await auth.authenticate('fo_ing_known')).toBe(ingest);
    expect((await auth.authenticate('a.b.c')).role).toBe('viewer');
  });

  it('answers 401 for unknown stored credentials and unknown tokens, never trying the bootstrap token for a prefixed secret', async () => {
    await expect(auth.authenticate('fo_key_unknown')).rejects.toMatchObject({ kind: 'unauthorized' });
    await expect(auth.authenticate('something-else')).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(seen).toContain('fo_key_unknown');
  });

  it('does not treat a JWT as the bootstrap token when no issuer is configured, and refuses it', async () => {
    const bare = new Authenticator({ bootstrapTokens: { getTokens: async () => [BOOTSTRAP] } });
    await expect(bare.authenticate('eyJh.eyJz.sig')).rejects.toMatchObject({ kind: 'unauthorized' });
    await expect(bare.authenticate('fo_ing_anything')).rejects.toMatchObject({ kind: 'unauthorized' });
  });
});

describe('authorize (identity × route)', () => {
  it('lets a role through at or above the route’s, 403 below', () => {
    expect(() => authorize(human('approver'), route('approver'))).not.toThrow();
    expect(() => authorize(human('admin'), route('approver'))).not.toThrow();
    expect(() => authorize(human('operator'), route('approver'))).toThrow(expect.objectContaining({ kind: 'forbidden', code: 'INSUFFICIENT_ROLE' }));
    expect(() => authorize(human(null), route('viewer'))).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('lets ingest credentials post alerts only', () => {
    expect(() => authorize(ingest, route('operator', true))).not.toThrow();
    expect(() => authorize(ingest, route('viewer'))).toThrow(expect.objectContaining({ kind: 'forbidden', code: 'INGEST_ONLY' }));
  });
});
