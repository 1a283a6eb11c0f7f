import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const l2UnavailableErrorBrand = errorBrand('ERR_BREAKWATER_L2_UNAVAILABLE');

/**
 * Why a Redis call did not answer:
 * - `breaker-open`: the L2 breaker is open (or a half-open probe is already out); rejected at once;
 * - `timeout`: no answer within `commandTimeoutMs` (the command may still run later);
 * - `not-connected`: the client is reconnecting or closed, so the command was never sent;
 * - `command-failed`: Redis or ioredis rejected the command (the `cause` says how);
 * - `closed`: this tier, bus or lock was closed.
 */
export type L2UnavailableReason = 'breaker-open' | 'timeout' | 'not-connected' | 'command-failed' | 'closed';

export interface L2UnavailableDetails {
  /** What was being done: `get`, `set`, `delete`, `deleteTags`, `deletePrefix`, `publish`, `acquire`, `release`. */
  readonly operation: string;
  readonly reason: L2UnavailableReason;
  /** With `breaker-open`: milliseconds until the breaker lets a probe through (0 while a probe is out). */
  readonly retryAfterMs?: number;
  /** With `timeout`: the bound that passed. */
  readonly timeoutMs?: number;
  readonly cause?: unknown;
}

/**
 * Thrown (as a rejection) by the Redis tier, bus and loader lock whenever Redis did not answer:
 * the cache core treats it as a miss or a skipped write. One class for every reason, so a caller
 * checks one thing; `reason` tells them apart.
 */
export class L2UnavailableError extends BreakwaterError {
  override name = 'L2UnavailableError';
  declare readonly code: 'ERR_BREAKWATER_L2_UNAVAILABLE';
  readonly [l2UnavailableErrorBrand] = true;
  readonly operation: string;
  readonly reason: L2UnavailableReason;
  readonly retryAfterMs: number | undefined;
  readonly timeoutMs: number | undefined;

  constructor(details: L2UnavailableDetails) {
    super(describe(details), 'ERR_BREAKWATER_L2_UNAVAILABLE', { cause: details.cause });
    this.operation = details.operation;
    this.reason = details.reason;
    this.retryAfterMs = details.retryAfterMs;
    this.timeoutMs = details.timeoutMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, l2UnavailableErrorBrand);
  }
}

function describe(details: L2UnavailableDetails): string {
  const what = `Redis ${details.operation} skipped`;
  switch (details.reason) {
    case 'breaker-open':
      return `${what}: the L2 breaker is open (next probe in ${Math.max(0, Math.ceil(details.retryAfterMs ?? 0))}ms)`;
    case 'timeout':
      return `${what}: no answer within ${details.timeoutMs}ms`;
    case 'not-connected':
      return `${what}: the client is not connected`;
    case 'closed':
      return `${what}: closed`;
    default: {
      const cause = details.cause instanceof Error ? `: ${details.cause.message}` : '';
      return `${what}: the command failed${cause}`;
    }
  }
}

/** True for an {@link L2UnavailableError} from either the ESM or the CJS build. */
export const isL2UnavailableError = (error: unknown): error is L2UnavailableError => hasBrand(error, l2UnavailableErrorBrand);
