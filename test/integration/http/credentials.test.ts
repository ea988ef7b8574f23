import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoCredentialStore } from '../../../functions/adapters/aws/dynamodb/credential-store.ts';
import { CredentialService, hashSecret } from '../../../functions/core/identity/credentials.ts';
import type { Identity } from '../../../functions/core/identity/identity.ts';
import { startTestTable } from '../../support/dynamodb.ts';

const ADMIN: Identity = { kind: 'oidc', subject: 'https://id.example#adam', displayName: 'Adam', role: 'admin' };
const APPROVER: Identity = { kind: 'oidc', subject: 'https://id.example#april', displayName: 'April', role: 'approver' };

let db: Awaited<ReturnType<typeof startTestTable>>;
let client: ReturnType<typeof createDocumentClient>;
let store: DynamoCredentialStore;
let now: Date;
/** Two services over one table: two warm Lambdas, each with its own positive cache. */
let a: CredentialService;
let b: CredentialService;

beforeAll(async () => {
  db = await startTestTable();
  client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint, region: 'us-east-1' });
  store = new DynamoCredentialStore(client, db.tableName);
  now = new Date('2026-12-06T12:00:00Z');
  a = new CredentialService({ store, now: () => now, cacheSeconds: 30 });
  b = new CredentialService({ store, now: () => now, cacheSeconds: 30 });
}, 60_000);
afterAll(async () => {
  await db?.stop();
});

