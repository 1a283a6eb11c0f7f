import { assertFunction, assertOneOf, describeValue, isBulkheadRejectedError, isTaskCancelledError, assertInteger, invalidOption } from '@breakwater/core';
import { AimdLimit, resolveAimdOptions, type AimdLimitOptions } from './limits/aimd.ts';
import { GradientLimit, resolveGradientOptions, type GradientLimitOptions } from './limits/gradient.ts';
import type { LimitAlgorithm, OptionScope } from './limits/limit.ts';

export type AdaptiveAlgorithm = 'aimd' | 'gradient';

interface AdaptiveCommonOptions {
  /**
   * Which failures of the wrapped call are drops: signs of overload that lower the limit. Other
   * failures (a 404, a validation error) say nothing about capacity and leave the limit alone,
   * and so does the caller's own abort.
   * @default a timeout or cancellation (`isTaskCancelledError`, which covers `TimeoutError`) or a
   *   rejection by a bulkhead further down (`isBulkheadRejectedError`)
   */
  readonly isDrop?: (error: unknown) => boolean;
}

/** `adaptive` with `algorithm: 'aimd'`: Netflix's AIMDLimit. */
export interface AimdAdaptiveOptions extends AimdLimitOptions, AdaptiveCommonOptions {
  readonly algorithm: 'aimd';
}

/** `adaptive` with `algorithm: 'gradient'`: Netflix's Gradient2Limit. */
export interface GradientAdaptiveOptions extends GradientLimitOptions, AdaptiveCommonOptions {
  readonly algorithm: 'gradient';
}

export type AdaptiveOptions = AimdAdaptiveOptions | GradientAdaptiveOptions;

/** The default `isDrop`: timeouts, cancellations and rejections by a bulkhead downstream. */
export function isOverloadError(error: unknown): boolean {
  return isTaskCancelledError(error) || isBulkheadRejectedError(error);
}

export interface ResolvedAdaptive {
  readonly algorithm: AdaptiveAlgorithm;
  readonly limit: LimitAlgorithm;
  readonly isDrop: (error: unknown) => boolean;
}

const SCOPE: OptionScope = { factory: 'bulkhead({ adaptive })', prefix: 'adaptive.', alsoKnown: ['algorithm', 'isDrop'] };

/**
 * Builds the limit algorithm from `adaptive`. `capacity`, when given, is the initial limit, so
 * it may not contradict `adaptive.initial` and must lie within [min, max].
 */
export function resolveAdaptive(adaptive: AdaptiveOptions, capacity: number | undefined): ResolvedAdaptive {
  if (adaptive === null || typeof adaptive !== 'object') {
    throw invalidOption(`Expected \`adaptive\` to be an object, got ${describeValue(adaptive)}`);
  }
  const { algorithm, isDrop = isOverloadError, ...limitOptions } = adaptive;
  assertOneOf('adaptive.algorithm', algorithm, ['aimd', 'gradient'] as const);
  assertFunction('adaptive.isDrop', isDrop);
  if (capacity !== undefined && limitOptions.initial !== undefined && capacity !== limitOptions.initial) {
    throw invalidOption(
      `Expected either \`capacity\` or \`adaptive.initial\` (both are the initial limit), got ${capacity} and ${limitOptions.initial}`,
      'range',
    );
  }

  const config = algorithm === 'aimd' ? resolveAimdOptions(limitOptions, SCOPE) : resolveGradientOptions(limitOptions, SCOPE);
  if (capacity !== undefined) assertInteger('capacity', capacity, { min: config.min, max: config.max });
  const initial = capacity ?? config.initial;
  const limit = algorithm === 'aimd' ? new AimdLimit({ ...limitOptions, initial }) : new GradientLimit({ ...limitOptions, initial });
  return { algorithm, limit, isDrop };
}
