import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../../ports.ts';

const KEY_FILE = 'secrets.key';
const STORE_FILE = 'secrets.json';
const KEY_BYTES = 32;
const IV_BYTES = 12;

interface SealedValue {
  iv: string;
  tag: string;
  data: string;
}

/**
 * The local stand-in for Secrets Manager: AES-256-GCM per value, the key generated once into
 * the data dir with mode 0600. The secret name is bound as additional authenticated data, so a
 * sealed value moved to another name fails to open.
 */
export class EncryptedFileSecretStore implements SecretStore {
  private readonly key: Buffer;
  private readonly storePath: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.storePath = join(dataDir, STORE_FILE);
    this.key = loadOrCreateKey(join(dataDir, KEY_FILE));
  }

  async put(name: string, value: string): Promise<void> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const all = this.readAll();
    all[name] = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    this.writeAll(all);
  }

  async get(name: string): Promise<string | undefined> {
    const sealed = this.readAll()[name];
    if (!sealed) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  }

  async delete(name: string): Promise<void> {
    const all = this.readAll();
    if (!(name in all)) return;
    delete all[name];
    this.writeAll(all);
  }

  private readAll(): Record<string, SealedValue> {
    if (!existsSync(this.storePath)) return {};
    return JSON.parse(readFileSync(this.storePath, 'utf8')) as Record<string, SealedValue>;
  }

  /** Write-then-rename so a crash never leaves a half-written store. */
  private writeAll(all: Record<string, SealedValue>): void {
    const temp = `${this.storePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, JSON.stringify(all), { mode: 0o600 });
    renameSync(temp, this.storePath);
  }
}

function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`Secret key file ${path} is corrupt`);
    chmodSync(path, 0o600);
    return key;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(path, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(path);
    throw error;
  }
  return key;
}
