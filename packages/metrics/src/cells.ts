import type { Registry } from 'prom-client';

/**
 * Counters and histograms whose hot path is a property increment. prom-client's own `inc(labels)`
 * and `observe(labels, v)` hash and validate the label object on every call (≈ 160 and 310 ns
 * here); a binding resolves its label sets once into cells and bumps those instead, and the
 * registry reads the cells at scrape time through the same `get()` contract prom-client's
 * metrics implement, so `registry.metrics()`, `getMetricsAsJSON()`, `resetMetrics()` and the
 * cluster aggregator treat them like any other metric.
 */

type Labels = Readonly<Record<string, string>>;

interface CellMetricSpec {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** The sample shape prom-client's `Registry` formats. */
interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/** One label set of a counter. */
export class CounterCell {
  value = 0;
  readonly labels: Labels;

  constructor(labels: Labels) {
    this.labels = labels;
  }

  inc(by = 1): void {
    this.value += by;
  }
}

/** One label set of a histogram: per-bucket (not yet cumulative) counts, the sum and the count. */
export class HistogramCell {
  readonly labels: Labels;
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #upperBounds: readonly number[];

  constructor(labels: Labels, upperBounds: readonly number[]) {
    this.labels = labels;
    this.#upperBounds = upperBounds;
    this.counts = new Float64Array(upperBounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.#upperBounds;
    let index = 0;
    // `le` is inclusive: a value equal to a bound counts in that bound's bucket.
    while (index < bounds.length && value > bounds[index]!) index++;
    this.counts[index]!++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

abstract class CellMetric<C extends { readonly labels: Labels }> {
  name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum';
  protected readonly cells = new Map<string, C>();

  constructor(spec: CellMetricSpec) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames;
    spec.registry.registerMetric(this as never);
  }

  /** The cell of one label set, created on first use; callers keep it and skip this lookup afterwards. */
  cell(labels: Labels): C {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    let found = this.cells.get(key);
    if (found === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name] ?? '';
      found = this.create(Object.freeze(own));
      this.cells.set(key, found);
    }
    return found;
  }

  protected abstract create(labels: Labels): C;
}

export class CellCounter extends CellMetric<CounterCell> {
  readonly type = 'counter';

  inc(labels: Labels, by = 1): void {
    this.cell(labels).inc(by);
  }

  async get(): Promise<{ name: string; help: string; type: 'counter'; aggregator: string; values: Sample[] }> {
    const values = [...this.cells.values()].map((cell) => ({ labels: { ...cell.labels }, value: cell.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series but keeps it: bindings hold their cells for as long as they live. */
  reset(): void {
    for (const cell of this.cells.values()) cell.value = 0;
  }

  protected create(labels: Labels): CounterCell {
    return new CounterCell(labels);
  }
}

export class CellHistogram extends CellMetric<HistogramCell> {
  readonly type = 'histogram';
  readonly upperBounds: readonly number[];

  constructor(spec: CellMetricSpec, upperBounds: readonly number[]) {
    super(spec);
    this.upperBounds = upperBounds;
  }

  observe(labels: Labels, value: number): void {
    this.cell(labels).observe(value);
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const cell of this.cells.values()) {
      // A label set shows from its first observation, like prom-client's: a bound policy that
      // never fails adds no `outcome="failure"` buckets.
      if (cell.count === 0) continue;
      let cumulative = 0;
      this.upperBounds.forEach((le, index) => {
        cumulative += cell.counts[index]!;
        values.push({ labels: { ...cell.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...cell.labels, le: '+Inf' }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...cell.labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...cell.labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const cell of this.cells.values()) cell.reset();
  }

  protected create(labels: Labels): HistogramCell {
    return new HistogramCell(labels, this.upperBounds);
  }
}
