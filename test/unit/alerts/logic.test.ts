import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dedupFingerprint, fingerprintOf, incidentKey } from '../../../functions/core/alerts/fingerprint.ts';
import { decideFiring, incidentIdFor, isExpired, windowStart, DEFAULT_DEDUP_CONFIG, type DedupState } from '../../../functions/core/alerts/dedup.ts';
import { canAcknowledge, eventFor, raisedSeverity, shouldResolve } from '../../../functions/core/alerts/incident-lifecycle.ts';
import { findCorrelatedIncident, groupBatch, relatedServices, DEFAULT_GROUPING_CONFIG } from '../../../functions/core/alerts/grouping.ts';
import { cosineSimilarity, groupBySimilarity, tokenize } from '../../../functions/core/alerts/similarity.ts';
import { environmentOf, isNotifiable, ruleImportance, blastRadius, type ImportanceInput } from '../../../functions/core/alerts/importance.ts';
import { route, DEFAULT_ROUTING_CONFIG } from '../../../functions/core/alerts/routing.ts';
import { matcherMatches, parseMatcher, silencedBy, type Silence } from '../../../functions/core/alerts/silences.ts';
import { mapSeverity } from '../../../functions/core/alerts/severity.ts';
import type { Incident } from '../../../functions/core/alerts/types.ts';
import { alert } from '../../integration/alerts/helpers.ts';

const now = new Date('2026-11-27T01:00:00.000Z');
const sec = (d: Date) => Math.floor(d.getTime() / 1000);

describe('fingerprint', () => {
  it('is stable under label order and ignores labels outside the set', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })), (extra) => {
        const a = { cluster: 'c', namespace: 'n', service: 's', type: 't', labels: extra };
        const reversed = { ...a, labels: Object.fromEntries(Object.entries(extra).reverse()) };
        expect(dedupFingerprint(a)).toBe(dedupFingerprint(reversed));
        expect(dedupFingerprint(a)).toBe(dedupFingerprint({ ...a, labels: {} }));
      }),
    );
  });

  it('separates types but not for the incident key, and honours custom label sets', () => {
    const a = { cluster: 'c', namespace: 'n', service: 's', type: 'HighCPU', labels: { pod: 'p1' } };
    const b = { ...a, type: 'HighLatency', labels: { pod: 'p2' } };
    expect(dedupFingerprint(a)).not.toBe(dedupFingerprint(b));
    expect(incidentKey(a)).toBe(incidentKey(b));
    expect(dedupFingerprint(a, ['cluster', 'pod'])).not.toBe(dedupFingerprint(b, ['cluster', 'pod']));
    expect(fingerprintOf({ x: 'a|b' }, ['x', 'y'])).not.toBe(fingerprintOf({ x: 'a', y: 'b' }, ['x', 'y']));
  });
});

describe('dedup decisions', () => {
  const state = (over: Partial<DedupState>): DedupState => ({
    key: 'k',
    incidentId: 'inc-1',
    status: 'firing',
    alertCount: 1,
    firstSeen: '',
    lastSeen: '',
    expiresAt: sec(now) + 60,
    ...over,
  });

  it('joins live firing state, reopens resolved state within the window, opens otherwise', () => {
    expect(decideFiring(undefined, now)).toEqual({ kind: 'open' });
    expect(decideFiring(state({}), now)).toEqual({ kind: 'join', incidentId: 'inc-1' });
    expect(decideFiring(state({ status: 'resolved' }), now)).toEqual({ kind: 'reopen', incidentId: 'inc-1' });
    expect(decideFiring(state({ expiresAt: sec(now) - 1 }), now)).toEqual({ kind: 'open' });
    expect(decideFiring(state({ status: 'resolved', expiresAt: sec(now) - 1 }), now)).toEqual({ kind: 'open' });
    expect(isExpired({ expiresAt: sec(now) }, now)).toBe(false);
  });

  it('derives deterministic incident ids from key and window start', () => {
    const start = windowStart(['2026-11-27T00:59:00.000Z', '2026-11-27T00:58:00.000Z'], now, DEFAULT_DEDUP_CONFIG);
    expect(start).toBe('2026-11-27T00:58:00.000Z');
    expect(windowStart(['2020-01-01T00:00:00Z'], now, DEFAULT_DEDUP_CONFIG)).toBe(now.toISOString());
    expect(windowStart(['2030-01-01T00:00:00Z'], now, DEFAULT_DEDUP_CONFIG)).toBe(now.toISOString());
    expect(incidentIdFor('k', start)).toBe(incidentIdFor('k', start));
    expect(incidentIdFor('k', start)).not.toBe(incidentIdFor('k2', start));
  });
});

