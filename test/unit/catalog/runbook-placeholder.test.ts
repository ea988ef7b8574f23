// The golden path writes a placeholder runbook link; the scorecard's runbook-linked check fails until it is replaced.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateEntity, type CatalogEntity } from '../../../functions/core/catalog/entity.ts';
import { MicroserviceParams, microserviceSkeleton } from '../../../functions/core/catalog/golden-path.ts';
import { CatalogIndex } from '../../../functions/core/catalog/graph.ts';
import { isPlaceholderRunbook } from '../../../functions/core/catalog/runbook.ts';
import { computeScorecard } from '../../../functions/core/catalog/scorecard.ts';

const now = new Date('2026-12-01T00:00:00Z');

function generated(): Record<string, unknown> {
  const p = MicroserviceParams.parse({ name: 'checkout', owner: 'team-a', description: 'Checkout', language: 'javascript', framework: 'express' });
  const file = microserviceSkeleton(p).find((e) => e.path === 'checkout/catalog-info.yaml');
  return parse(file!.content as string) as Record<string, unknown>;
}

function runbookCheck(doc: Record<string, unknown>) {
  const r = validateEntity(doc);
  if (!('entity' in r)) throw new Error(r.error);
  const entity: CatalogEntity = r.entity;
  return computeScorecard(entity, new CatalogIndex([entity]), { clusters: [] }, { now }).checks.find((c) => c.name === 'runbook-linked');
}

const withLinks = (doc: Record<string, unknown>, links: unknown[], annotations: Record<string, string> = {}) => {
  const metadata = doc.metadata as Record<string, unknown>;
  return { ...doc, metadata: { ...metadata, links, annotations: { ...(metadata.annotations as object), ...annotations } } };
};

describe('runbook-linked and the golden path placeholder', () => {
  it('fails a freshly generated service with a reason naming the placeholder', () => {
    const doc = generated();
    expect((doc.metadata as { links: { url: string }[] }).links[0].url).toBe('https://runbooks.placeholder.invalid/checkout');
    expect(runbookCheck(doc)).toMatchObject({
      passed: false,
      detail:
        "runbook https://runbooks.placeholder.invalid/checkout is still the golden path's placeholder (runbooks.placeholder.invalid): point it at the service's real runbook",
    });
  });

  it('passes once the link points at a real runbook, or a real annotation sits beside the placeholder link', () => {
    const doc = generated();
    expect(runbookCheck(withLinks(doc, [{ url: 'https://wiki.acme.io/runbooks/checkout', title: 'Runbook', type: 'runbook' }]))).toMatchObject({
      passed: true,
      detail: 'link https://wiki.acme.io/runbooks/checkout',
    });
    const placeholderLink = (doc.metadata as { links: unknown[] }).links;
    expect(runbookCheck(withLinks(doc, placeholderLink, { 'fleetops.io/runbook-url': 'https://wiki.acme.io/rb/checkout' }))).toMatchObject({
      passed: true,
      detail: 'annotation fleetops.io/runbook-url',
    });
  });

  it('fails a placeholder annotation too (another path on the placeholder host), and still says when there is no runbook at all', () => {
    const doc = generated();
    expect(runbookCheck(withLinks(doc, [], { 'fleetops.io/runbook-url': 'https://RUNBOOKS.placeholder.invalid./other' }))).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/still the golden path's placeholder/),
    });
    expect(runbookCheck(withLinks(doc, []))).toMatchObject({ passed: false, detail: 'no link of type runbook and no fleetops.io/runbook-url annotation' });
  });

  it('knows the placeholder by host, not by prefix', () => {
    expect(isPlaceholderRunbook('https://runbooks.placeholder.invalid/x')).toBe(true);
    expect(isPlaceholderRunbook('https://anything.invalid/x')).toBe(true);
    expect(isPlaceholderRunbook('https://runbooks.placeholder.invalid.acme.io/x')).toBe(false);
    expect(isPlaceholderRunbook('https://wiki.acme.io/runbooks.placeholder.invalid')).toBe(false);
    expect(isPlaceholderRunbook('not a url')).toBe(false);
  });
});
