import { invalidOption } from '@breakwater/core';
import { Gauge, type Registry } from 'prom-client';
import { CellCounter, CellHistogram } from './cells.ts';
import { PolicyLabels } from './labels.ts';

/**
 * What Breakwater keeps on a metric it created, under a global symbol so that two copies of this
 * package (ESM and CJS) binding to one registry share it: the policy label cap, and for gauges
 * read at scrape time, the sources to read.
 */
const FAMILY = Symbol.for('breakwater.metrics.family');

export interface FamilyState {
  readonly policies: PolicyLabels;
  /** Gauges only: read on every scrape. */
  readonly sources: Set<GaugeSource>;
}

/** One bound policy's contribution to a gauge: its labels and values at scrape time. */
export type GaugeSource = () => Iterable<readonly [labels: Record<string, string>, value: number]>;

export interface Family<M> {
  readonly metric: M;
  readonly state: FamilyState;
}

type Branded = { [FAMILY]?: FamilyState };

export interface FamilySpec {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxPolicies: number;
}

/**
 * The metric named `spec.name` in the registry: the one Breakwater registered before (a second
 * `createMetrics()` on one registry shares it), or a new one. A metric of that name that
 * Breakwater did not create is an error, not something to write into.
 */
function family<M extends object>(spec: FamilySpec, create: (state: FamilyState) => M): Family<M> {
  const existing = spec.registry.getSingleMetric(spec.name) as (M & Branded) | undefined;
  if (existing !== undefined) {
    const state = existing[FAMILY];
    if (state === undefined) {
      throw invalidOption(
        `The registry already has a metric named \`${spec.name}\` that @breakwater/metrics did not create; choose another \`prefix\` or \`registry\``,
      );
    }
    return { metric: existing, state };
  }
  const state: FamilyState = { policies: new PolicyLabels(spec.maxPolicies), sources: new Set() };
  const metric = create(state);
  Object.defineProperty(metric, FAMILY, { value: state });
  return { metric, state };
}

export function counterFamily(spec: FamilySpec): Family<CellCounter> {
  return family(spec, () => new CellCounter(spec));
}

export function histogramFamily(spec: FamilySpec, buckets: readonly number[]): Family<CellHistogram> {
  return family(spec, () => new CellHistogram(spec, buckets));
}

/**
 * A gauge read at scrape time from its sources. Values of one label set add up, so two policies
 * folded into `policy="other"` report their sum, and a disposed source simply stops reporting.
 */
export function gaugeFamily(spec: FamilySpec): Family<Gauge<string>> {
  return family(spec, (state) => {
    const gauge: Gauge<string> = new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [spec.registry],
      collect() {
        const totals = new Map<string, { labels: Record<string, string>; value: number }>();
        for (const source of state.sources) {
          for (const [labels, value] of readSource(source)) {
            const key = JSON.stringify(labels);
            const entry = totals.get(key);
            if (entry === undefined) totals.set(key, { labels, value });
            else entry.value += value;
          }
        }
        gauge.reset();
        for (const { labels, value } of totals.values()) gauge.set(labels, value);
      },
    });
    return gauge;
  });
}

/** A source that throws (a broken getter) drops out of this scrape; the error is rethrown on nextTick. */
function readSource(source: GaugeSource): Iterable<readonly [Record<string, string>, number]> {
  try {
    return [...source()];
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
    return [];
  }
}
