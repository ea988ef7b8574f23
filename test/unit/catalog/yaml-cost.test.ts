/** Issue 19: the catalog YAML duplicate-key check was quadratic (891 KiB of distinct keys: 150 s). */
import { describe, expect, it } from 'vitest';
import { MAX_CATALOG_KEYS, parseCatalogDocuments, yamlKeyUpperBound } from '../../../functions/core/catalog/parse.ts';

const header = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: hostile\n  annotations:\n';

function distinctKeys(bytes: number, style: 'block' | 'flow'): string {
  const parts: string[] = [];
  let size = header.length;
  for (let i = 0; size < bytes; i++) {
    const line = style === 'block' ? `    k${i.toString(36)}: v\n` : `k${i.toString(36)}: v, `;
    parts.push(line);
    size += line.length;
  }
  return style === 'block' ? header + parts.join('') : `${header}    {${parts.join('')}z: v}\n`;
}

describe('catalog YAML cost', () => {
  it('rejects 891 KiB of distinct keys (block and flow mappings) with a key-count error, before composing', () => {
    for (const style of ['block', 'flow'] as const) {
      const raw = distinctKeys(891 * 1024, style);
      expect(yamlKeyUpperBound(raw)).toBeGreaterThan(MAX_CATALOG_KEYS);
      expect(() => parseCatalogDocuments(raw)).toThrow(/more than 20000 mapping keys/);
    }
  });

  it('counts keys exactly after composing, so the raw bound cannot be dodged', () => {
    // `a:b` in a flow mapping after a quoted key counts; the exact count catches anything the bound misses.
    const keys = Array.from({ length: MAX_CATALOG_KEYS + 1 }, (_, i) => `"k${i}":1`).join(',');
    expect(() => parseCatalogDocuments(`${header}    {${keys}}\n`)).toThrow(/mapping keys/);
  });

  it('still rejects duplicate keys (one Set per mapping), per document, and keeps the other documents', () => {
    const good = 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n';
    const dup = 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\n  name: team-c\nspec:\n  type: team\n  children: []\n';
    const numeric =
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-d\n  annotations: { 1: a, "1": b }\nspec:\n  type: team\n  children: []\n';
    const results = parseCatalogDocuments([good, dup, numeric].join('---\n'));
    expect(results[0]).toMatchObject({ index: 0, entity: { ref: 'group:default/team-a' } });
    expect(results[1]).toEqual({ index: 1, error: 'duplicate keys are not allowed (line 13)' });
    expect(results[2]).toMatchObject({ index: 2, error: expect.stringMatching(/duplicate keys/) });
  });

  it('accepts a large legitimate catalog: 500 entities', () => {
    const doc = (i: number) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-${i}\n  annotations:\n    a: b\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n`;
    const results = parseCatalogDocuments(Array.from({ length: 500 }, (_, i) => doc(i)).join('---\n'));
    expect(results.every((r) => 'entity' in r)).toBe(true);
  });
});
