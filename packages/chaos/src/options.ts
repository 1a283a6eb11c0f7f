import {
  assertFunction,
  assertKnownOptions,
  assertMethods,
  assertNumber,
  assertString,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
  type PolicyContext,
} from '@breakwater/core';

/** What a chaos policy's per-call functions receive: the call's context (its signal). */
export type ChaosContext = PolicyContext;

/** Options every chaos policy takes. */
export interface ChaosOptions {
  /**
   * The probability of injecting on a call, from 0 to 1, or a function of the call's context
   * evaluated per call (its result is clamped to 0–1; `NaN` counts as 0).
   * @default 0.001 (Polly's Simmy default: one call in a thousand)
   */
  readonly injectionRate?: number | ((context: ChaosContext) => number);
  /**
   * Whether the policy injects at all: a boolean, or a function evaluated per call (a feature
   * flag, a header set by a test harness, an environment check). A disabled policy only passes
   * the call through.
   * @default true
   */
  readonly enabled?: boolean | ((context: ChaosContext) => boolean);
  /**
   * The source of the injection decisions, numbers in [0, 1). `seededRandom(seed)` from
   * @breakwater/core makes a run repeatable.
   * @default Math.random
   */
  readonly random?: () => number;
  /** A name for events and metrics labels. @default the policy's kind, e.g. `'chaos-fault'` */
  readonly name?: string;
  /** Time source for latency and event durations. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedChaosOptions {
  readonly decide: (context: ChaosContext) => boolean;
  readonly name: string;
  readonly clock: Clock;
}

const COMMON = ['injectionRate', 'enabled', 'random', 'name', 'clock'] as const;

/**
 * Checks the common options and the policy's own (`own` names them; the caller checks their
 * values), and builds the per-call decision.
 */
export function resolveChaosOptions<O extends ChaosOptions>(
  factory: string,
  defaultName: string,
  options: O | undefined,
  own: readonly string[],
): ResolvedChaosOptions & { readonly config: O } {
  const config = withDefaults(factory, { injectionRate: 0.001, enabled: true, random: Math.random, name: defaultName, clock: systemClock }, options);
  assertKnownOptions(factory, config, [...COMMON, ...own]);
  const { injectionRate, enabled, random } = config;
  if (typeof injectionRate === 'number') assertNumber('injectionRate', injectionRate, { min: 0, max: 1 });
  else if (typeof injectionRate !== 'function') {
    throw invalidOption(`Expected \`injectionRate\` to be a number from 0 to 1 or a function returning one, got ${describeValue(injectionRate)}`);
  }
  if (typeof enabled !== 'boolean' && typeof enabled !== 'function') {
    throw invalidOption(`Expected \`enabled\` to be a boolean or a function returning one, got ${describeValue(enabled)}`);
  }
  assertFunction('random', random);
  assertString('name', config.name, { min: 1 });
  assertMethods('clock', config.clock, ['now', 'setTimeout', 'clearTimeout']);
  return { decide: decision(injectionRate, enabled, random), name: config.name, clock: config.clock, config: config as O };
}

function decision(
  injectionRate: number | ((context: ChaosContext) => number),
  enabled: boolean | ((context: ChaosContext) => boolean),
  random: () => number,
): (context: ChaosContext) => boolean {
  if (enabled === false || injectionRate === 0) return () => false;
  const rateOf = typeof injectionRate === 'number' ? () => injectionRate : injectionRate;
  const isEnabled = typeof enabled === 'boolean' ? () => true : enabled;
  return (context) => {
    if (isEnabled(context) !== true) return false;
    const rate = rateOf(context);
    // A rate of 1 injects without drawing, so `injectionRate: 1` never depends on the generator.
    if (rate >= 1) return true;
    return rate > 0 && random() < rate;
  };
}
