import { breakwaterErrorBrand, hasBrand } from './brand.ts';

export interface BreakwaterErrorOptions {
  readonly cause?: unknown;
}

/**
 * The base of every error Breakwater throws. `code` is stable (`ERR_BREAKWATER_…`) and is what
 * adapters map to an HTTP status; `instanceof` works across the ESM and CJS copies.
 */
export class BreakwaterError extends Error {
  override name = 'BreakwaterError';
  readonly code: string;
  readonly [breakwaterErrorBrand] = true;

  constructor(message: string, code = 'ERR_BREAKWATER', options?: BreakwaterErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, breakwaterErrorBrand);
  }
}

/** True for any error thrown by a Breakwater package, from either the ESM or the CJS build. */
export const isBreakwaterError = (error: unknown): error is BreakwaterError => hasBrand(error, breakwaterErrorBrand);
