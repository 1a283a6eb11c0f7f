import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';
import type { FetchAttempt } from '../attempt.ts';

const fetchAttemptsErrorBrand = errorBrand('ERR_BREAKWATER_FETCH_ATTEMPTS');

/**
 * Why a resilient fetch gave up: `exhausted` (maxRetries reached), `budget` (the retry budget
 * refused), `delay-budget` (the next delay would pass maxTotalDelay), `deadline` (the total
 * timeout passed), `not-retryable` (an attempt failed in a way that must not be retried, after
 * earlier attempts), `retryable-status` (retries ran out on a retryable status and
 * `throwOnRetryableStatus` is on).
 */
export type FetchGiveUpReason = 'exhausted' | 'budget' | 'delay-budget' | 'deadline' | 'not-retryable' | 'retryable-status';

/**
 * Thrown when a resilient fetch gives up: every attempt is listed (its status or error, how long
 * it took, the delay waited after it), and `cause` is the last attempt's error. A caller's own
 * abort is not wrapped: the call rejects with `signal.reason`, as `fetch` does. A single attempt
 * that failed with an error no retry could fix (an invalid URL) is rethrown as it is, too.
 */
export class FetchAttemptsError extends BreakwaterError {
  override name = 'FetchAttemptsError';
  declare readonly code: 'ERR_BREAKWATER_FETCH_ATTEMPTS';
  readonly [fetchAttemptsErrorBrand] = true;
  /** Every attempt made, in the order they started (hedged attempts included). */
  readonly attempts: readonly FetchAttempt[];
  readonly reason: FetchGiveUpReason;
  /** The request's method and URL (without query string), for logs. */
  readonly method: string;
  readonly url: string;

  constructor(details: { method: string; url: string; reason: FetchGiveUpReason; attempts: readonly FetchAttempt[]; cause: unknown }) {
    super(describe(details), 'ERR_BREAKWATER_FETCH_ATTEMPTS', { cause: details.cause });
    this.attempts = details.attempts;
    this.reason = details.reason;
    this.method = details.method;
    this.url = details.url;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, fetchAttemptsErrorBrand);
  }
}

/** True for a {@link FetchAttemptsError} from either the ESM or the CJS build. */
export const isFetchAttemptsError = (error: unknown): error is FetchAttemptsError => hasBrand(error, fetchAttemptsErrorBrand);

function describe(details: { method: string; url: string; reason: FetchGiveUpReason; attempts: readonly FetchAttempt[] }): string {
  const { attempts } = details;
  const shown = attempts.slice(0, 10).map((a) => {
    const outcome = a.status !== undefined ? String(a.status) : errorText(a.error);
    const delay = a.delayMs !== undefined ? `, then waited ${Math.round(a.delayMs)}ms` : '';
    const hedge = a.hedge > 0 ? ` (hedge ${a.hedge})` : '';
    return `#${a.index + 1}${hedge} ${outcome}${delay}`;
  });
  if (attempts.length > 10) shown.push(`… ${attempts.length - 10} more`);
  const why = REASONS[details.reason];
  return `${details.method} ${details.url} failed after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'} (${why}): ${shown.join('; ')}`;
}

const REASONS: Record<FetchGiveUpReason, string> = {
  exhausted: 'retries exhausted',
  budget: 'retry budget spent',
  'delay-budget': 'maxTotalDelay reached',
  deadline: 'total timeout passed',
  'not-retryable': 'last failure not retryable',
  'retryable-status': 'retries exhausted on a retryable status',
};

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