describe('ingest credentials and API keys in DynamoDB Local', () => {
  it('stores only the hash, returns the secret once, and lists without secrets', async () => {
    const { credential, secret } = await a.createIngest({ source: 'alertmanager-eu' }, ADMIN);
    expect(secret).toMatch(/^fo_ing_[a-f0-9]{16}_/);
    const item = (await client.send(new GetCommand({ TableName: db.tableName, Key: { pk: `CREDENTIAL#${credential.id}`, sk: 'META' } }))).Item!;
    expect(JSON.stringify(item)).not.toContain(secret.slice(24));
    expect(item.secretHash).toBe(hashSecret(secret));
    expect(item.createdBy).toBe(ADMIN.subject);
    const listed = await a.list();
    expect(listed.find((c) => c.id === credential.id)).toEqual({ ...credential, status: 'active' });
    expect(JSON.stringify(listed)).not.toContain('secretHash');
    expect(await a.authenticate(secret)).toEqual({
      kind: 'ingest',
      subject: `ingest:${credential.id}`,
      displayName: expect.stringContaining('alertmanager-eu'),
      role: null,
      source: 'alertmanager-eu',
    });
  });

  it('rotates without downtime: two active credentials per source, a third refused until the old one is revoked', async () => {
    const old = await a.createIngest({ source: 'am-rotate' }, ADMIN);
    const next = await a.createIngest({ source: 'am-rotate' }, ADMIN);
    // Both work at once: senders move to the new one at their own pace.
    expect((await b.authenticate(old.secret))?.source).toBe('am-rotate');
    expect((await b.authenticate(next.secret))?.source).toBe('am-rotate');
    await expect(a.createIngest({ source: 'am-rotate' }, ADMIN)).rejects.toMatchObject({ kind: 'conflict', code: 'TOO_MANY_CREDENTIALS' });
    // Another source is not limited by this one.
    await expect(a.createIngest({ source: 'am-other' }, ADMIN)).resolves.toBeDefined();

    const revoked = await a.revoke(old.credential.id);
    expect(revoked).toMatchObject({ id: old.credential.id, status: 'revoked', revokedAt: now.toISOString() });
    // The process that revoked forgets it at once; the new one keeps working.
    expect(await a.authenticate(old.secret)).toBeUndefined();
    expect((await a.authenticate(next.secret))?.subject).toBe(`ingest:${next.credential.id}`);
    // Another warm process trusts its cached answer for at most cacheSeconds, then reads the revocation.
    now = new Date(now.getTime() + 31_000);
    expect(await b.authenticate(old.secret)).toBeUndefined();
    // Room for the next rotation.
    await expect(a.createIngest({ source: 'am-rotate' }, ADMIN)).resolves.toBeDefined();
  });

  it('revokes idempotently and answers 404 for unknown ids', async () => {
    const { credential } = await a.createIngest({ source: 'am-twice' }, ADMIN);
    const first = await a.revoke(credential.id);
    now = new Date(now.getTime() + 1000);
    const second = await a.revoke(credential.id);
    expect(second.revokedAt).toBe(first.revokedAt);
    await expect(a.revoke('0123456789abcdef')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses wrong, tampered and foreign secrets', async () => {
    const { secret } = await a.createIngest({ source: 'am-tamper' }, ADMIN);
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    expect(await a.authenticate(secret.slice(0, -1) + last)).toBeUndefined();
    // Same id, other kind's prefix.
    expect(await a.authenticate(secret.replace('fo_ing_', 'fo_key_'))).toBeUndefined();
    expect(await a.authenticate('fo_ing_nothex_abc')).toBeUndefined();
    expect(await a.authenticate('not-a-credential')).toBeUndefined();
  });

  it('creates API keys with a role, only by admins', async () => {
    const { credential, secret } = await a.createApiKey({ name: 'nightly-report', role: 'viewer' }, ADMIN);
    expect(secret).toMatch(/^fo_key_/);
    expect(await b.authenticate(secret)).toEqual({
      kind: 'api-key',
      subject: `api-key:${credential.id}`,
      displayName: 'API key nightly-report',
      role: 'viewer',
    });
    await expect(a.createApiKey({ name: 'x', role: 'operator' }, APPROVER)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(a.createIngest({ source: 'x' }, APPROVER)).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('holds the per-source limit under concurrent creates: never more than two active, whatever the interleaving', async () => {
    // Separate services (separate warm Lambdas): each one's list-then-check passes before the others write.
    const services = Array.from({ length: 6 }, () => new CredentialService({ store, now: () => now, cacheSeconds: 30 }));
    const results = await Promise.allSettled(services.map((s) => s.createIngest({ source: 'am-race' }, ADMIN)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'conflict', code: 'TOO_MANY_CREDENTIALS' });
    const active = (await a.list()).filter((c) => c.source === 'am-race' && c.status === 'active');
    expect(active).toHaveLength(2);
    // A revoke frees exactly one slot, also under concurrency; revoking twice frees it once.
    await a.revoke(active[0]!.id);
    await a.revoke(active[0]!.id);
    const again = await Promise.allSettled(services.map((s) => s.createIngest({ source: 'am-race' }, ADMIN)));
    expect(again.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('the store itself refuses a third active credential even when the caller skipped the check', async () => {
    const base = { kind: 'ingest' as const, source: 'am-direct', name: 'am', secretHash: 'x', createdAt: now.toISOString(), createdBy: ADMIN.subject };
    await Promise.all([
      store.create({ ...base, id: 'a000000000000001' }, { maxActiveForSource: 2 }),
      store.create({ ...base, id: 'a000000000000002' }, { maxActiveForSource: 2 }),
    ]);
    await expect(store.create({ ...base, id: 'a000000000000003' }, { maxActiveForSource: 2 })).rejects.toMatchObject({ code: 'TOO_MANY_CREDENTIALS' });
  });

  it('a create whose source counter was seeded by a concurrent create in the meantime still takes a free slot', async () => {
    // The interleaving behind a CI failure: this create's first transaction finds no counter, another create seeds it
    // before this one looks, and the slot still free must go to this create, not be refused.
    const base = {
      kind: 'ingest' as const,
      source: 'am-seeded-meanwhile',
      name: 'am',
      secretHash: 'x',
      createdAt: now.toISOString(),
      createdBy: ADMIN.subject,
    };
    const other = new DynamoCredentialStore(client, db.tableName);
    let seededByOther = false;
    const interleaving = {
      send: async (command: Parameters<typeof client.send>[0]) => {
        try {
          return await client.send(command);
        } catch (error) {
          if (!seededByOther && command.constructor.name === 'TransactWriteCommand') {
            seededByOther = true;
            await other.create({ ...base, id: 'b000000000000001' }, { maxActiveForSource: 2 });
          }
          throw error;
        }
      },
    } as unknown as typeof client;
    await new DynamoCredentialStore(interleaving, db.tableName).create({ ...base, id: 'b000000000000002' }, { maxActiveForSource: 2 });
    expect(seededByOther).toBe(true);
    const active = (await store.list()).filter((c) => c.source === base.source && !c.revokedAt);
    expect(active.map((c) => c.id).sort()).toEqual(['b000000000000001', 'b000000000000002']);
    await expect(store.create({ ...base, id: 'b000000000000003' }, { maxActiveForSource: 2 })).rejects.toMatchObject({ code: 'TOO_MANY_CREDENTIALS' });
  });
});
