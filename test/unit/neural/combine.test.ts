import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { combineScores, forestTo01 } from '../../../functions/core/neural/combine.ts';

describe('combineScores', () => {
  it('maps the forest score onto 0..1 around the −0.5 threshold', () => {
    expect(forestTo01(-0.2)).toBe(0);
    expect(forestTo01(-0.5)).toBeCloseTo(0.5, 12);
    expect(forestTo01(-0.8)).toBeCloseTo(1, 12);
    expect(forestTo01(-0.05)).toBe(0);
    expect(forestTo01(-1)).toBe(1);
  });

  it('uses the seed severity thresholds on the forest score', () => {
    expect(combineScores(-0.85, 0).severity).toBe('critical');
    expect(combineScores(-0.7, 0).severity).toBe('high');
    expect(combineScores(-0.55, 0).severity).toBe('medium');
    expect(combineScores(-0.45, 0).severity).toBe('medium');
    expect(combineScores(-0.3, 0).severity).toBe('low');
  });

  it('keeps the seed anomaly rule: forest < −0.5 is an anomaly whatever the autoencoder says', () => {
    expect(combineScores(-0.51, 0)).toMatchObject({ anomaly: true, severity: 'medium' });
    expect(combineScores(-0.49, 0).anomaly).toBe(false);
  });

  it('lets a confident autoencoder promote a borderline forest score', () => {
    const r = combineScores(-0.46, 1);
    expect(r.score).toBeGreaterThanOrEqual(0.65);
    expect(r.anomaly).toBe(true);
    expect(combineScores(-0.3, 1)).toMatchObject({ anomaly: false, severity: 'low' });
  });

  it('never reports a low-severity anomaly', () => {
    const r = combineScores(-0.39, 1, { combinedThreshold: 0.5 });
    expect(r).toMatchObject({ anomaly: true, severity: 'medium' });
  });

  it('combined score is 0.6·forest01 + 0.4·ae, within [0, 1] and monotone in both inputs', () => {
    expect(combineScores(-0.5, 0.5).score).toBeCloseTo(0.5, 4);
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (f, a, d) => {
          const base = combineScores(f, a).score;
          expect(base).toBeGreaterThanOrEqual(0);
          expect(base).toBeLessThanOrEqual(1);
          expect(combineScores(f - d, a).score).toBeGreaterThanOrEqual(base);
          expect(combineScores(f, Math.min(1, a + d)).score).toBeGreaterThanOrEqual(base);
        },
      ),
    );
  });

  it('treats NaN inputs as no evidence', () => {
    expect(combineScores(Number.NaN, Number.NaN)).toMatchObject({ score: 0, anomaly: false });
  });
});
