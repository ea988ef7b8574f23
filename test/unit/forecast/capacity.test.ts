import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { capacityRecommendations } from '../../../functions/core/forecast/capacity.ts';
import { ValidationError } from '../../../functions/core/errors.ts';

const h = (...values: number[]) => values.map((value, i) => ({ ts: i, value }));
const f = (...yhat: number[]) => yhat.map((y) => ({ yhat: y }));

describe('capacityRecommendations', () => {
  it('applies ceil(peak / 50) and 0.8 × peak', () => {
    expect(capacityRecommendations(h(100, 200), f(260))).toEqual({
      peak_cpu: 260,
      avg_cpu: 186.67,
      recommended_replicas: 6,
      scale_up_threshold: 208,
    });
  });

  it('clamps replicas at 2 for a quiet service (and for negative noise)', () => {
    expect(capacityRecommendations(h(5, 10), f(30)).recommended_replicas).toBe(2);
    expect(capacityRecommendations(h(-1, -2)).recommended_replicas).toBe(2);
    expect(capacityRecommendations(h(50)).recommended_replicas).toBe(2); // exactly 1 × 50 → clamp to 2
  });

  it('clamps replicas at 10 for a hot service', () => {
    expect(capacityRecommendations(h(10), f(900)).recommended_replicas).toBe(10);
    expect(capacityRecommendations(h(500)).recommended_replicas).toBe(10);
    expect(capacityRecommendations(h(450.01)).recommended_replicas).toBe(10);
    expect(capacityRecommendations(h(449.99)).recommended_replicas).toBe(9);
  });

  it('takes the peak over history and forecast together', () => {
    expect(capacityRecommendations(h(300), f(120)).peak_cpu).toBe(300);
    expect(capacityRecommendations(h(120), f(300)).peak_cpu).toBe(300);
  });

  it('works from a forecast alone and ignores non-finite values', () => {
    expect(capacityRecommendations([], f(101, Number.NaN)).recommended_replicas).toBe(3);
  });

  it('rejects no data with ValidationError', () => {
    expect(() => capacityRecommendations([], [])).toThrow(ValidationError);
  });

  it('honours options', () => {
    const r = capacityRecommendations(h(100), [], { targetPercentPerReplica: 20, maxReplicas: 4, scaleUpFraction: 0.5 });
    expect(r).toMatchObject({ recommended_replicas: 4, scale_up_threshold: 50 });
  });

  it('always stays within [2, 10] with threshold = 0.8 × peak ≥ avg × 0.8', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 2000, noNaN: true }), { minLength: 1, maxLength: 50 }), (vals) => {
        const r = capacityRecommendations(h(...vals));
        expect(r.recommended_replicas).toBeGreaterThanOrEqual(2);
        expect(r.recommended_replicas).toBeLessThanOrEqual(10);
        expect(Number.isInteger(r.recommended_replicas)).toBe(true);
        expect(r.scale_up_threshold).toBeCloseTo(0.8 * r.peak_cpu, 1);
        expect(r.peak_cpu).toBeGreaterThanOrEqual(r.avg_cpu - 0.01);
      }),
    );
  });
});
