// Unit tests for the simulator's pure pieces: selectors, patches, quantities, deterministic load model.
import { describe, expect, it } from 'vitest';
import { parseLabelSelector, matchLabels, parseFieldSelector, matchFields } from '../../../sim/selectors.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../../sim/patch.ts';
import { parseQuantity } from '../../../sim/util.ts';
import { Cluster } from '../../../sim/cluster.ts';

describe('selectors', () => {
  const l = { app: 'web', tier: 'front' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web,api)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['app=web,tier in (back)', false],
    ['missing!=x', true],
  ])('%s -> %s', (sel, want) => {
    expect(matchLabels(parseLabelSelector(sel), l)).toBe(want);
  });
  it('field selectors on dotted paths', () => {
    const o = { metadata: { name: 'a', namespace: 'shop' }, involvedObject: { kind: 'Pod' } };
    expect(matchFields(parseFieldSelector('metadata.name=a,involvedObject.kind=Pod'), o)).toBe(true);
    expect(matchFields(parseFieldSelector('metadata.namespace!=shop'), o)).toBe(false);
  });
});

describe('patches', () => {
  const dep = {
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'a', image: 'x:1', ports: [{ containerPort: 80 }] },
            { name: 'b', image: 'y:1' },
          ],
        },
      },
    },
  };
  it('merge patch replaces lists and deletes nulls', () => {
    expect(mergePatch({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 } })).toEqual({ b: { c: 2, d: 3 } });
  });
  it('strategic merge patch merges containers by name', () => {
    const out = strategicMergePatch(dep, {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'x:2' }] } } },
    }) as any;
    expect(out.spec.template.spec.containers).toHaveLength(2);
    expect(out.spec.template.spec.containers[0]).toEqual({ name: 'a', image: 'x:2', ports: [{ containerPort: 80 }] });
  });
  it('json patch replace/add/remove/test and failures', () => {
    const out = jsonPatch(dep, [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata', value: { annotations: { 'a/b': '1' } } },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'move', from: '/metadata/annotations/a~1b', path: '/metadata/annotations/c' },
    ]) as any;
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(out.metadata.annotations).toEqual({ c: '1' });
    expect(() => jsonPatch(dep, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow();
    expect(() => jsonPatch(dep, [{ op: 'test', path: '/spec/replicas', value: 9 }])).toThrow();
  });
});

describe('quantities and load model', () => {
  it('parses quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('16Gi')).toBe(16 * 1024 ** 3);
    expect(parseQuantity('2')).toBe(2);
    expect(Number.isNaN(parseQuantity('abc'))).toBe(true);
  });
  it('load is deterministic for a seed, differs across seeds, and follows a daily rhythm', () => {
    const t = Date.UTC(2024, 0, 1, 14);
    const a = new Cluster('x', 1).metrics.serviceLoad('shop', 'frontend', t);
    const b = new Cluster('x', 1).metrics.serviceLoad('shop', 'frontend', t);
    const c = new Cluster('x', 2).metrics.serviceLoad('shop', 'frontend', t);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    const night = new Cluster('x', 1).metrics.serviceLoad('shop', 'frontend', Date.UTC(2024, 0, 1, 2));
    expect(a).toBeGreaterThan(night * 1.8);
  });
  it('a pinned hour holds the daily rhythm there, whatever the clock says', () => {
    const pinned = new Cluster('x', 1);
    pinned.metrics.diurnalHourUtc = 2;
    const free = new Cluster('x', 1);
    const at = (h: number) => Date.UTC(2024, 0, 1, h);
    // the same rhythm as at 02:00, up to the load's own noise (±8 %)
    const ratio = pinned.metrics.serviceLoad('shop', 'frontend', at(14)) / free.metrics.serviceLoad('shop', 'frontend', at(2));
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    expect(pinned.metrics.serviceLoad('shop', 'frontend', at(14)) * 1.8).toBeLessThan(free.metrics.serviceLoad('shop', 'frontend', at(14)));
  });
});
