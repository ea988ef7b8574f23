/** Fixed-capacity ring buffer of numbers (oldest overwritten). */
export class Ring {
  readonly capacity: number;
  readonly buf: Float64Array;
  private head = 0;
  size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buf = new Float64Array(capacity);
  }

  push(x: number): void {
    this.buf[this.head] = x;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** k-th most recent value (0 = newest). */
  back(k: number): number {
    let i = this.head - 1 - k;
    if (i < 0) i += this.capacity;
    return this.buf[i];
  }
}

/**
 * Sliding window kept sorted (insertion by binary search, O(window) memmove per push) for the k-th largest
 * of the last `window` values.
 */
export class SlidingSorted {
  private readonly sorted: Float64Array;
  private readonly ring: Ring;
  private n = 0;

  constructor(window: number) {
    this.sorted = new Float64Array(window);
    this.ring = new Ring(window);
  }

  get size(): number {
    return this.n;
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  push(x: number): void {
    const s = this.sorted;
    if (this.n === this.ring.capacity) {
      // remove the oldest value
      const old = this.ring.back(this.ring.capacity - 1);
      const i = this.lowerBound(old);
      s.copyWithin(i, i + 1, this.n);
      this.n--;
    }
    const j = this.lowerBound(x);
    s.copyWithin(j + 1, j, this.n);
    s[j] = x;
    this.n++;
    this.ring.push(x);
  }

  /** k-th largest (k = 1 → max); the smallest value when fewer than k are stored; -Infinity when empty. */
  kthLargest(k: number): number {
    if (this.n === 0) return -Infinity;
    return this.sorted[Math.max(0, this.n - k)];
  }
}
