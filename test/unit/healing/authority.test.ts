import { describe, expect, it } from 'vitest';
import { failingWorkloads, healingAuthority, rcaCompletedEvent } from '../../../functions/core/rca/complete.ts';
import { maxSeverity, openIncidentFor } from '../../../functions/core/healing/safety.ts';
import { deploymentEvidence, rcaEvidence, rcaReport as report } from '../../support/healing-fixtures.ts';

/** frontend fails; payments-api is healthy. */
const evidence = () => rcaEvidence(deploymentEvidence('frontend', '4', 1), deploymentEvidence('payments-api', '7', 2));

describe('healing authority from the rules over the evidence', () => {
  it('failing workloads: the service, the rules causes, and what the evidence shows failing; never a healthy deployment', () => {
    expect(failingWorkloads(evidence(), report('rules', 'deployment/frontend'))).toEqual(['frontend']);
  });

  it('a model naming a healthy deployment gets a proposal; its issue type never replaces the rules one', () => {
    const rules = report('rules', 'deployment/frontend', 'bad_deploy');
    const model = report('bedrock', 'deployment/payments-api', 'bad_deploy');
    const a = healingAuthority(evidence(), model, rules);
    expect(a.healing).toMatchObject({ target: 'payments-api', proposal: expect.stringMatching(/payments-api, which the evidence does not show failing/) });
    const typed = healingAuthority(evidence(), report('bedrock', 'deployment/frontend', 'high_cpu'), rules);
    expect(typed.issueType).toBe('bad_deploy');
    expect(typed.healing.proposal).toBeUndefined();
    const onlyModel = healingAuthority(evidence(), report('bedrock', 'deployment/frontend', 'high_cpu'), report('rules', 'deployment/frontend'));
    expect(onlyModel).toMatchObject({ issueType: 'high_cpu', healing: { proposal: expect.stringMatching(/the model's; the rules found none/) } });
  });

  it('the event carries the rules decision', () => {
    const detail = rcaCompletedEvent(
      evidence(),
      report('bedrock', 'deployment/payments-api', 'bad_deploy'),
      report('rules', 'deployment/frontend', 'bad_deploy'),
    ).detail as Record<string, any>;
    expect(detail.issueType).toBe('bad_deploy');
    expect(detail.topCause.resource).toBe('deployment/payments-api');
    expect(detail.healing.target).toBe('payments-api');
    expect(detail.healing.topCause.resource).toBe('deployment/frontend');
    expect(detail.healing.proposal).toMatch(/proposal/);
  });
});

describe('the severity floor', () => {
  it('takes the most severe unresolved incident involving the service', () => {
    const incidents = [
      { id: 'i1', namespace: 'shop', service: 'frontend', severity: 'medium', status: 'open' },
      { id: 'i2', namespace: 'shop', service: 'checkout', services: ['checkout', 'frontend'], severity: 'critical', status: 'acknowledged' },
      { id: 'i3', namespace: 'shop', service: 'frontend', severity: 'critical', status: 'resolved' },
      { id: 'i4', namespace: 'other', service: 'frontend', severity: 'critical', status: 'open' },
    ];
    expect(openIncidentFor(incidents, { namespace: 'shop', service: 'frontend' })).toEqual({ id: 'i2', severity: 'critical' });
    expect(openIncidentFor(incidents, { namespace: 'shop', service: 'cart' })).toBeUndefined();
    expect(maxSeverity('low', 'critical')).toBe('critical');
    expect(maxSeverity('high', 'medium')).toBe('high');
    expect(maxSeverity('high', undefined)).toBe('high');
  });
});