describe('incident lifecycle', () => {
  it('acks only open incidents, resolves when nothing fires, never lowers severity', () => {
    expect(canAcknowledge('open')).toBe(true);
    expect(canAcknowledge('acknowledged')).toBe(false);
    expect(canAcknowledge('resolved')).toBe(false);
    expect(shouldResolve({ status: 'open', firingAlertIds: [] })).toBe(true);
    expect(shouldResolve({ status: 'acknowledged' })).toBe(true);
    expect(shouldResolve({ status: 'open', firingAlertIds: ['a'] })).toBe(false);
    expect(shouldResolve({ status: 'resolved' })).toBe(false);
    expect(raisedSeverity('medium', 'critical')).toBe('critical');
    expect(raisedSeverity('critical', 'low')).toBeUndefined();
    expect(eventFor('reopened')).toBe('IncidentOpened');
    expect(eventFor('resolved')).toBe('IncidentResolved');
    expect(eventFor('acknowledged')).toBeUndefined();
  });
});

describe('grouping', () => {
  it('puts the pods of one service in one group, split by status', () => {
    const pods = ['a', 'b', 'c'].map((p) => alert({ cluster: 'c', service: 'web', alertId: p }));
    const other = alert({ cluster: 'c', service: 'api' });
    const resolved = { ...pods[0], status: 'resolved' as const };
    const groups = groupBatch([...pods, other, resolved]);
    expect(groups.map((g) => [g.alerts.length, g.status])).toEqual([
      [3, 'firing'],
      [1, 'firing'],
      [1, 'resolved'],
    ]);
  });

  const incident = (over: Partial<Incident>): Incident => ({
    id: 'i1',
    cluster: 'c',
    namespace: 'shop',
    service: 'cart',
    type: 'HighErrorRate',
    severity: 'high',
    status: 'open',
    alertCount: 1,
    firstSeen: now.toISOString(),
    lastSeen: now.toISOString(),
    title: 'cart 5xx ratio above 20%',
    ...over,
  });

  it('joins dependency neighbours within the window, in the same cluster only', () => {
    const graph = { frontend: ['cart', 'search'], cart: ['redis'] };
    expect([...relatedServices('cart', graph)].sort()).toEqual(['frontend', 'redis']);
    expect([...relatedServices('redis', graph, 2)].sort()).toEqual(['cart', 'frontend']);
    const config = { ...DEFAULT_GROUPING_CONFIG, dependencies: graph };
    const fe = { cluster: 'c', service: 'frontend', type: 'HighLatency', message: 'slow' };
    expect(findCorrelatedIncident(fe, [incident({})], now, config)?.id).toBe('i1');
    expect(findCorrelatedIncident({ ...fe, cluster: 'other' }, [incident({})], now, config)).toBeUndefined();
    const old = incident({ lastSeen: new Date(now.getTime() - 3600_000).toISOString() });
    expect(findCorrelatedIncident(fe, [old], now, config)).toBeUndefined();
    expect(findCorrelatedIncident(fe, [incident({ status: 'resolved' })], now, config)).toBeUndefined();
    expect(findCorrelatedIncident(fe, [incident({})], now, DEFAULT_GROUPING_CONFIG)).toBeUndefined();
  });

  it('joins near-duplicate texts when a similarity threshold is set', () => {
    const config = { ...DEFAULT_GROUPING_CONFIG, similarityThreshold: 0.8 };
    const candidate = incident({ service: 'orders', type: 'DBConnection', title: 'connection refused to postgres-7f9c8d at 10.0.3.17:5432' });
    const near = { cluster: 'c', service: 'billing', type: 'DBConnection', message: 'connection refused to postgres-2b4a1e at 10.0.9.2:5432' };
    const far = { cluster: 'c', service: 'billing', type: 'HighCPU', message: 'CPU throttling above 80%' };
    expect(findCorrelatedIncident(near, [candidate], now, config)?.id).toBe('i1');
    expect(findCorrelatedIncident(far, [candidate], now, config)).toBeUndefined();
  });
});

