import { systemClock, type Clock } from './clock.ts';
import { assertDuration, assertKnownOptions, assertMethods, assertOneOf, withDefaults } from './validate.ts';

/** The status a request gets when its deadline passes before the handler answered. */
export type DeadlineStatus = 504 | 503;

/** Per-request deadline options shared by the Express middleware and the Fastify plugin. */
export interface DeadlineOptions {
  /** How long a request may take, in ms, until its response ends. Range 1–2147483647. Required. */
  readonly timeout: number;
  /** The status answered at the deadline: 504, or 503 behind proxies that treat 504 as their own. @default 504 */
  readonly status?: DeadlineStatus;
  /** Time source for the deadline timer. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedDeadline {
  readonly timeout: number;
  readonly status: DeadlineStatus;
  readonly clock: Clock;
}

const DEFAULTS = { status: 504, clock: systemClock } as const;
const KNOWN = ['timeout', 'status', 'clock'] as const;

/** Checks an adapter's deadline options once, at construction; a number is the timeout. */
export function resolveDeadline(factory: string, options: DeadlineOptions | number): ResolvedDeadline {
  const config = withDefaults(factory, DEFAULTS, typeof options === 'number' ? { timeout: options } : options);
  assertKnownOptions(factory, config, KNOWN);
  assertDuration('timeout', config.timeout, { min: 1 });
  assertOneOf('status', config.status, [504, 503] as const);
  assertMethods('clock', config.clock, ['setTimeout', 'clearTimeout']);
  return { timeout: config.timeout, status: config.status, clock: config.clock };
}

/** The problem+json `detail` of a deadline answer. */
export function deadlineDetail(timeout: number): string {
  return `The request did not complete within ${timeout} ms.`;
}
