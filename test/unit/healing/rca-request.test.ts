import { describe, expect, it } from 'vitest';
import { requestFromRcaEvent } from '../../../functions/core/healing/workflow.ts';

const event = (detail: Record<string, unknown>) => ({
  detail: { rcaId: 'rca-1', clusterId: 'c-1', cluster: 'dev', namespace: 'shop', service: 'frontend', severity: 'high', issueType: 'high_error_rate', ...detail },
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