describe('similarity', () => {
  it('ignores volatile ids and numbers', () => {
    expect(tokenize('pod web-7d9f8b6c5-x2k4q restarted 5 times')).toEqual(tokenize('pod web-5c6d7e8f9-p9q8r restarted 7 times'));
    expect(cosineSimilarity('pod web-7d9f8b6c5-x2k4q restarted 5 times', 'pod web-5c6d7e8f9-p9q8r restarted 7 times')).toBeCloseTo(1);
    expect(cosineSimilarity('disk full on node', 'certificate expires soon')).toBe(0);
    expect(cosineSimilarity('', 'x y')).toBe(0);
  });

  it('is symmetric and bounded', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const s = cosineSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1 + 1e-9);
        expect(s).toBeCloseTo(cosineSimilarity(b, a), 9);
      }),
    );
  });

  it('clusters near-duplicates with a threshold', () => {
    const texts = [
      'OOMKilled container api in pod api-6f7d8-abcde',
      'OOMKilled container api in pod api-9a8b7-fghij',
      'ImagePullBackOff for image registry/web:1.2.3',
      'ImagePullBackOff for image registry/web:1.2.4',
      'Node ip-10-0-1-5 NotReady',
    ];
    const groups = groupBySimilarity(texts, 0.8);
    expect(groups[0]).toBe(groups[1]);
    expect(groups[2]).toBe(groups[3]);
    expect(new Set(groups).size).toBe(3);
  });
});

describe('importance', () => {
  const input = (over: Partial<ImportanceInput>): ImportanceInput => ({
    fingerprint: 'f',
    cluster: 'prod',
    namespace: 'n',
    service: 's',
    type: 't',
    severity: 'high',
    message: 'm',
    environment: 'prod',
    instances: 1,
    services: 1,
    ...over,
  });

  it('orders by severity, environment and blast radius, within 0..1', () => {
    expect(ruleImportance(input({ severity: 'critical' }))).toBeGreaterThan(ruleImportance(input({ severity: 'high' })));
    expect(ruleImportance(input({ environment: 'prod' }))).toBeGreaterThan(ruleImportance(input({ environment: 'staging' })));
    expect(ruleImportance(input({ environment: 'staging' }))).toBeGreaterThan(ruleImportance(input({ environment: 'dev' })));
    expect(ruleImportance(input({ instances: 10 }))).toBeGreaterThan(ruleImportance(input({ instances: 1 })));
    expect(ruleImportance(input({ severity: 'critical', instances: 1000, services: 20 }))).toBeLessThanOrEqual(1);
    expect(blastRadius(1, 1)).toBe(0);
    expect(blastRadius(5, 1)).toBe(0.5);
  });

  it('leaves low-severity dev noise below the notify threshold', () => {
    expect(isNotifiable(ruleImportance(input({ severity: 'low', environment: 'dev' })))).toBe(false);
    expect(isNotifiable(ruleImportance(input({ severity: 'critical', environment: 'dev' })))).toBe(true);
    expect(isNotifiable(ruleImportance(input({ severity: 'low', environment: 'dev' })), { ...defaultConfig(), notifyThreshold: 0 })).toBe(true);
  });

  it('infers the environment from labels and names', () => {
    expect(environmentOf({ cluster: 'eks-prod-eu', labels: {} })).toBe('prod');
    expect(environmentOf({ cluster: 'x', labels: { env: 'staging' } })).toBe('staging');
    expect(environmentOf({ cluster: 'dev', labels: {} })).toBe('dev');
    expect(environmentOf({ cluster: 'product', labels: {} })).toBe('unknown');
    expect(environmentOf({ cluster: 'x', labels: {} }, { x: 'prod' })).toBe('prod');
  });
});

function defaultConfig() {
  return { notifyThreshold: 0.3, weights: { severity: 0.6, environment: 0.25, blastRadius: 0.15 } };
}

