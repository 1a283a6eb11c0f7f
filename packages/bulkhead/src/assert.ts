import { assertInteger, assertNumber, describeValue, INVALID_OPTION } from '@breakwater/core';

/**
 * Option checks core's validate.ts does not cover, worded the same way. Core's `assertInteger`
 * lets `Infinity` through when no finite `max` is given, but a count here must be finite: an
 * unbounded queue is exactly the memory growth under overload a bulkhead exists to prevent.
 */

function invalid(kind: 'type' | 'range', message: string): Error {
  const error = kind === 'type' ? new TypeError(message) : new RangeError(message);
  return Object.assign(error, { code: INVALID_OPTION });
}

/** An integer from `min` (inclusive) up to `max` (inclusive, default no bound), never `Infinity`. */
export function assertCount(name: string, value: unknown, min: number, max?: number): asserts value is number {
  rejectInfinity(name, value, 'integer', min, max);
  assertInteger(name, value, max === undefined ? { min } : { min, max });
}

/** A finite number from `min` (inclusive) and up. */
export function assertFiniteNumber(name: string, value: unknown, min: number): asserts value is number {
  rejectInfinity(name, value, 'number', min);
  assertNumber(name, value, { min });
}

function rejectInfinity(name: string, value: unknown, noun: 'integer' | 'number', min: number, max?: number): void {
  if (value !== Infinity) return;
  const upTo = max === undefined ? 'and up' : `to ${max}`;
  throw invalid('range', `Expected \`${name}\` to be a finite ${noun} from ${min} ${upTo}, got ${describeValue(value)}`);
}

/** Bounds where either end may be exclusive: `{ min: 0.5, below: 1 }` is [0.5, 1). */
export interface OpenRange {
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
  readonly below?: number;
}

/** A number (not NaN) within bounds that may exclude their ends, e.g. a ratio in [0.5, 1). */
export function assertRatio(name: string, value: unknown, range: OpenRange): asserts value is number {
  const low = range.above === undefined ? `from ${range.min}` : `from above ${range.above}`;
  const high = range.below === undefined ? `to ${range.max}` : `to below ${range.below}`;
  const message = `Expected \`${name}\` to be a number ${low} ${high}, got ${describeValue(value)}`;
  if (typeof value !== 'number') throw invalid('type', message);
  const inRange =
    !Number.isNaN(value) &&
    (range.min === undefined || value >= range.min) &&
    (range.above === undefined || value > range.above) &&
    (range.max === undefined || value <= range.max) &&
    (range.below === undefined || value < range.below);
  if (!inRange) throw invalid('range', message);
}

/** An invalid-option error for a rule no assert covers: a wrong shape (TypeError), a contradiction (RangeError). */
export function invalidOption(message: string, kind: 'type' | 'range' = 'type'): Error {
  return invalid(kind, message);
}
