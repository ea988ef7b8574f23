import { describe, expect, it } from 'vitest';
import { symptomsSince } from '../../../functions/core/rca/start.ts';

const incident = (over: Partial<{ namespace: string; service: string; services: string[]; firstSeen: string; status: string }>) => ({
  namespace: 'shop',
  service: 'payment-service',
  firstSeen: '2026-12-01T12:00:00.000Z',
  status: 'open',
  ...over,
});

describe('symptomsSince (a manual RCA looks back to when the outage began)', () => {
  it('is the first seen of the open incidents that involve the service, as the cause or a joined caller', () => {
    const open = [
      incident({ service: 'payment-service', services: ['payment-service', 'frontend'], firstSeen: '2026-12-01T12:03:00.000Z' }),
      incident({ service: 'frontend', firstSeen: '2026-12-01T12:01:00.000Z' }),
      incident({ service: 'frontend', namespace: 'other', firstSeen: '2026-12-01T11:00:00.000Z' }),
      incident({ service: 'frontend', status: 'resolved', firstSeen: '2026-12-01T10:00:00.000Z' }),
    ];
    expect(symptomsSince(open, 'shop', 'frontend')).toBe('2026-12-01T12:01:00.000Z');
    expect(symptomsSince(open, 'shop', 'payment-service')).toBe('2026-12-01T12:03:00.000Z');
    expect(symptomsSince(open, 'shop', 'user-service')).toBeUndefined();
  });
});
