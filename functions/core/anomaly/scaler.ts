/** Column-wise standardisation (sklearn `StandardScaler`: population std, a zero std becomes 1). */
import type { Matrix } from './matrix.ts';

export interface StandardScalerJSON {
  kind: 'fleetops.standard-scaler';
  version: 1;
  mean: number[];
  scale: number[];
}

export class StandardScaler {
  mean: Float64Array = new Float64Array(0);
  scale: Float64Array = new Float64Array(0);

  fit(X: Matrix): this {
    const { data, rows: n, cols: d } = X;
    if (n < 1) throw new RangeError('StandardScaler.fit needs at least one row');
    const mean = new Float64Array(d);
    const m2 = new Float64Array(d);
    // Welford per column: numerically stable in one pass
    for (let r = 0; r < n; r++) {
      const base = r * d;
      const inv = 1 / (r + 1);
      for (let j = 0; j < d; j++) {
        const x = data[base + j];
        const delta = x - mean[j];
        mean[j] += delta * inv;
        m2[j] += delta * (x - mean[j]);
      }
    }
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const sd = Math.sqrt(m2[j] / n);
      scale[j] = sd > 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? sd : 1;
    }
    this.mean = mean;
    this.scale = scale;
    return this;
  }

  /** Returns a standardised copy, or standardises in place when `inPlace`. */
  transform(X: Matrix, inPlace = false): Matrix {
    const { rows: n, cols: d } = X;
    if (d !== this.mean.length) throw new RangeError(`expected ${this.mean.length} columns, got ${d}`);
    const out = inPlace ? X.data : new Float64Array(n * d);
    const src = X.data;
    const mean = this.mean;
    const scale = this.scale;
    for (let r = 0, base = 0; r < n; r++, base += d) {
      for (let j = 0; j < d; j++) out[base + j] = (src[base + j] - mean[j]) / scale[j];
    }
    return { data: out, rows: n, cols: d };
  }

  /** Standardises one row into `out` (no allocation). */
  transformRow(row: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let j = 0; j < this.mean.length; j++) out[j] = (row[j] - this.mean[j]) / this.scale[j];
    return out;
  }

  toJSON(): StandardScalerJSON {
    return { kind: 'fleetops.standard-scaler', version: 1, mean: Array.from(this.mean), scale: Array.from(this.scale) };
  }

  static fromJSON(json: StandardScalerJSON): StandardScaler {
    if (!json || json.kind !== 'fleetops.standard-scaler') throw new Error('not a standard-scaler');
    if (json.mean.length !== json.scale.length) throw new Error('corrupt scaler: mean and scale differ in length');
    const s = new StandardScaler();
    s.mean = Float64Array.from(json.mean);
    s.scale = Float64Array.from(json.scale);
    return s;
  }
}
