import { TaskCancelledError } from 'cockatiel';
import { breakwaterErrorBrand, errorBrand, hasBrand } from './brand.ts';

const timeoutErrorBrand = errorBrand('ERR_BREAKWATER_TIMEOUT');

/**
 * Thrown by `timeout()` when its deadline passes, and used as the abort reason of the signal it
 * hands down, so `fetch(url, { signal })` rejects with it too. It extends cockatiel's
 * `TaskCancelledError` (what cockatiel's own timeout throws), so `isTaskCancelledError()` and
 * code written for cockatiel keep working; it also counts as a `BreakwaterError`.
 */
export class TimeoutError extends TaskCancelledError {
  override name = 'TimeoutError';
  readonly code = 'ERR_BREAKWATER_TIMEOUT';
  readonly [breakwaterErrorBrand] = true;
  readonly [timeoutErrorBrand] = true;
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: { readonly cause?: unknown; readonly policy?: string }) {
    const who = options?.policy ? ` (${options.policy})` : '';
    super(`Operation timed out after ${timeoutMs}ms${who}`);
    this.timeoutMs = timeoutMs;
    if (options?.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, timeoutErrorBrand);
  }
}

export const isTimeoutError = (error: unknown): error is TimeoutError => hasBrand(error, timeoutErrorBrand);

/** Keeps what the function threw (when it is not the timeout itself) as the timeout's cause. */
export function withCause(timeoutError: TimeoutError, error: unknown): TimeoutError {
  if (error !== timeoutError && timeoutError.cause === undefined) {
    Object.defineProperty(timeoutError, 'cause', { value: error, configurable: true, writable: true });
  }
  return timeoutError;
}
