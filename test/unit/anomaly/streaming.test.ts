import { describe, expect, it } from 'vitest';
import { StreamingAnomalyDetector, scoreSeries } from '../../../functions/core/anomaly/streaming/detector.ts';
import { KnnNovelty } from '../../../functions/core/anomaly/streaming/knn-novelty.ts';
import { SlidingSorted } from '../../../functions/core/anomaly/streaming/ring.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';

function noisySine(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 96) + 2 * (rng.nextFloat() - 0.5);
  return out;
}

describe('streaming detector', () => {
  it('is causal: appending future points never changes earlier scores', () => {
    const x = noisySine(1500, 1);
    x[900] += 40;
    const prefix = scoreSeries(x.subarray(0, 1000));
    const full = scoreSeries(x);
    expect(Array.from(full.subarray(0, 1000))).toEqual(Array.from(prefix));
    // and a different future does not matter either
    const y = Float64Array.from(x);
    for (let i = 1000; i < 1500; i++) y[i] = -1e6 * Math.random();
    expect(Array.from(scoreSeries(y).subarray(0, 1000))).toEqual(Array.from(prefix));
  });

  it('scores a spike far above the background noise', () => {
    const x = noisySine(2000, 2);
    x[1500] += 30;
    const s = scoreSeries(x);
    let maxNoise = 0;
    for (let i = 400; i < 1500; i++) maxNoise = Math.max(maxNoise, s[i]);
    expect(s[1500]).toBeGreaterThan(0.8);
    expect(s[1500]).toBeGreaterThan(maxNoise + 0.2);
  });

  it('flags a level shift and a flat-lined signal', () => {
    const shift = noisySine(2000, 3);
    for (let i = 1400; i < 2000; i++) shift[i] += 25;
    const s1 = scoreSeries(shift);
    expect(Math.max(...s1.subarray(1400, 1420))).toBeGreaterThan(0.7);
    const flat = noisySine(2000, 4);
    for (let i = 1400; i < 2000; i++) flat[i] = 50;
    const s2 = scoreSeries(flat);
    let before = 0;
    for (let i = 400; i < 1400; i++) before = Math.max(before, s2[i]);
    expect(Math.max(...s2.subarray(1400, 1500))).toBeGreaterThan(before);
  });

  it('always returns scores in [0, 1], 0 during warm-up, and ignores non-finite input', () => {
    const rng = new Rng(5);
    const det = new StreamingAnomalyDetector();
    for (let i = 0; i < 3000; i++) {
      const r = rng.nextFloat();
      const v = r < 0.01 ? 1e12 * (rng.nextFloat() - 0.5) : r < 0.02 ? NaN : r < 0.5 ? 0 : rng.nextFloat();
      const s = det.update(v);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      if (i < 150) expect(s).toBe(0);
    }
    for (const s of scoreSeries(new Float64Array(500).fill(7))) expect(s).toBe(0);
  });
});

describe('KnnNovelty', () => {
  it('matches a brute-force nearest-neighbour distance', () => {
    const rng = new Rng(9);
    const L = 5;
    const maxLag = 40;
    const knn = new KnnNovelty(L, maxLag);
    const xs: number[] = [];
    for (let t = 0; t < 300; t++) {
      const x = Math.round(10 * rng.nextFloat());
      xs.push(x);
      const got = knn.update(x);
      let best = Infinity;
      for (let lag = L; lag <= Math.min(maxLag, t - L + 1); lag++) {
        let d = 0;
        for (let k = 0; k < L; k++) d += (xs[t - k] - xs[t - k - lag]) ** 2;
        best = Math.min(best, d);
      }
      if (best === Infinity) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(Math.sqrt(best / L), 9);
    }
  });
});

describe('SlidingSorted', () => {
  it('tracks the k-th largest of the last w values', () => {
    const rng = new Rng(1);
    const m = new SlidingSorted(7);
    const xs: number[] = [];
    expect(m.kthLargest(1)).toBe(-Infinity);
    for (let i = 0; i < 200; i++) {
      const x = Math.round(rng.nextFloat() * 20);
      xs.push(x);
      m.push(x);
      const last = xs.slice(-7).sort((a, b) => b - a);
      expect(m.kthLargest(1)).toBe(last[0]);
      expect(m.kthLargest(3)).toBe(last[Math.min(2, last.length - 1)]);
    }
  });
});
