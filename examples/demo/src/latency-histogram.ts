/**
 * Latency percentiles without keeping every sample: log-spaced buckets 2 % wide from 1 µs to
 * about 2 minutes, so a percentile is within 2 % of the true value and memory stays constant
 * however long the run.
 */
const GROWTH = 1.02;
const MIN_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(120_000 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  record(ms: number): void {
    if (!(ms >= 0)) return;
    this.#counts[bucketOf(ms)]!++;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /** The latency (ms) at or below which `p` percent of the samples fall; 0 without samples. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index]!;
      if (seen >= rank) return Math.min(upperBound(index), this.#max);
    }
    return this.#max;
  }

  merge(other: LatencyHistogram): void {
    for (let index = 0; index < BUCKETS; index++) this.#counts[index]! += other.#counts[index]!;
    this.#count += other.#count;
    this.#max = Math.max(this.#max, other.#max);
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
}

function upperBound(index: number): number {
  return MIN_MS * GROWTH ** index;
}
