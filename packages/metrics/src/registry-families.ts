import type { Gauge } from 'prom-client';
import type { CellCounter, CellHistogram } from './cells.ts';
import { counterFamily, gaugeFamily, histogramFamily, type Family, type FamilySpec } from './families.ts';
import type { ResolvedMetricsOptions } from './options.ts';
import { METRIC_DEFINITIONS, type MetricKey } from './vocabulary.ts';

type CounterKey = { [K in MetricKey]: (typeof METRIC_DEFINITIONS)[K]['type'] extends 'counter' ? K : never }[MetricKey];
type HistogramKey = { [K in MetricKey]: (typeof METRIC_DEFINITIONS)[K]['type'] extends 'histogram' ? K : never }[MetricKey];
type GaugeKey = { [K in MetricKey]: (typeof METRIC_DEFINITIONS)[K]['type'] extends 'gauge' ? K : never }[MetricKey];

/**
 * The metric families of one `createMetrics()`, created on first use so that a registry only
 * shows the metrics of the policy kinds actually bound.
 */
export class RegistryFamilies {
  readonly #options: ResolvedMetricsOptions;
  readonly #families = new Map<MetricKey, Family<object>>();

  constructor(options: ResolvedMetricsOptions) {
    this.#options = options;
  }

  counter(key: CounterKey): Family<CellCounter> {
    return this.#get(key, counterFamily) as Family<CellCounter>;
  }

  gauge(key: GaugeKey): Family<Gauge<string>> {
    return this.#get(key, gaugeFamily) as Family<Gauge<string>>;
  }

  durations(): Family<CellHistogram> {
    return this.histogram('callDuration');
  }

  histogram(key: HistogramKey): Family<CellHistogram> {
    return this.#get(key, (spec) => histogramFamily(spec, this.#options.durationBuckets)) as Family<CellHistogram>;
  }

  #get(key: MetricKey, create: (spec: FamilySpec) => Family<object>): Family<object> {
    let found = this.#families.get(key);
    if (found === undefined) {
      const definition = METRIC_DEFINITIONS[key];
      found = create({
        registry: this.#options.registry,
        name: this.#options.prefix + definition.name,
        help: definition.help,
        labelNames: definition.labelNames,
        maxPolicies: this.#options.maxPolicies,
      });
      this.#families.set(key, found);
    }
    return found;
  }
}
