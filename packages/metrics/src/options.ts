import { assertInteger, assertKnownOptions, assertMethods, assertString, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import { register, type Registry } from 'prom-client';

export interface MetricsOptions {
  /** Where the metrics are registered. @default prom-client's global `register` */
  readonly registry?: Registry;
  /**
   * Prepended to every metric name: letters, digits, `_` and `:`, not starting with a digit
   * (may be empty). @default 'breakwater_'
   */
  readonly prefix?: string;
  /**
   * Distinct `policy` label values per metric; the names bound after that are reported as
   * `policy="other"`, so user-given names can never explode a metric's series. Integer 1–10000.
   * @default 100
   */
  readonly maxPolicies?: number;
  /**
   * Buckets of `policy_call_duration_seconds`, in seconds, strictly increasing.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   */
  readonly durationBuckets?: readonly number[];
}

export interface ResolvedMetricsOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly maxPolicies: number;
  readonly durationBuckets: readonly number[];
}

const DEFAULTS = {
  prefix: 'breakwater_',
  maxPolicies: 100,
  durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;
const KNOWN = ['registry', 'prefix', 'maxPolicies', 'durationBuckets'] as const;
const METRIC_NAME_PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

export function resolveMetricsOptions(options: MetricsOptions | undefined): ResolvedMetricsOptions {
  const config = withDefaults('createMetrics()', DEFAULTS, options);
  assertKnownOptions('createMetrics()', config, KNOWN);
  // Read the global register only when no registry was given: a user with their own never touches it.
  const registry = (config as MetricsOptions).registry ?? register;
  assertMethods('registry', registry, ['getSingleMetric', 'registerMetric', 'metrics']);
  assertString('prefix', config.prefix);
  if (!METRIC_NAME_PREFIX.test(config.prefix)) {
    throw invalidOption(
      `Expected \`prefix\` to be empty or to start with a letter, \`_\` or \`:\` followed by letters, digits, \`_\` or \`:\`, got ${describeValue(config.prefix)}`,
      'range',
    );
  }
  assertInteger('maxPolicies', config.maxPolicies, { min: 1, max: 10_000 });
  const buckets: unknown = config.durationBuckets;
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw invalidOption(`Expected \`durationBuckets\` to be a non-empty array of numbers, got ${describeValue(buckets)}`);
  }
  buckets.forEach((bucket: unknown, index) => {
    const previous = index === 0 ? 0 : (buckets[index - 1] as number);
    if (typeof bucket !== 'number' || !Number.isFinite(bucket) || bucket <= previous) {
      throw invalidOption(
        `Expected \`durationBuckets\` to be positive finite numbers in strictly increasing order, got ${describeValue(bucket)} at index ${index}`,
        typeof bucket === 'number' ? 'range' : 'type',
      );
    }
  });
  return { registry, prefix: config.prefix, maxPolicies: config.maxPolicies, durationBuckets: Object.freeze([...(buckets as number[])]) };
}
