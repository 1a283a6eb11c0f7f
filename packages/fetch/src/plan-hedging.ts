import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertNumber,
  describeValue,
  invalidOption,
} from '@breakwater/core';
import { LatencyWindow } from './latency.ts';
import type { HedgingOptions, HedgingPercentileDelay } from './options.ts';

const HEDGING_KNOWN = ['delay', 'maxHedgedAttempts', 'origins', 'rewrite'] as const;
const PERCENTILE_KNOWN = ['percentile', 'samples', 'fallback', 'min', 'max'] as const;


export interface HedgingPlan {
  readonly maxHedgedAttempts: number;
  /** The delay before the next hedge, in ms. */
  delay(): number;
  /** Feeds a successful attempt's latency (percentile delays only). */
  readonly latency: LatencyWindow | undefined;
  /** The URL of hedge n (from 1). */
  target(url: URL, hedge: number): URL;
  readonly options: HedgingOptions;
}

export function buildHedging(options: HedgingOptions, windows: LatencyWindows): HedgingPlan {
  assertKnownOptions('hedging', options, HEDGING_KNOWN);
  const maxHedgedAttempts = options.maxHedgedAttempts ?? 1;
  assertInteger('hedging.maxHedgedAttempts', maxHedgedAttempts, { min: 1, max: 10 });
  const delayOption = options.delay ?? 2_000;
  let delay: () => number;
  let window: LatencyWindow | undefined;
  if (typeof delayOption === 'number') {
    assertDuration('hedging.delay', delayOption);
    delay = () => delayOption;
  } else if (delayOption !== null && typeof delayOption === 'object') {
    const spec: HedgingPercentileDelay = delayOption;
    assertKnownOptions('hedging.delay', spec, PERCENTILE_KNOWN);
    assertNumber('hedging.delay.percentile', spec.percentile, { above: 0, below: 100 });
    const samples = spec.samples ?? 100;
    assertInteger('hedging.delay.samples', samples, { min: 1, max: 10_000 });
    const fallback = spec.fallback ?? 2_000;
    assertDuration('hedging.delay.fallback', fallback);
    const min = spec.min ?? 0;
    assertDuration('hedging.delay.min', min);
    const max = spec.max ?? 2_147_483_647;
    assertDuration('hedging.delay.max', max, { min });
    window = windows.get(spec.percentile, samples);
    const needed = Math.max(1, Math.floor(samples / 10));
    const measured = window;
    delay = () => {
      const value = measured.value(needed);
      return value === undefined ? fallback : Math.min(max, Math.max(min, Math.ceil(value)));
    };
  } else {
    throw invalidOption(`Expected \`hedging.delay\` to be a duration in ms or { percentile }, got ${describeValue(delayOption)}`);
  }
  const { origins, rewrite } = options;
  if (origins !== undefined && rewrite !== undefined) throw invalidOption('Expected only one of `hedging.origins` and `hedging.rewrite`');
  let target: (url: URL, hedge: number) => URL = (url) => url;
  if (origins !== undefined) {
    if (!Array.isArray(origins) || origins.length === 0) {
      throw invalidOption(`Expected \`hedging.origins\` to be a non-empty array of origins, got ${describeValue(origins)}`);
    }
    const parsed = origins.map((origin, i) => {
      const text = String(origin);
      if (!URL.canParse(text)) throw invalidOption(`Expected \`hedging.origins[${i}]\` to be an absolute URL, got ${describeValue(origin)}`);
      return new URL(text);
    });
    target = (url, hedge) => {
      const origin = parsed[(hedge - 1) % parsed.length]!;
      const next = new URL(url);
      next.protocol = origin.protocol;
      next.host = origin.host;
      return next;
    };
  } else if (rewrite !== undefined) {
    assertFunction('hedging.rewrite', rewrite);
    target = (url, hedge) => {
      const result = rewrite(new URL(url), hedge);
      return result instanceof URL ? result : new URL(result);
    };
  }
  return { maxHedgedAttempts, delay, latency: window, target, options };
}


/**
 * A client's latency windows, one per (percentile, samples): the client's own hedging and every
 * per-request override asking for the same percentile learn from the same attempts.
 */
export class LatencyWindows {
  readonly #windows = new Map<string, LatencyWindow>();

  get(percentile: number, samples: number): LatencyWindow {
    const key = `${percentile}/${samples}`;
    let window = this.#windows.get(key);
    if (window === undefined) {
      window = new LatencyWindow(samples, percentile);
      // Bounded: overrides computed per request share one spare window beyond the first 8.
      if (this.#windows.size < 8) this.#windows.set(key, window);
    }
    return window;
  }
}
