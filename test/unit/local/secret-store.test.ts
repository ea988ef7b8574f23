import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore } from '../../../functions/adapters/local/encrypted-file-secret-store.ts';

const SECRET = 'token: eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbS1zZWNyZXQifQ';

describe('EncryptedFileSecretStore', () => {
  it('round-trips values, persists them across instances and deletes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    const store = new EncryptedFileSecretStore(dir);
    await store.put('clusters/dev', SECRET);
    expect(await store.get('clusters/dev')).toBe(SECRET);
    expect(await new EncryptedFileSecretStore(dir).get('clusters/dev')).toBe(SECRET);
    expect(await store.get('clusters/none')).toBeUndefined();
    await store.delete('clusters/dev');
    expect(await store.get('clusters/dev')).toBeUndefined();
    await store.delete('clusters/dev');
  });

  it('keeps the key file at mode 0600 and never writes plaintext to disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    const store = new EncryptedFileSecretStore(dir);
    await store.put('clusters/prod', SECRET);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const onDisk = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).not.toContain('eyJhbGci');
    expect(onDisk).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 20));
  });

  it('uses a fresh IV per write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    const store = new EncryptedFileSecretStore(dir);
    await store.put('a', SECRET);
    const first = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).a;
    await store.put('a', SECRET);
    const second = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).a;
    expect(second.iv).not.toBe(first.iv);
    expect(second.data).not.toBe(first.data);
  });

  it('detects tampering and values moved to another name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    const store = new EncryptedFileSecretStore(dir);
    await store.put('a', SECRET);
    const file = join(dir, 'secrets.json');
    const sealed = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ a: sealed.a, b: sealed.a }));
    await expect(store.get('b')).rejects.toThrow();
    const data = Buffer.from(sealed.a.data, 'base64');
    data[0] ^= 1;
    writeFileSync(file, JSON.stringify({ a: { ...sealed.a, data: data.toString('base64') } }));
    await expect(store.get('a')).rejects.toThrow();
  });

  it('cannot open another data dir’s values with its own key', async () => {
    const one = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    const two = mkdtempSync(join(tmpdir(), 'fleetops-secrets-'));
    await new EncryptedFileSecretStore(one).put('a', SECRET);
    new EncryptedFileSecretStore(two);
    writeFileSync(join(two, 'secrets.json'), readFileSync(join(one, 'secrets.json')));
    await expect(new EncryptedFileSecretStore(two).get('a')).rejects.toThrow();
  });
});