describe('routing', () => {
  it('follows the seed rules', () => {
    expect(route({ severity: 'critical', service: 's' })).toEqual({
      targets: [{ notifier: 'pagerduty' }, { notifier: 'slack' }, { notifier: 'email' }],
      escalateAfterSeconds: 900,
    });
    expect(route({ severity: 'high', service: 's' })).toEqual({ targets: [{ notifier: 'slack' }, { notifier: 'email' }], escalateAfterSeconds: 1800 });
    expect(route({ severity: 'medium', service: 's' })).toEqual({ targets: [{ notifier: 'slack' }] });
    expect(route({ severity: 'low', service: 's' })).toEqual({ targets: [{ notifier: 'email' }] });
  });

  it('sends Slack to the owner channel', () => {
    const config = {
      ...DEFAULT_ROUTING_CONFIG,
      ownerChannels: { payments: '#pay-oncall' },
      serviceOwners: { ledger: 'payments' },
      defaultSlackChannel: '#alerts',
    };
    expect(route({ severity: 'medium', service: 'ledger' }, config).targets).toEqual([{ notifier: 'slack', channel: '#pay-oncall' }]);
    expect(route({ severity: 'medium', service: 'x', labels: { team: 'payments' } }, config).targets[0].channel).toBe('#pay-oncall');
    expect(route({ severity: 'medium', service: 'x' }, config).targets[0].channel).toBe('#alerts');
  });
});

describe('silences', () => {
  it('parses and matches =, !=, =~, !~ like Alertmanager (anchored regex, missing label = "")', () => {
    const labels = { service: 'payments-api', env: 'prod' };
    expect(matcherMatches(parseMatcher('service="payments-api"'), labels)).toBe(true);
    expect(matcherMatches(parseMatcher('service!="payments-api"'), labels)).toBe(false);
    expect(matcherMatches(parseMatcher('service=~"pay.*"'), labels)).toBe(true);
    expect(matcherMatches(parseMatcher('service=~"ments"'), labels)).toBe(false);
    expect(matcherMatches(parseMatcher('service!~"search.*"'), labels)).toBe(true);
    expect(matcherMatches(parseMatcher('team=""'), labels)).toBe(true);
    expect(matcherMatches(parseMatcher('env=prod'), labels)).toBe(true);
    expect(() => parseMatcher('not a matcher')).toThrow();
  });

  it('applies only between start and end, with all matchers', () => {
    const s: Silence = {
      id: 's1',
      createdBy: 'me',
      comment: '',
      matchers: [parseMatcher('cluster="prod"'), parseMatcher('service=~"pay.*"')],
      startsAt: '2026-11-27T00:00:00Z',
      endsAt: '2026-11-27T02:00:00Z',
    };
    expect(silencedBy({ cluster: 'prod', service: 'payments' }, [s], now)?.id).toBe('s1');
    expect(silencedBy({ cluster: 'dev', service: 'payments' }, [s], now)).toBeUndefined();
    expect(silencedBy({ cluster: 'prod', service: 'payments' }, [s], new Date('2026-11-27T02:00:00Z'))).toBeUndefined();
    expect(silencedBy({ cluster: 'prod', service: 'payments' }, [s], new Date('2026-11-26T23:59:59Z'))).toBeUndefined();
  });
});

describe('severity words', () => {
  it('maps the vocabularies of several sources', () => {
    expect(['page', 'critical', 'P1'].map((w) => mapSeverity(w))).toEqual(['critical', 'critical', 'critical']);
    expect(['error', 'warning', 'info'].map((w) => mapSeverity(w))).toEqual(['high', 'medium', 'low']);
    expect(mapSeverity('weird', 'high')).toBe('high');
    expect(mapSeverity(undefined)).toBe('medium');
  });
});

describe('incident notifications carry their Slack buttons', () => {
  it('an opened incident offers acknowledge, RCA and silence; a resolved one offers none', async () => {
    const { notificationFor } = await import('../../../functions/core/alerts/messages.ts');
    const { slackMessage } = await import('../../../functions/adapters/notify/slack-blocks.ts');
    const incident = {
      id: 'inc-1',
      cluster: 'dev',
      namespace: 'shop',
      service: 'payment-service',
      type: 'AnomalyDetected',
      severity: 'high',
      status: 'open',
      alertCount: 1,
      firstSeen: 'x',
      lastSeen: 'x',
    } as never;
    const opened = slackMessage(notificationFor(incident, 'opened', 'https://fleetops.example'));
    const actions = opened.blocks.find((b: any) => b.type === 'actions') as any;
    expect(actions.elements.map((e: any) => e.action_id)).toEqual(['incident_ack', 'incident_rca', 'incident_silence_1h', 'open_incident']);
    expect(actions.elements[0].value).toBe('inc-1');
    const resolved = slackMessage(notificationFor(incident, 'resolved'));
    expect(resolved.blocks.some((b: any) => b.type === 'actions')).toBe(false);
  });
});
