import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDataDir } from '../../../local/data-dir.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'fleetops-datadir-')), 'data');

describe('the local data dir', () => {
  it('is created private', () => {
    const dir = fresh();
    ensurePrivateDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['world-writable', 0o777],
    ['group-writable', 0o770],
  ])('is refused when %s', (_name, mode) => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, mode);
    expect(() => ensurePrivateDataDir(dir)).toThrow(/writable by group or others/);
  });

  it.skipIf(process.getuid?.() !== 0)('is refused when another user owns it (needs root to set up)', () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 4242, 4242);
    expect(() => ensurePrivateDataDir(dir)).toThrow(/owned by uid 4242/);
  });
});
