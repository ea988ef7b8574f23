import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** Runs `depcruise` (the check `npm run lint` runs) in `cwd`; returns the violated rule names. */
async function violations(cwd: string): Promise<string[]> {
  const bin = join(ROOT, 'node_modules/.bin/depcruise');
  try {
    await run(bin, ['functions', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd });
    return [];
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? '');
    return [...out.matchAll(/error ([a-z-]+):/g)].map((m) => m[1]!);
  }
}

describe('import rules (dependency-cruiser, part of npm run lint)', () => {
  const copies: string[] = [];
  afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function copyOfTree(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-imports-'));
    copies.push(dir);
    cpSync(join(ROOT, 'functions'), join(dir, 'functions'), { recursive: true });
    cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    return dir;
  }

  it('the tree obeys them', async () => {
    expect(await violations(ROOT)).toEqual([]);
  });

  it('fail on an upward import from core', async () => {
    const dir = copyOfTree();
    writeFileSync(join(dir, 'functions/core/platform/upward.ts'), "import { wiring } from '../../wiring.ts';\nexport const w = wiring;\n");
    expect(await violations(dir)).toContain('core-imports-only-core');
  });

  it('fail on an adapter importing a handler', async () => {
    const dir = copyOfTree();
    writeFileSync(join(dir, 'functions/adapters/upward.ts'), "import { handler } from '../handlers/health.ts';\nexport const h = handler;\n");
    expect(await violations(dir)).toContain('adapters-never-import-entry-points');
  });

  it('fail on a cycle', async () => {
    const dir = copyOfTree();
    writeFileSync(join(dir, 'functions/core/platform/cycle-a.ts'), "import { b } from './cycle-b.ts';\nexport const a = () => b();\n");
    writeFileSync(join(dir, 'functions/core/platform/cycle-b.ts'), "import { a } from './cycle-a.ts';\nexport const b = (): unknown => a;\n");
    expect(await violations(dir)).toContain('no-cycles');
  });
});
