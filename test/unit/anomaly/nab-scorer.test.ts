import { describe, expect, it } from 'vitest';
import { NAB_PROFILES, parseNabTime, probationaryLength, scaledSigmoid, scoreNab } from '../../../bench/support/nab-scorer.ts';
import type { NabFile } from '../../../bench/support/nab-scorer.ts';

// 1000 rows, probationary = 150; windows [400, 499] and [700, 749]
const N = 1000;
const times = Array.from({ length: N }, (_, i) => i);
const windows: Array<[number, number]> = [
  [400, 499],
  [700, 749],
];
function file(detections: number[], extra: Partial<NabFile> = {}): NabFile {
  const scores = new Float64Array(N);
  for (const d of detections) scores[d] = 1;
  return { name: 'f', times, scores, windows, ...extra };
}

describe('NAB scorer', () => {
  it('sigma and probationary length follow NAB', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationaryLength(1000)).toBe(150);
    expect(probationaryLength(10000)).toBe(750);
    expect(parseNabTime('2014-04-10 07:15:00.000000')).toBe(parseNabTime('2014-04-10 07:15:00'));
  });

  it('perfect detector scores 100 and null detector 0', () => {
    expect(scoreNab([file([400, 700])]).normalized).toBeCloseTo(100, 10);
    expect(scoreNab([file([])]).normalized).toBeCloseTo(0, 10);
    // constant scores: the best threshold is "detect nothing" or "detect everything", never above 100
    const all = scoreNab([{ name: 'c', times, scores: new Float64Array(N).fill(0.5), windows }]);
    expect(all.normalized).toBeLessThanOrEqual(100);
  });

  it('one false positive before any window costs fp; the threshold sweep may drop it', () => {
    const r = scoreNab([file([400, 700, 300])]);
    // the FP has the same score as the detections: the whole set is either in or out
    expect(r.score).toBeCloseTo(2 - 0.11, 10);
    expect(r.normalized).toBeCloseTo((100 * (2 - 0.11 + 2)) / 4, 10);
    expect(r.falsePositives).toBe(1);
    // detections in the probationary period are ignored
    expect(scoreNab([file([400, 700, 100])]).score).toBeCloseTo(2, 10);
  });

  it('a FP right after a window is cheap and decays to -fp', () => {
    // just after window 1 (width 100): d = 1/99
    const near = scoreNab([file([400, 700, 500])]).score - 2;
    expect(near).toBeCloseTo(0.11 * scaledSigmoid(1 / 99), 10);
    expect(near).toBeGreaterThan(-0.11 * 0.2);
    const far = scoreNab([file([400, 700, 650])]).score - 2;
    expect(far).toBeCloseTo(0.11 * scaledSigmoid(151 / 99), 10);
  });

  it('only the earliest detection in a window counts, weighted by position', () => {
    const mid = scoreNab([file([450, 460, 700])]);
    const pos = -(499 - 450 + 1) / 100;
    expect(mid.score).toBeCloseTo(scaledSigmoid(pos) / scaledSigmoid(-1) + 1, 10);
    // missing a window costs fn = 1
    expect(scoreNab([file([400])]).score).toBeCloseTo(0, 10);
    expect(scoreNab([file([400])], NAB_PROFILES.reward_low_FN_rate).score).toBeCloseTo(1 - 2, 10);
  });

  it('chooses the best global threshold over distinct scores', () => {
    const scores = new Float64Array(N);
    scores[400] = 0.9;
    scores[700] = 0.8;
    scores[300] = 0.5; // FP below both detections: the optimum excludes it
    const r = scoreNab([{ name: 'f', times, scores, windows }]);
    expect(r.threshold).toBe(0.8);
    expect(r.score).toBeCloseTo(2, 10);
    expect(r.normalized).toBeCloseTo(100, 10);
  });
});
