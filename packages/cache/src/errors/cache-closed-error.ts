import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const cacheClosedErrorBrand = errorBrand('ERR_BREAKWATER_CACHE_CLOSED');

/**
 * Thrown by a cache's methods after `close()` was called, and used as the abort reason of the
 * signal handed to loaders still running at that moment.
 */
export class CacheClosedError extends BreakwaterError {
  override name = 'CacheClosedError';
  readonly [cacheClosedErrorBrand] = true;
  /** The cache's `name`. */
  readonly cache: string;

  constructor(cache: string) {
    super(`Cache ${JSON.stringify(cache)} is closed`, 'ERR_BREAKWATER_CACHE_CLOSED');
    this.cache = cache;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, cacheClosedErrorBrand);
  }
}

/** True for a {@link CacheClosedError} from either the ESM or the CJS build. */
export const isCacheClosedError = (error: unknown): error is CacheClosedError => hasBrand(error, cacheClosedErrorBrand);
