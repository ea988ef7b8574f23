import { describe, expect, it } from 'vitest';
import { requestFromRcaEvent } from '../../../functions/core/healing/workflow.ts';

const event = (detail: Record<string, unknown>) => ({
  detail: {
    rcaId: 'rca-1',
    clusterId: 'c-1',
    cluster: 'dev',
    namespace: 'shop',
    service: 'frontend',
    severity: 'high',
    issueType: 'high_error_rate',
    ...detail,
  },
});

describe('a healing request from an RcaCompleted event', () => {
  it('heals the failing dependency the RCA names as top cause, not the caller that showed the symptom', () => {
    const request = requestFromRcaEvent(event({ topCause: { category: 'ErrorBurst', resource: 'deployment/payment-service', confidence: 0.8 } }));
    expect(request).toMatchObject({ service: 'payment-service', issueType: 'high_error_rate', severity: 'high', trigger: 'rca', requestedBy: 'rca:rca-1' });
  });

  it('keeps the RCA target when the top cause is a pod, a node or a malformed resource', () => {
    for (const resource of ['pod/frontend-abc', 'node/n1', 'deployment/../../etc', 'deployment/', 42]) {
      expect(requestFromRcaEvent(event({ topCause: { category: 'X', resource, confidence: 1 } }))?.service).toBe('frontend');
    }
    expect(requestFromRcaEvent(event({}))?.service).toBe('frontend');
  });

  it('refuses events without an issue type it knows', () => {
    expect(requestFromRcaEvent(event({ issueType: 'make_coffee' }))).toBeUndefined();
    expect(requestFromRcaEvent({})).toBeUndefined();
  });
});

describe('model proposes, rules dispose (the RcaCompleted healing block)', () => {
  it('acts on the rules target; a model proposal needs approval', () => {
    const ruled = requestFromRcaEvent(
      event({
        topCause: { category: 'X', resource: 'deployment/payments-api', confidence: 1 },
        healing: { target: 'frontend', topCause: { category: 'BadRollout', resource: 'deployment/frontend', confidence: 0.9 } },
      }),
    );
    expect(ruled).toMatchObject({ service: 'frontend', hints: { topCause: { resource: 'deployment/frontend' } } });
    expect(ruled?.proposal).toBeUndefined();
    const proposed = requestFromRcaEvent(
      event({ healing: { target: 'payments-api', proposal: 'a proposal, not a rules decision: the model named deployment payments-api' } }),
    );
    expect(proposed).toMatchObject({ service: 'payments-api', proposal: expect.stringMatching(/proposal/) });
  });

  it('an event without the rules block may name a dependency, but only as a proposal', () => {
    const request = requestFromRcaEvent(event({ topCause: { category: 'ErrorBurst', resource: 'deployment/payment-service', confidence: 0.8 } }));
    expect(request?.proposal).toMatch(/without the rules' decision/);
    expect(requestFromRcaEvent(event({}))?.proposal).toBeUndefined();
  });
});
