import { describeValue, invalidOption } from '@breakwater/core';
import { HEALTH_STATUSES, type HealthStatus } from './status.ts';

/** What a running check receives. */
export interface CheckContext {
  /** Aborted (with a core `TimeoutError`) when the check's timeout passes: stop the work then. */
  readonly signal: AbortSignal;
}

/** A check's reading, when it has more to say than pass or fail. */
export interface CheckOutcome {
  /** @default 'pass' */
  readonly status?: HealthStatus;
  /** Any JSON value, e.g. a latency or a percentage. */
  readonly observedValue?: unknown;
  /** The unit of `observedValue`: `ms`, `percent`, … */
  readonly observedUnit?: string;
  /** Why it warns or fails. Shown only in detailed responses. */
  readonly output?: string;
}

/**
 * What a check function may return: nothing or `true` (pass), `false` (fail), a status, or a
 * {@link CheckOutcome}. A throw or a rejection is a failure whose message becomes `output`.
 */
export type CheckReturn = CheckOutcome | HealthStatus | boolean | void;

/** Any async (or sync) function that answers whether something is healthy. */
export type CheckFunction = (context: CheckContext) => CheckReturn | PromiseLike<CheckReturn>;

/** A check with the metadata the ready-made checks carry. */
export interface CheckDefinition {
  readonly run: CheckFunction;
  /**
   * The second half of the report key `"name:measurement"` (`responseTime`, `utilization`, …).
   * @default undefined (the key is the name alone)
   */
  readonly measurement?: string;
  /** The draft's `componentType`: `datastore`, `component` or `system`. @default undefined */
  readonly componentType?: string;
}

/** What `health.register()` accepts. */
export type HealthCheck = CheckFunction | CheckDefinition;

/** A check's reading without the fields the runner adds. */
export interface Reading {
  readonly status: HealthStatus;
  readonly observedValue?: unknown;
  readonly observedUnit?: string;
  readonly output?: string;
}

/** Turns whatever a check returned into a reading; an unusable value is a failure, not a pass. */
export function toReading(value: unknown): Reading {
  if (value === undefined || value === true) return { status: 'pass' };
  if (value === false) return { status: 'fail' };
  if (typeof value === 'string') {
    if ((HEALTH_STATUSES as readonly string[]).includes(value)) return { status: value as HealthStatus };
    return { status: 'fail', output: `the check returned ${describeValue(value)}, not pass, warn or fail` };
  }
  if (value === null || typeof value !== 'object') return { status: 'fail', output: `the check returned ${describeValue(value)}` };
  const outcome = value as Record<string, unknown>;
  const status = outcome['status'] ?? 'pass';
  if (!(HEALTH_STATUSES as readonly unknown[]).includes(status)) {
    return { status: 'fail', output: `the check returned status ${describeValue(status)}, not pass, warn or fail` };
  }
  const reading: { -readonly [K in keyof Reading]: Reading[K] } = { status: status as HealthStatus };
  if (outcome['observedValue'] !== undefined) reading.observedValue = outcome['observedValue'];
  if (typeof outcome['observedUnit'] === 'string') reading.observedUnit = outcome['observedUnit'];
  if (typeof outcome['output'] === 'string') reading.output = outcome['output'];
  return reading;
}

/** Message of whatever a check threw, for `output`. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return `the check threw ${describeValue(error)}`;
}

/** A plain function becomes a definition with no measurement; a definition is checked. */
export function toDefinition(name: string, check: unknown): CheckDefinition {
  if (typeof check === 'function') return { run: check as CheckFunction };
  if (check !== null && typeof check === 'object' && typeof (check as CheckDefinition).run === 'function') {
    const { measurement, componentType } = check as CheckDefinition;
    if (measurement !== undefined) assertKeyPart(`measurement of check "${name}"`, measurement);
    if (componentType !== undefined && (typeof componentType !== 'string' || componentType === '')) {
      throw invalidOption(`Expected \`componentType\` of check "${name}" to be a non-empty string, got ${describeValue(componentType)}`);
    }
    return check as CheckDefinition;
  }
  throw invalidOption(`Expected check "${name}" to be a function or an object with run(), got ${describeValue(check)}`);
}

/**
 * A check name or measurement: 1–64 characters, no colon (the draft's separator), nothing
 * outside printable ASCII, so report keys and metrics labels stay bounded and readable.
 */
export function assertKeyPart(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !/^[\x21-\x39\x3b-\x7e]{1,64}$/.test(value)) {
    throw invalidOption(
      `Expected ${what} to be 1 to 64 printable ASCII characters without spaces or ":", got ${describeValue(value)}`,
      typeof value === 'string' ? 'range' : 'type',
    );
  }
}
