import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const hedgeLostErrorBrand = errorBrand('ERR_BREAKWATER_HEDGE_LOST');

/**
 * The abort reason of a hedged attempt that lost the race: another attempt of the same round
 * answered first. Named `AbortError` so every filter treats it as a cancellation (never retried,
 * never counted by a breaker); it only shows up in `FetchAttemptsError.attempts` and `onAttempt`.
 */
export class HedgeLostError extends BreakwaterError {
  override name = 'AbortError';
  readonly [hedgeLostErrorBrand] = true;

  constructor() {
    super('Another hedged attempt answered first', 'ERR_BREAKWATER_HEDGE_LOST');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, hedgeLostErrorBrand);
  }
}

/** True for a {@link HedgeLostError} from either the ESM or the CJS build. */
export const isHedgeLostError = (error: unknown): error is HedgeLostError => hasBrand(error, hedgeLostErrorBrand);
