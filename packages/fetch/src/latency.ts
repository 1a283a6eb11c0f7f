/**
 * The latencies of the last `size` successful attempts in a ring, for a percentile hedging
 * delay. The percentile is recomputed every `size / 10` samples rather than on every call:
 * sorting per request would cost more than the wrapper itself.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  readonly #recomputeEvery: number;
  #count = 0;
  #next = 0;
  #sinceCompute = 0;
  #cached: number | undefined;
  readonly #percentile: number;

  constructor(size: number, percentile: number) {
    this.#samples = new Float64Array(size);
    this.#recomputeEvery = Math.max(1, Math.floor(size / 10));
    this.#percentile = percentile;
  }

  /** Samples seen, up to the window size. */
  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
    this.#sinceCompute++;
  }

  /** The percentile of the window (nearest rank), or undefined before `minimum` samples. */
  value(minimum: number): number | undefined {
    if (this.#count < minimum || this.#count === 0) return undefined;
    if (this.#cached === undefined || this.#sinceCompute >= this.#recomputeEvery) {
      const sorted = this.#samples.slice(0, this.#count).sort();
      const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil((this.#percentile / 100) * this.#count) - 1));
      this.#cached = sorted[rank]!;
      this.#sinceCompute = 0;
    }
    return this.#cached;
  }
}
