import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '../../../functions/core');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** Core is pure logic: no AWS, Kubernetes or HTTP client imports, not even type-only ones. */
const FORBIDDEN = /from\s+['"](@aws-sdk\/|@smithy\/|@kubernetes\/client-node|undici|node:https?|aws-cdk-lib)/;

describe('functions/core boundaries', () => {
  it('imports no AWS, Kubernetes or HTTP library', () => {
    const all = files(CORE);
    expect(all.length).toBeGreaterThan(20);
    const offenders = all.filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8'))).map((f) => relative(CORE, f));
    expect(offenders).toEqual([]);
  });
});
