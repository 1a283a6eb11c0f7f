/**
 * Option checks shared by every package, so every "bad option" error reads the same way:
 *   Expected `maxRetries` to be an integer from 0 to 100, got `-1` (number)
 * A wrong type throws TypeError, a value out of range RangeError; both carry
 * `code: 'ERR_BREAKWATER_INVALID_OPTION'`. Options are checked once, at construction.
 */

/** Node fires a timer longer than this after 1 ms (nodejs 7fd8f13), so no duration may exceed it. */
export const MAX_TIMER_MS = 2_147_483_647;

export const INVALID_OPTION = 'ERR_BREAKWATER_INVALID_OPTION';

/** Inclusive bounds (`min`, `max`) and exclusive ones (`above`, `below`): `{ min: 0.5, below: 1 }` is [0.5, 1). */
export interface Range {
  readonly min?: number;
  readonly max?: number;
  readonly above?: number;
  readonly below?: number;
}

/** Renders a received value for a message: `` `-1` (number) ``. */
export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'function') shown = `[function ${value.name || 'anonymous'}]`;
  else if (typeof value === 'symbol' || typeof value === 'bigint') shown = value.toString();
  else if (value !== null && typeof value === 'object') shown = Array.isArray(value) ? '[array]' : '[object]';
  else shown = String(value);
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

function rangeText(range: Range): string {
  const { min, max, above, below } = range;
  const low = above !== undefined ? `above ${above}` : min;
  const high = below !== undefined ? `below ${below}` : max !== undefined && Number.isFinite(max) ? max : undefined;
  if (low !== undefined && high !== undefined) return `from ${low} to ${high}`;
  if (low !== undefined) return `from ${low} and up`;
  if (high !== undefined) return `up to ${high}`;
  return '';
}

/**
 * An invalid-option error for a rule no assert covers (a contradiction between two options, a
 * wrong shape): TypeError for a wrong type or shape, RangeError for a value out of range.
 */
export function invalidOption(message: string, kind: 'type' | 'range' = 'type'): Error {
  return invalid(kind, message);
}

function invalid(kind: 'type' | 'range', message: string): Error {
  const error = kind === 'type' ? new TypeError(message) : new RangeError(message);
  return Object.assign(error, { code: INVALID_OPTION });
}

function assertNumberIn(name: string, value: unknown, range: Range, integer: boolean): asserts value is number {
  const noun = integer ? 'an integer' : 'a number';
  const wanted = `${noun} ${rangeText(range)}`.trimEnd();
  if (typeof value !== 'number') throw invalid('type', `Expected \`${name}\` to be ${wanted}, got ${describeValue(value)}`);
  // Infinity is accepted only where the range says so (`max: Infinity`), never by omission.
  const finiteOrAllowed = Number.isFinite(value) || (value === Infinity && range.max === Infinity);
  const inRange =
    finiteOrAllowed &&
    (!integer || !Number.isFinite(value) || Number.isInteger(value)) &&
    (range.min === undefined || value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (range.above === undefined || value > range.above) &&
    (range.below === undefined || value < range.below);
  if (!inRange) throw invalid('range', `Expected \`${name}\` to be ${wanted}, got ${describeValue(value)}`);
}

/** An integer within `range` (inclusive). `Infinity` passes only when `max` is `Infinity`. */
export function assertInteger(name: string, value: unknown, range: Range = {}): asserts value is number {
  assertNumberIn(name, value, range, true);
}

/** A number (not NaN) within `range` (inclusive); `Infinity` passes only when `max` is `Infinity`. */
export function assertNumber(name: string, value: unknown, range: Range = {}): asserts value is number {
  assertNumberIn(name, value, range, false);
}

/** A duration in milliseconds: a number from `min` (default 0) to {@link MAX_TIMER_MS}. */
export function assertDuration(name: string, value: unknown, range: Range = {}): asserts value is number {
  assertNumberIn(name, value, { min: range.min ?? 0, max: Math.min(range.max ?? MAX_TIMER_MS, MAX_TIMER_MS) }, false);
}

export function assertBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalid('type', `Expected \`${name}\` to be a boolean, got ${describeValue(value)}`);
}

export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalid('type', `Expected \`${name}\` to be a function, got ${describeValue(value)}`);
}

export function assertString(name: string, value: unknown, range: Range = {}): asserts value is string {
  if (typeof value !== 'string') throw invalid('type', `Expected \`${name}\` to be a string, got ${describeValue(value)}`);
  const { min = 0, max = Infinity } = range;
  if (value.length < min || value.length > max) {
    throw invalid('range', `Expected \`${name}\` to be a string of length ${rangeText({ min, max })}, got ${describeValue(value)}`);
  }
}

export function assertOneOf<const T>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    const list = allowed.map((v) => `\`${String(v)}\``).join(', ');
    throw invalid(typeof value === typeof allowed[0] ? 'range' : 'type', `Expected \`${name}\` to be one of ${list}, got ${describeValue(value)}`);
  }
}

/** An object with the given methods, e.g. a clock: `assertMethods('clock', c, ['now', 'setTimeout'])`. */
export function assertMethods(name: string, value: unknown, methods: readonly string[]): void {
  const missing =
    value === null || typeof value !== 'object'
      ? methods
      : methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw invalid('type', `Expected \`${name}\` to be an object with ${methods.map((m) => `${m}()`).join(', ')}, got ${describeValue(value)}`);
  }
}

/** An `AbortSignal`, or undefined. */
export function assertOptionalSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalid('type', `Expected \`${name}\` to be an AbortSignal, got ${describeValue(value)}`);
  }
}

/** Rejects option keys the factory does not know, which catches typos such as `maxRetry`. */
export function assertKnownOptions(factory: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalid('type', `Unknown option \`${key}\` for ${factory}; expected one of ${known.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
}

/** Drops keys whose value is `undefined`, so `{ limit: undefined }` keeps the default (ky). */
export function withoutUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

/** Merges defaults with the given options (ignoring `undefined`), checking that options is an object. */
export function withDefaults<D extends object, O extends object>(factory: string, defaults: D, options: O | undefined): D & O {
  if (options === undefined) return { ...defaults } as D & O;
  if (options === null || typeof options !== 'object') {
    throw invalid('type', `Expected the options of ${factory} to be an object, got ${describeValue(options)}`);
  }
  return { ...defaults, ...withoutUndefined(options) } as D & O;
}
