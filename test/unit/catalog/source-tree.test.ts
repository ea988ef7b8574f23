// Backstage compatibility in core: placeholders found and substituted, Location targets followed on the
// source's own origin, and every limit that bounds what a hostile source can make a pull do. The reader
// here is a map of URL → text; the integration test reads the same way through the real guarded fetch.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { validateEntity, MAX_EXTRA_SPEC_BYTES } from '../../../functions/core/catalog/entity.ts';
import { ingestCatalog } from '../../../functions/core/catalog/ingest.ts';
import { findPlaceholders, placeholderValue, substitute } from '../../../functions/core/catalog/placeholders.ts';
import { readSourceTree, sameOriginUrl, type SourceReader } from '../../../functions/core/catalog/source-tree.ts';

const H = 'https://git.example.com/org/repo/blob/main';
const location = (name: string, targets: string[], extra = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: ${name} }\nspec:\n${extra}  targets:\n${targets.map((t) => `    - ${JSON.stringify(t)}\n`).join('')}`;
const component = (name: string, spec = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ${name} }\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n${spec}`;
const api = (name: string, definition: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: { name: ${name} }\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    ${definition}\n`;

/** A reader over fixed files that records what was fetched; an absent file is "down" (a plain Error, as HTTP 404 is). */
function reader(files: Record<string, string>, extra: Partial<SourceReader> = {}) {
  const fetched: string[] = [];
  return {
    fetched,
    fetchText: async (url: string) => {
      fetched.push(url);
      if (!(url in files)) throw new Error(`catalog URL ${url} answered HTTP 404`);
      return files[url];
    },
    ...extra,
  };
}
const refs = (tree: Awaited<ReturnType<typeof readSourceTree>>) => tree.documents.flatMap((d) => ('entity' in d ? [d.entity.ref] : []));
const errors = (tree: Awaited<ReturnType<typeof readSourceTree>>) => tree.documents.flatMap((d) => ('error' in d ? [`${d.url}#${d.index}: ${d.error}`] : []));

describe('placeholders', () => {
  it('finds $text/$json/$yaml anywhere in a document, refuses unknown ones and more than 8', () => {
    const found = findPlaceholders({
      metadata: { description: { $text: './README.md' } },
      spec: { definition: { $text: './openapi.yaml' }, extra: [{ $json: 'a.json' }, { $yaml: 'b.yaml', other: 1 }] },
    });
    expect(found).toEqual({
      placeholders: [
        { path: ['metadata', 'description'], kind: '$text', target: './README.md' },
        { path: ['spec', 'definition'], kind: '$text', target: './openapi.yaml' },
        { path: ['spec', 'extra', 0], kind: '$json', target: 'a.json' },
      ],
    });
    expect(findPlaceholders({ spec: { definition: { $include: '/etc/passwd' } } })).toEqual({
      error: expect.stringMatching(/spec.definition: unknown placeholder "\$include"/),
    });
    expect(findPlaceholders({ spec: { definition: { $text: 42 } } })).toEqual({ error: expect.stringMatching(/needs a URL or relative path/) });
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, { $text: `./${i}` }]));
    expect(findPlaceholders({ spec: many })).toEqual({ error: expect.stringMatching(/9 placeholders in one document, more than 8/) });
  });

  it('$json and $yaml are parsed with the catalog caps; substitution copies and never reaches a prototype', () => {
    expect(placeholderValue('$json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(() => placeholderValue('$json', '['.repeat(40) + ']'.repeat(40))).toThrow(/nested deeper than 32/);
    expect(() => placeholderValue('$json', '{nope')).toThrow(ValidationError);
    expect(placeholderValue('$yaml', 'a: 1\nb: [x]\n')).toEqual({ a: 1, b: ['x'] });
    expect(() => placeholderValue('$yaml', 'a: &x 1\nb: *x\n')).toThrow(/anchors|aliases/);
    expect(() => placeholderValue('$yaml', 'a: !!binary aGk=\n')).toThrow(/tags/);
    expect(() => placeholderValue('$yaml', 'a: 1\n---\nb: 2\n')).toThrow(/2 YAML documents/);
    expect(placeholderValue('$text', 'as is: {x}')).toBe('as is: {x}');
    const doc = { spec: { definition: { $text: 'x' }, keep: 1 } };
    const out = substitute(doc, ['spec', 'definition'], 'openapi: 3.0.0') as typeof doc;
    expect(out).toEqual({ spec: { definition: 'openapi: 3.0.0', keep: 1 } });
    expect(doc.spec.definition).toEqual({ $text: 'x' });
    const hostile = JSON.parse('{"__proto__": {"$text": "x"}}');
    const replaced = substitute(hostile, ['__proto__'], { polluted: true }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(replaced)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('same-origin targets', () => {
  it('resolves relative and absolute targets on the source origin only', () => {
    expect(sameOriginUrl('./apis/petstore.yaml', `${H}/catalog/all.yaml`)).toEqual({ url: `${H}/catalog/apis/petstore.yaml` });
    expect(sameOriginUrl('../x.yaml#frag', `${H}/catalog/all.yaml`)).toEqual({ url: `${H}/x.yaml` });
    expect(sameOriginUrl('https://git.example.com/other/repo/x.yaml', `${H}/all.yaml`)).toEqual({ url: 'https://git.example.com/other/repo/x.yaml' });
    for (const target of [
      'https://evil.example.com/x.yaml',
      '//evil.example.com/x.yaml',
      'http://git.example.com/x.yaml',
      'https://git.example.com:8443/x.yaml',
      'https://git.example.com@evil.example.com/x.yaml',
      'file:///etc/passwd',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      expect(sameOriginUrl(target, `${H}/all.yaml`), target).toEqual({
        error: expect.stringMatching(/is not the source's own host \(https:\/\/git.example.com\)/),
      });
    }
  });
});

describe('readSourceTree', () => {
  it('follows a Location tree and resolves $text/$json/$yaml relative to each file; the Locations themselves are not stored', async () => {
    const r = reader({
      [`${H}/all.yaml`]: location('all', ['./all-apis.yaml', `${H}/components/all.yaml`]),
      [`${H}/all-apis.yaml`]: [api('petstore', '$text: ./apis/petstore.yaml'), api('config', '$text: ./apis/config.yaml')].join('---\n'),
      [`${H}/apis/petstore.yaml`]: 'openapi: 3.0.0\n',
      [`${H}/apis/config.yaml`]: 'openapi: 3.1.0\n',
      [`${H}/components/all.yaml`]: component('search', '  settings:\n    $json: ./search.json\n  runbook:\n    $yaml: ../runbook.yaml\n'),
      [`${H}/components/search.json`]: '{"replicas": 2}',
      [`${H}/runbook.yaml`]: 'steps: [page, fix]\n',
    });
    const tree = await readSourceTree(`${H}/all.yaml`, r);
    expect(errors(tree)).toEqual([]);
    expect(refs(tree)).toEqual(['api:default/petstore', 'api:default/config', 'component:default/search']);
    const byRef = Object.fromEntries(tree.documents.flatMap((d) => ('entity' in d ? [[d.entity.ref, d.entity]] : [])));
    expect(byRef['api:default/petstore'].spec.definition).toBe('openapi: 3.0.0\n');
    expect(byRef['component:default/search'].spec).toMatchObject({ settings: { replicas: 2 }, runbook: { steps: ['page', 'fix'] } });
    expect(tree.files).toEqual([`${H}/all.yaml`, `${H}/all-apis.yaml`, `${H}/components/all.yaml`]);
    expect(tree.incomplete).toEqual([]);
  });

  it('refuses a placeholder or a Location target on another host for that document, fetching nothing there', async () => {
    const r = reader({
      [`${H}/all.yaml`]: [
        api('good', '$text: ./good.yaml'),
        api('stolen', '$text: http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
        location('elsewhere', ['https://evil.example.com/catalog.yaml', './ok.yaml']),
      ].join('---\n'),
      [`${H}/good.yaml`]: 'openapi: 3.0.0\n',
      [`${H}/ok.yaml`]: component('ok'),
    });
    const tree = await readSourceTree(`${H}/all.yaml`, r);
    expect(refs(tree)).toEqual(['api:default/good', 'component:default/ok']);
    expect(errors(tree)).toEqual([
      expect.stringMatching(/#1: spec.definition: \$text http:\/\/169.254.169.254 is not the source's own host/),
      expect.stringMatching(/#2: Location elsewhere: target https:\/\/evil.example.com is not the source's own host/),
    ]);
    expect(r.fetched.every((url) => url.startsWith(H))).toBe(true);
    expect(tree.incomplete).toEqual([]);
  });

  it('is cycle-safe, caps Location depth and the number of files', async () => {
    const cycle = reader({ [`${H}/a.yaml`]: location('a', ['./b.yaml']), [`${H}/b.yaml`]: location('b', ['./a.yaml', './b.yaml']) });
    const cyclic = await readSourceTree(`${H}/a.yaml`, cycle);
    expect(cycle.fetched).toEqual([`${H}/a.yaml`, `${H}/b.yaml`]);
    expect(errors(cyclic)).toEqual([
      expect.stringMatching(/b.yaml#0: Location b: target .*a.yaml is already read in this pull.*; target .*b.yaml is already read/),
    ]);

    const bomb = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${H}/d${i}.yaml`, location(`d${i}`, [`./d${i + 1}.yaml`])]));
    const deep = reader(bomb);
    const tree = await readSourceTree(`${H}/d0.yaml`, deep);
    expect(deep.fetched).toHaveLength(4);
    expect(errors(tree)).toEqual([expect.stringMatching(/d3.yaml#0: Location d3: target .*d4.yaml is nested deeper than 3 Locations/)]);

    const fan = reader({
      [`${H}/all.yaml`]: location(
        'all',
        Array.from({ length: 40 }, (_, i) => `./c${i}.yaml`),
      ),
      ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${H}/c${i}.yaml`, component(`c${i}`)])),
    });
    const wide = await readSourceTree(`${H}/all.yaml`, fan);
    expect(fan.fetched).toHaveLength(25);
    expect(refs(wide)).toHaveLength(24);
    expect(errors(wide)).toEqual([
      expect.stringMatching(/Location all: target .*c24.yaml: the source has 25 files, its limit;.*c26.yaml: the source has 25 files, its limit; and 13 more$/),
    ]);
  });

  it('caps placeholders and bytes per source, and documents across its files', async () => {
    const docs = Array.from({ length: 5 }, (_, i) => api(`a${i}`, `$text: ./def${i}.yaml`)).join('---\n');
    const files = { [`${H}/all.yaml`]: docs, ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${H}/def${i}.yaml`, 'x'.repeat(400)])) };
    const few = await readSourceTree(`${H}/all.yaml`, { ...reader(files), limits: { maxPlaceholders: 3 } });
    expect(refs(few)).toEqual(['api:default/a0', 'api:default/a1', 'api:default/a2']);
    expect(errors(few)).toEqual([
      expect.stringMatching(/#3: spec.definition: the source has resolved 3 placeholders, its limit/),
      expect.stringMatching(/#4: /),
    ]);

    const small = await readSourceTree(`${H}/all.yaml`, { ...reader(files), limits: { maxBytes: docs.length + 900 } });
    expect(refs(small)).toEqual(['api:default/a0', 'api:default/a1']);
    expect(errors(small)[0]).toMatch(/#2: spec.definition: \$text .*def2.yaml cannot be read \(the source read more than \d+ bytes, its limit\)/);
    expect(errors(small)[1]).toMatch(/#3: spec.definition: the source has read \d+ bytes, its limit/);

    const files3 = reader({
      [`${H}/all.yaml`]: location('all', ['./x.yaml', './y.yaml']),
      [`${H}/x.yaml`]: Array.from({ length: 6 }, (_, i) => component(`c${i}`)).join('---\n'),
      [`${H}/y.yaml`]: component('y'),
    });
    const many = await readSourceTree(`${H}/all.yaml`, { ...files3, limits: { maxDocuments: 4 } });
    expect(refs(many)).toHaveLength(3);
    expect(errors(many)).toEqual([
      expect.stringMatching(/x.yaml#3: the source has 4 documents, its limit; the rest is not read/),
      expect.stringMatching(/all.yaml#0: Location target .*y.yaml: the source has 4 documents, its limit/),
    ]);
    // Files past the document limit are not fetched, and the source is incomplete: nothing is removed.
    expect(files3.fetched).not.toContain(`${H}/y.yaml`);
    expect(many.incomplete).toEqual([expect.stringMatching(/y.yaml: the source has 4 documents/)]);
  });

  it('a target or placeholder that cannot be read, or a spent time budget, makes the read incomplete (nothing removed); the configured file failing throws', async () => {
    const r = reader({
      [`${H}/all.yaml`]: [location('all', ['./down.yaml', './nul.yaml', './bad.yaml']), api('a', '$text: ./gone.yaml')].join('---\n'),
      [`${H}/nul.yaml`]: 'a: \0',
      [`${H}/bad.yaml`]: 'a: [',
    });
    const tree = await readSourceTree(`${H}/all.yaml`, r);
    expect(tree.incomplete).toEqual([
      expect.stringMatching(/\$text .*gone.yaml: .*HTTP 404/),
      expect.stringMatching(/down.yaml: .*HTTP 404/),
      expect.stringMatching(/nul.yaml: NUL bytes are not allowed/),
    ]);
    // A readable file with an invalid document is like any invalid document: rejected, the read is complete.
    expect(errors(tree)).toEqual([
      expect.stringMatching(/#1: spec.definition: \$text .*gone.yaml cannot be read/),
      expect.stringMatching(/all.yaml#0: Location target .*down.yaml: .*HTTP 404/),
      expect.stringMatching(/all.yaml#0: Location target .*nul.yaml: NUL bytes/),
      expect.stringMatching(/bad.yaml#0: not valid YAML/),
    ]);
    let calls = 0;
    const late = await readSourceTree(`${H}/all.yaml`, { ...reader({ [`${H}/all.yaml`]: location('all', ['./x.yaml']) }), expired: () => ++calls > 0 });
    expect(late.incomplete).toEqual([expect.stringMatching(/x.yaml: the pull has spent its time budget/)]);
    await expect(readSourceTree(`${H}/missing.yaml`, reader({}))).rejects.toThrow(/HTTP 404/);
  });

  it('a Location of another type is not followed; query strings never show in results', async () => {
    const r = reader({
      [`${H}/all.yaml?token=s3cret`]: [location('gh', ['https://github.com/org'], '  type: github-discovery\n'), component('bad name')].join('---\n'),
    });
    const tree = await readSourceTree(`${H}/all.yaml?token=s3cret`, r);
    expect(errors(tree)).toEqual([
      expect.stringMatching(/#0: Location gh: type "github-discovery" is not followed/),
      expect.stringMatching(/#1: metadata.name/),
    ]);
    expect(JSON.stringify(tree)).not.toMatch(/s3cret/);
  });
});

describe('POSTed documents and extra spec fields', () => {
  const store = () => {
    const put: string[] = [];
    return {
      put,
      store: { put: async (entities: { ref: string }[]) => void put.push(...entities.map((e) => e.ref)), owners: async () => new Map<string, string>() },
    };
  };

  it('keeps placeholders as written and names them in unresolved; a Location is answered with where it is followed', async () => {
    const s = store();
    const body = [
      api('rel', '$text: ./openapi.yaml'),
      api('abs', '$text: https://git.example.com/openapi.yaml'),
      location('all', ['./x.yaml']),
      component('described').replace('metadata: { name: described }', 'metadata:\n  name: described\n  description: { $text: ./README.md }'),
    ].join('---\n');
    const result = await ingestCatalog(s.store, body, { source: 'api:alice', at: new Date() });
    expect(result.accepted).toBe(2);
    expect(result.unresolved).toEqual([
      { index: 0, ref: 'api:default/rel', fields: ['spec.definition'] },
      { index: 1, ref: 'api:default/abs', fields: ['spec.definition'] },
    ]);
    expect(result.rejected).toEqual([
      { index: 2, error: expect.stringMatching(/^kind Location is followed only in a pull \(FLEETOPS_CATALOG_URLS\)/) },
      { index: 3, error: expect.stringMatching(/metadata.description: .*placeholders at metadata.description are resolved only in a pull/) },
    ]);
  });

  it('keeps spec fields Backstage allows beyond fleetops’ own, within bounds', () => {
    const doc = (spec: Record<string, unknown>) =>
      validateEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
        spec: { type: 's', lifecycle: 'p', owner: 'g', ...spec },
      });
    expect(doc({ tier: 1, oncall: { rotation: 'weekly' } })).toMatchObject({ entity: { spec: { tier: 1, oncall: { rotation: 'weekly' } } } });
    expect(doc(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])))).toEqual({ error: expect.stringMatching(/at most 32 fields/) });
    expect(doc({ blob: 'x'.repeat(MAX_EXTRA_SPEC_BYTES) })).toEqual({ error: expect.stringMatching(/more than 65536/) });
    expect(doc(JSON.parse('{"deep": {"__proto__": {"polluted": true}}}'))).toEqual({ error: 'spec.deep.__proto__: the key is not allowed' });
    expect(doc({ owner: 42 })).toHaveProperty('error');
  });
});
